#!/usr/bin/env bash
# Builds the container images with buildah and smoke-tests each one by running its command in its
# own file system (scripts/image-run.sh). No registry is needed: every image is built from a local
# stand-in base made of Debian packages (dockerfiles/local-base/), passed as --build-arg BASE.
# A site builds the same Dockerfiles with their default, pinned public bases (dockerfiles/versions.env).
#
#   scripts/images.sh [check-pins|bases|service|proxy|hub|singleuser|all]...     (default: all)
#
# service needs target/quarkus-app (./mvnw package). Needs root, buildah, podman (import only),
# debootstrap, jq, curl, python3 (scripts/stack/install.sh installs them). Images are tagged
# localhost/hpcspawner-*:dev. The stand-in bases are kept between runs, tagged with a hash of
# dockerfiles/local-base/*.Dockerfile and dockerfiles/versions.env, and rebuilt only when those
# change (or with REFRESH_BASES=1, which also re-runs debootstrap). Logs stay in $IMAGES_WORK
# (default /tmp/hpcspawner-images). The hub smoke test loads the chart's rendered configuration
# from target/chart-rendered/ when a Maven build has written it (HubImageConfigTest).
# The last line is a summary: "images: 4 images built and smoke-tested in 45 s".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dockerfiles/versions.env
source dockerfiles/versions.env

SUITE=trixie
DEBIAN=localhost/hpcspawner-debian:$SUITE
WORK=${IMAGES_WORK:-/tmp/hpcspawner-images}
log() { printf '%s images: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { printf 'images: FAILED: %s\n' "$*" >&2; exit 1; }
build() { # build TAG DOCKERFILE CONTEXT [buildah args...]
  local tag=$1 file=$2 context=$3; shift 3
  local start=$SECONDS name=${tag##*/}
  local out="$WORK/build-${name%%:*}.log"
  buildah bud --isolation chroot --layers --force-rm -f "$file" -t "$tag" "$@" "$context" > "$out" 2>&1 \
    || { tail -n 30 "$out" >&2; fail "build of $tag (log: $out)"; }
  log "built $tag in $((SECONDS - start)) s"
}
have_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }
# Time limits are generous: on a busy 2-core machine the service took 49 s to answer (5 s when idle).
wait_http() { # wait_http URL SECONDS PID: until URL answers 200, or the process died, or time ran out
  local url=$1 deadline=$((SECONDS + $2)) pid=$3
  while (( SECONDS < deadline )); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# Ports free right now (other programs on the machine may use fixed ones).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The pins (versions.env against the Dockerfiles, lock and requirements files, the uenv recipe, the
# e2e stack and the chart) are checked by a Maven test, so ./mvnw verify catches drift.
check_pins() {
  ./mvnw -q -ntp test -Dtest=VersionPinsTest -Dsurefire.failIfNoSpecifiedTests=false \
    || fail "pins disagree (src/test/java/io/hpcspawner/images/VersionPinsTest.java)"
  log "pins agree with dockerfiles/versions.env"
}

# Before anything else: root, the tools, one run at a time, and nothing left by a killed run.
preflight() {
  [[ -z "${preflight_done:-}" ]] || return 0
  preflight_done=1
  (( EUID == 0 )) || fail "run as root (buildah, chroot and mounts need it)"
  local missing=() cmd
  for cmd in buildah podman debootstrap jq curl python3 unshare flock; do
    command -v "$cmd" > /dev/null 2>&1 || missing+=("$cmd")
  done
  (( ${#missing[@]} == 0 )) || fail "missing: ${missing[*]} (scripts/stack/install.sh installs them: apt-get install buildah podman debootstrap jq curl)"
  # $WORK holds the lock, the smoke tests' process groups (which a later run kills) and their
  # configurations: another user must not own it or anything on its path (a shared /tmp).
  if [[ -L "$WORK" ]] || { [[ -e "$WORK" ]] && [[ "$(stat -c %u "$WORK")" != 0 ]]; }; then
    fail "$WORK is a symbolic link or not owned by root: remove it or set IMAGES_WORK to a directory of root's"
  fi
  install -d -m 0700 -o root -g root "$WORK"
  exec 9> "$WORK/lock"
  flock -n 9 || fail "another scripts/images.sh is running (it holds $WORK/lock)"
  clean_stale
}

# What a killed run leaves: smoke-test commands still running (a SIGKILLed image-run.sh leaves its
# unshare and the command), buildah containers (image-run.sh's and interrupted builds'; all are
# named after the localhost/hpcspawner-* images) and mounts under $WORK (an interrupted debootstrap's
# /proc and /sys). We hold the lock, so none of them belongs to a live run.
clean_stale() {
  local pgid ctr mnt
  if [[ -f "$WORK/smoke.pgids" ]]; then
    while read -r pgid; do
      if pgrep -g "$pgid" -f 'image-run|unshare --mount' > /dev/null; then
        log "stopping processes left by a killed run (process group $pgid)"
        kill -TERM -- "-$pgid" 2>/dev/null || true
        sleep 1
        kill -KILL -- "-$pgid" 2>/dev/null || true
      fi
    done < "$WORK/smoke.pgids"
    rm -f "$WORK/smoke.pgids"
  fi
  while read -r ctr; do
    [[ -n "$ctr" ]] || continue
    log "removing container $ctr left by a killed run"
    buildah umount "$ctr" > /dev/null 2>&1 || true
    buildah rm "$ctr" > /dev/null
  done < <(buildah containers --noheading --format '{{.ContainerName}}' | grep '^hpcspawner-' || true)
  while read -r mnt; do
    log "unmounting $mnt left by a killed run"
    umount -l "$mnt"
  done < <(findmnt -rn -o TARGET | grep "^$WORK/" | sort -r || true)
}

# A smoke test's command in the background, in its own process group (recorded, so a killed run's
# is stopped by the next one); its pid is the group's id.
smoke_start() { # smoke_start LOG image-run.sh ARGS...
  local out=$1; shift
  setsid scripts/image-run.sh "$@" > "$out" 2>&1 9>&- &  # without the lock: it may outlive a killed run
  smoke_pid=$!
  echo "$smoke_pid" >> "$WORK/smoke.pgids"
}

# The stand-in bases' tag: a hash of what they are made from.
BASES_KEY=$(cat dockerfiles/local-base/*.Dockerfile dockerfiles/versions.env | sha256sum | cut -c1-12)
base() { echo "localhost/hpcspawner-base-$1:$BASES_KEY"; }

bases() {
  if [[ "${REFRESH_BASES:-0}" == 1 ]] && have_image "$DEBIAN"; then
    buildah rmi --force "$DEBIAN" > /dev/null
  fi
  if ! have_image "$DEBIAN"; then
    local start=$SECONDS root="$WORK/debian-$SUITE"
    rm -rf --one-file-system "$root"
    debootstrap --variant=minbase "$SUITE" "$root" http://deb.debian.org/debian > "$WORK/debootstrap.log" 2>&1 \
      || fail "debootstrap (log: $WORK/debootstrap.log)"
    tar -C "$root" -c . | podman import --quiet - "$DEBIAN" > /dev/null
    rm -rf --one-file-system "$root"
    log "made $DEBIAN with debootstrap in $((SECONDS - start)) s"
  fi
  # The missing ones are built side by side: most of their time is apt-get downloading and unpacking.
  local b cached=() pids=() failed=0
  for b in jre node hub; do
    if [[ "${REFRESH_BASES:-0}" != 1 ]] && have_image "$(base "$b")"; then
      cached+=("$b")
      continue
    fi
    build "$(base "$b")" "dockerfiles/local-base/$b.Dockerfile" dockerfiles/local-base --build-arg BASE="$DEBIAN" &
    pids+=($!)
  done
  for b in "${pids[@]}"; do wait "$b" || failed=1; done
  (( failed == 0 )) || fail "a stand-in base did not build (logs: $WORK/build-hpcspawner-base-*.log)"
  # Older keys of the bases are no longer used.
  buildah images --noheading --format '{{.Name}}:{{.Tag}}' | grep '^localhost/hpcspawner-base-' \
    | grep -v ":$BASES_KEY\$" | xargs -r buildah rmi > /dev/null 2>&1 || true
  (( ${#cached[@]} == 0 )) || log "stand-in bases ${cached[*]} cached (key $BASES_KEY)"
}

service() {
  [[ -f target/quarkus-app/quarkus-run.jar ]] || fail "no target/quarkus-app: run ./mvnw package first"
  build localhost/hpcspawner-service:dev dockerfiles/service/Dockerfile . --build-arg BASE="$(base jre)"

  # Smoke: the service starts as the image's user on a read-only root with a minimal site
  # configuration (one slurmrestd system that need not be up) and answers its liveness check.
  local conf="$WORK/service-config" port mport
  port=$(free_port); mport=$(free_port)
  rm -rf "$conf"; mkdir -p "$conf"
  head -c 32 /dev/urandom | base64 > "$conf/jwt.key"
  cat > "$conf/application.properties" <<PROPS
quarkus.http.port=$port
quarkus.management.port=$mport
hpcspawner.public-url=http://127.0.0.1:$port
hpcspawner.auth.hub-token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
hpcspawner.systems.smoke.backend=slurmrestd
hpcspawner.systems.smoke.url=http://127.0.0.1:1
hpcspawner.systems.smoke.jwt-key-file=/deployments/config/jwt.key
hpcspawner.profiles.small.system=smoke
hpcspawner.profiles.small.partition=debug
PROPS
  chmod -R a+rX "$conf"
  local start=$SECONDS
  smoke_start "$WORK/service-smoke.log" -v "$conf:/deployments/config" -w /var/lib/hpcspawner localhost/hpcspawner-service:dev
  local pid=$smoke_pid
  if ! wait_http "http://127.0.0.1:$mport/q/health/live" 180 "$pid"; then
    stop "$pid"; cat "$WORK/service-smoke.log" >&2; fail "the service image did not answer /q/health/live"
  fi
  local health
  health=$(curl -fsS "http://127.0.0.1:$mport/q/health/live")
  stop "$pid"
  [[ "$(jq -r .status <<<"$health")" == UP ]] || fail "service liveness is not UP: $health"
  log "service image: /q/health/live UP after $((SECONDS - start)) s (read-only root, uid 185)"
}

proxy() {
  # npm inside the build trusts what the host trusts (this machine's egress intercepts TLS).
  local ca=()
  [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]] \
    && ca=(-v "$NODE_EXTRA_CA_CERTS:/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt)
  build localhost/hpcspawner-proxy:dev dockerfiles/proxy/Dockerfile dockerfiles/proxy \
    --build-arg BASE="$(base node)" "${ca[@]}"

  # Smoke: the proxy starts as nobody on a read-only root, answers its health check on the public
  # port, and its API (on the address the image gives it) answers with the token and refuses without.
  local port aport token start=$SECONDS
  port=$(free_port); aport=$(free_port)
  token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  smoke_start "$WORK/proxy-smoke.log" -e CONFIGPROXY_AUTH_TOKEN="$token" localhost/hpcspawner-proxy:dev \
    --ip=127.0.0.1 --port="$port" --api-ip=127.0.0.1 --api-port="$aport"
  local pid=$smoke_pid
  if ! wait_http "http://127.0.0.1:$port/_chp_healthz" 90 "$pid"; then
    stop "$pid"; cat "$WORK/proxy-smoke.log" >&2; fail "the proxy image did not answer /_chp_healthz"
  fi
  local routes denied
  routes=$(curl -fsS -H "Authorization: token $token" "http://127.0.0.1:$aport/api/routes" || echo failed)
  denied=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$aport/api/routes")
  stop "$pid"
  jq -e 'type == "object"' <<<"$routes" > /dev/null 2>&1 || fail "proxy API GET /api/routes with the token answered: $routes"
  [[ "$denied" == 403 ]] || fail "proxy API without a token answered $denied, not 403"
  log "proxy image: /_chp_healthz and the API (403 without token) answer after $((SECONDS - start)) s (read-only root, uid 65534)"
}

hub() {
  # PyPI is not reachable here: the stand-in base already has JupyterHub from Debian, and the
  # image installs only what that covers (requirements-debian.txt) plus the plugin's wheel.
  build localhost/hpcspawner-hub:dev dockerfiles/hub/Dockerfile . \
    --build-arg BASE="$(base hub)" --build-arg REQUIREMENTS=requirements-debian.txt \
    --build-arg PIP_OFFLINE="--no-index --no-deps"

  # Smoke, as uid 1000 on a read-only root: the pinned JupyterHub runs, and the plugin is
  # installed where JupyterHub finds it (its entry point "hpc" loads the spawner class).
  local version start=$SECONDS
  version=$(scripts/image-run.sh -w /srv/jupyterhub localhost/hpcspawner-hub:dev jupyterhub --version) \
    || fail "jupyterhub --version in the hub image: $version"
  [[ "$version" == "$JUPYTERHUB_VERSION" ]] || fail "the hub image runs JupyterHub $version, the pin is $JUPYTERHUB_VERSION"
  local spawner
  spawner=$(scripts/image-run.sh -w /srv/jupyterhub localhost/hpcspawner-hub:dev python3 -c '
from importlib.metadata import entry_points
import hpcspawner
(ep,) = [e for e in entry_points(group="jupyterhub.spawners") if e.name == "hpc"]
cls = ep.load()
print(cls.__module__ + "." + cls.__name__)' 2>&1) || fail "the plugin does not load in the hub image: $spawner"
  # The hub loads its configuration as the chart mounts it, and the spawner takes its settings:
  # the chart's rendered jupyterhub_config.py and hub-values.json (the example staging release),
  # which HubImageConfigTest writes to target/chart-rendered/ in ./mvnw verify; without them, a
  # minimal configuration written like docs/hub-plugin.md.
  local conf="$WORK/hub-config" rendered=target/chart-rendered loaded expected which
  rm -rf "$conf"; mkdir -p "$conf/values"
  if [[ -f "$rendered/jupyterhub_config.py" && -f "$rendered/hub-values.json" ]]; then
    cp "$rendered/jupyterhub_config.py" "$conf/jupyterhub_config.py"
    cp "$rendered/hub-values.json" "$conf/values/hub-values.json"
    expected="HPCSpawner $(jq -r .spawnerUrl "$conf/values/hub-values.json") False"
    which="the chart's rendered configuration ($rendered)"
  else
    cat > "$conf/jupyterhub_config.py" <<'CONF'
import os
c.JupyterHub.spawner_class = "hpc"
c.HPCSpawner.service_url = "http://hpcspawner:8090"
c.HPCSpawner.service_token = os.environ["HPCSPAWNER_TOKEN"]
c.JupyterHub.cleanup_servers = False
CONF
    expected="HPCSpawner http://hpcspawner:8090 False"
    which="a minimal configuration (no $rendered: run ./mvnw verify first for the chart's)"
  fi
  chmod -R a+rX "$conf"
  # The environment the chart's hub Deployment sets (secrets obviously fake).
  # The stand-in image has no oauthenticator (not in Debian): then the configured authenticator is
  # left out of the check, and the log says so.
  local out note
  out=$(scripts/image-run.sh -v "$conf:/usr/local/etc/jupyterhub" -w /srv/jupyterhub \
    -e HPCSPAWNER_CHART_VALUES=/usr/local/etc/jupyterhub/values/hub-values.json -e HPCSPAWNER_TOKEN=smoke-token \
    -e CONFIGPROXY_AUTH_TOKEN=smoke-proxy-token -e JPY_COOKIE_SECRET=aaaa1111bbbb2222cccc3333dddd4444 \
    -e JUPYTERHUB_CRYPT_KEY=aaaa1111bbbb2222cccc3333dddd4444aaaa1111bbbb2222cccc3333dddd4444 \
    -e HPCSPAWNER_METRICS_TOKEN=smoke-metrics-token -e KEYCLOAK_HUB_CLIENT_SECRET=smoke-client-secret \
    localhost/hpcspawner-hub:dev python3 -c '
import importlib.util
from jupyterhub.app import JupyterHub
from traitlets.config.loader import PyFileConfigLoader
config = PyFileConfigLoader("jupyterhub_config.py", path="/usr/local/etc/jupyterhub").load_config()
authenticator = config.JupyterHub.get("authenticator_class")
if isinstance(authenticator, str) and importlib.util.find_spec("oauthenticator") is None:
    del config.JupyterHub["authenticator_class"]
    print("NOTE authenticator", authenticator, "not checked: oauthenticator is not in this image")
app = JupyterHub(config=config)
spawner = app.spawner_class(config=app.config)
print("LOADED", type(spawner).__name__, spawner.service_url, app.cleanup_servers)' 2>&1) || fail "the hub image did not load $which: $out"
  note=$(sed -n 's/^NOTE //p' <<<"$out")
  loaded=$(sed -n 's/^LOADED //p' <<<"$out")
  [[ "$loaded" == "$expected" ]] || fail "the hub image loaded $which as: $out (expected: LOADED $expected)"
  log "hub image: JupyterHub $version, spawner entry point hpc -> $spawner, loaded $which ($loaded${note:+; $note}), in $((SECONDS - start)) s (read-only root, uid 1000)"
}

singleuser() {
  build localhost/hpcspawner-singleuser:dev dockerfiles/singleuser/Dockerfile dockerfiles/singleuser \
    --build-arg BASE="$(base hub)" --build-arg REQUIREMENTS=requirements-debian.txt \
    --build-arg PIP_OFFLINE="--no-index --no-deps"

  # Smoke, as an HPC runtime runs it: as some user the image does not know, read-only root, no home.
  local version start=$SECONDS
  [[ -z "$(buildah inspect --type image localhost/hpcspawner-singleuser:dev | jq -r '.OCIv1.config.User // empty')" ]] \
    || fail "the singleuser image sets USER; HPC runtimes run it as the calling user"
  version=$(scripts/image-run.sh -u 54321:54321 -e HOME=/tmp localhost/hpcspawner-singleuser:dev jupyterhub-singleuser --version 2>/dev/null) \
    || fail "jupyterhub-singleuser --version in the singleuser image failed"
  [[ "$version" == "$JUPYTERHUB_VERSION" ]] || fail "the singleuser image has jupyterhub-singleuser $version, the pin is $JUPYTERHUB_VERSION"
  log "singleuser image: jupyterhub-singleuser $version as uid 54321, no USER, in $((SECONDS - start)) s (read-only root)"
}

targets=("$@"); (( ${#targets[@]} )) || targets=(all)
started=$SECONDS images=0
for t in "${targets[@]}"; do
  case "$t" in
    check-pins) check_pins ;;
    bases) preflight; bases ;;
    service|proxy|hub|singleuser) preflight; bases; "$t"; images=$((images + 1)) ;;
    all) preflight; bases; service; proxy; hub; singleuser; images=$((images + 4)) ;;
    *) fail "unknown target $t (check-pins, bases, service, proxy, hub, singleuser, all)" ;;
  esac
done
(( images == 0 )) || log "$images images built and smoke-tested in $((SECONDS - started)) s"
