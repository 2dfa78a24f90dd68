#!/usr/bin/env bash
# Runs a built image's command in the image's own file system, without a container runtime
# (podman run cannot work on this project's CI machine: see dockerfiles/README.md).
#
#   scripts/image-run.sh [-v HOST_PATH:IMAGE_PATH]... [-w IMAGE_PATH]... [-e NAME=VALUE]...
#                        [-u UID[:GID]] [--entrypoint PROGRAM] IMAGE [ARG...]
#
# Like a runtime with a read-only root file system: the image's files are mounted read-only, /tmp
# is an empty tmpfs, -w PATH adds another empty writable tmpfs (a volume), -v binds a host file or
# directory read-only; /proc and /dev are the usual ones; the network is the host's. The command is
# the image's entrypoint and command (ARGs replace the command), run as pid 1 and the image's user
# (or -u, numeric), in its
# working directory, with exactly the image's environment plus -e. `kill` of this script's pid
# stops the command; the mounts end with it.
# Needs root, buildah, jq, unshare (util-linux), python3.
set -euo pipefail

binds=() writable=() envs=() entrypoint="" user=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -v) binds+=("$2"); shift 2 ;;
    -w) writable+=("$2"); shift 2 ;;
    -e) envs+=("$2"); shift 2 ;;
    --entrypoint) entrypoint="$2"; shift 2 ;;
    -u) user="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "image-run: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
image="${1:?usage: image-run.sh [options] IMAGE [ARG...]}"; shift

config=$(buildah inspect --type image "$image" | jq -c '.OCIv1.config')
ctr=$(buildah from --pull-never --quiet "$image")
# The container (a writable layer over the image) exists only to mount the image's files; the
# trap removes it when this script's process ends, whatever the command did.
mnt=$(buildah mount "$ctr")

export IMAGE_RUN_MNT="$mnt" IMAGE_RUN_CONFIG="$config" IMAGE_RUN_ENTRYPOINT="$entrypoint" IMAGE_RUN_USER="$user"
export IMAGE_RUN_BINDS="${binds[*]:-}" IMAGE_RUN_WRITABLE="${writable[*]:-}"
export IMAGE_RUN_ENVS
IMAGE_RUN_ENVS=$(printf '%s\n' "${envs[@]:-}")

cleanup() { buildah umount "$ctr" >/dev/null 2>&1 || true; buildah rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# SIGTERM to this script goes to the command (pid 1 of its namespace, the child of unshare);
# unshare ends when it does, and then the trap on EXIT unmounts.
stop_command() {
  local pids pid
  read -r -a pids < "/proc/$child/task/$child/children" 2>/dev/null || true  # no newline at its end
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "$child" 2>/dev/null || true
}
trap stop_command TERM INT

# Own mount and pid namespaces: the command is pid 1 (as in a container) and sees only its own
# processes; it gets SIGTERM when unshare ends.
unshare --mount --propagation private --pid --fork --kill-child=SIGTERM -- python3 - "$@" <<'PY' &
import ctypes, json, os, signal, subprocess, sys

def sh(*argv):
    subprocess.run(argv, check=True)

config = json.loads(os.environ["IMAGE_RUN_CONFIG"])
mnt = os.environ["IMAGE_RUN_MNT"]
root = subprocess.run(["mktemp", "-d", "/tmp/image-run.XXXXXX"], check=True, capture_output=True, text=True).stdout.strip()
sh("mount", "--bind", mnt, root)
sh("mount", "-o", "remount,bind,ro", root)
for d in ["tmp"] + [w.strip("/") for w in os.environ["IMAGE_RUN_WRITABLE"].split()]:
    if not os.path.isdir(os.path.join(root, d)):
        sys.exit(f"image-run: /{d} does not exist in the image (a read-only root cannot grow it)")
    sh("mount", "-t", "tmpfs", "-o", "mode=1777", "tmpfs", os.path.join(root, d))
sh("mount", "-t", "proc", "proc", os.path.join(root, "proc"))
sh("mount", "--rbind", "/dev", os.path.join(root, "dev"))
for f in ("/etc/resolv.conf", "/etc/hosts"):
    if os.path.isfile(os.path.join(root, f[1:])):
        sh("mount", "--bind", "-o", "ro", f, os.path.join(root, f[1:]))
for b in os.environ["IMAGE_RUN_BINDS"].split():
    host, inside = b.split(":", 1)
    sh("mount", "--bind", host, os.path.join(root, inside.lstrip("/")))
    sh("mount", "-o", "remount,bind,ro", os.path.join(root, inside.lstrip("/")))

env = dict(e.split("=", 1) for e in config.get("Env") or [])
env.update(dict(e.split("=", 1) for e in os.environ["IMAGE_RUN_ENVS"].splitlines() if e))
entry = [os.environ["IMAGE_RUN_ENTRYPOINT"]] if os.environ["IMAGE_RUN_ENTRYPOINT"] else (config.get("Entrypoint") or [])
argv = entry + (sys.argv[1:] if len(sys.argv) > 1 else (config.get("Cmd") or []))
user = os.environ["IMAGE_RUN_USER"] or config.get("User") or "0"
uid, _, gid = user.partition(":")
if not uid.isdigit() or (gid and not gid.isdigit()):
    sys.exit(f"image-run: user {user!r} is not numeric; name lookups inside the image are not supported")

os.chroot(root)
os.chdir(config.get("WorkingDir") or "/")
os.setgroups([])
os.setgid(int(gid or 0))
os.setuid(int(uid))
# Changing the user cleared unshare's --kill-child: set it again, so the command ends with unshare.
ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG
os.execvpe(argv[0], argv, env)
PY
child=$!
wait "$child"
