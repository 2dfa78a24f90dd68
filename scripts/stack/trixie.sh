#!/usr/bin/env bash
# The Debian 13 (trixie) root the Slurm 24.11 cluster runs from (STACK_SLURM=24.11 slurm-up.sh)
# and the lead's JupyterHub 5.2 (run as root on Debian 12):
#
#   trixie.sh install     debootstrap a minbase trixie root at $TRIXIE_ROOT (once, ~35 s), install
#                         Slurm 24.11 (+ slurmdbd, slurmrestd, JWT and MySQL plugins), munge, MariaDB,
#                         curl, JupyterHub 5.2 and jupyter-server into it (once), copy the users, mount.
#                         Seconds when done.
#   trixie.sh mount       bind mounts (same paths inside): /proc, /sys, /dev (rbind), /home, /tmp,
#                         $STACK_DIR and the repository (read-only) when they are elsewhere
#   trixie.sh umount      stops nothing: refuses (listing them) while processes run in the root;
#                         unmounts everything under the root and checks with findmnt that nothing is left
#   trixie.sh run CMD...  mount, then run CMD in the root (as root)
#   trixie.sh status      what is mounted and which processes run in the root
#   trixie.sh remove      umount, then delete the root (refused while anything is mounted there)
#
# SAFETY: the root holds bind mounts of /home, /tmp and /dev. Nothing here deletes a path under the
# root while anything is mounted there; `rm` runs with --one-file-system on top of that check.
# A chroot shares the machine's network and process ids: its daemons get their own ports and are
# stopped by the PID files slurm-up.sh wrote, never by name.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root
PATH="$PATH:/usr/sbin:/sbin"

ROOT="$TRIXIE_ROOT"
# Bump when the recipe below changes: install redoes the package step once.
RECIPE=1
TRIXIE_PACKAGES=(
    slurmctld slurmd slurmdbd slurmrestd slurm-client slurm-wlm-jwt-plugin slurm-wlm-mysql-plugin
    munge mariadb-server curl ca-certificates jupyterhub python3-jupyter-server
)
# Copied with the host's uid/gid: jobs write into the shared /home and /tmp as these users.
TRIXIE_USERS=("${STACK_TEST_USERS[@]}" slurmrestd)
STAMP="$ROOT/etc/hpcspawner-trixie.stamp"
# bookworm's MariaDB client library for slurmdbd alone (trixie's 11.8 breaks slurmdbd 24.11)
BOOKWORM_LIBMARIADB_DIR=/opt/hpcspawner/bookworm-libmariadb

# --- guard rails ---------------------------------------------------------------------------------
[[ "$ROOT" =~ ^/[A-Za-z0-9._/-]+$ && "$ROOT" != *..* ]] || die "TRIXIE_ROOT must be a plain absolute path, got '$ROOT'"
ROOT="${ROOT%/}"
under() { [[ "$1" == "$2" || "$1" == "$2"/* ]]; }
case "$ROOT" in
/ | /usr | /etc | /var | /var/lib | /root | /opt | /srv) die "TRIXIE_ROOT=$ROOT is a system directory" ;;
esac
for forbidden in /tmp /home /dev /proc /sys "$STACK_DIR" "$REPO_DIR"; do
    ! under "$ROOT" "$forbidden" || die "TRIXIE_ROOT=$ROOT must not be under $forbidden (bind-mounted into it, or deleted wholesale)"
done

# mounts_under DIR: mount points at or below DIR, deepest first.
mounts_under() {
    findmnt -rn -o TARGET | awk -v r="$1" '$0 == r || index($0, r "/") == 1' | sort -r
}

# procs_in_root: PIDs of processes whose root directory is the trixie root.
procs_in_root() {
    local p r
    for p in /proc/[0-9]*; do
        r="$(readlink "$p/root" 2>/dev/null || true)"
        if [[ "$r" == "$ROOT" ]]; then echo "${p#/proc/}"; fi
    done
}

# The mount points of this machine's directories inside the root (same path inside).
shared_dirs() {
    echo /home
    echo /tmp
    if ! under "$STACK_DIR" /tmp && ! under "$STACK_DIR" /home; then echo "$STACK_DIR"; fi
}

do_mount() {
    [[ -x "$ROOT/usr/bin/env" ]] || die "no trixie root at $ROOT: run $0 install"
    if ! mountpoint -q "$ROOT/proc"; then mount -t proc proc "$ROOT/proc"; fi
    local d
    for d in sys dev; do
        if ! mountpoint -q "$ROOT/$d"; then
            mount --rbind "/$d" "$ROOT/$d"
            # never let an unmount under the root propagate to the machine's own /dev or /sys
            mount --make-rslave "$ROOT/$d"
        fi
    done
    while read -r d; do
        mkdir -p "$d" "$ROOT$d"
        if ! mountpoint -q "$ROOT$d"; then
            mount --bind "$d" "$ROOT$d"
            mount --make-slave "$ROOT$d"
        fi
    done < <(shared_dirs)
    # the repository read-only (the hub loads the plugin from it), unless /tmp or /home covers it
    if ! under "$REPO_DIR" /tmp && ! under "$REPO_DIR" /home && ! mountpoint -q "$ROOT$REPO_DIR"; then
        mkdir -p "$ROOT$REPO_DIR"
        mount --bind "$REPO_DIR" "$ROOT$REPO_DIR"
        mount -o remount,bind,ro "$ROOT$REPO_DIR"
        mount --make-slave "$ROOT$REPO_DIR"
    fi
    # name resolution as on this machine (the node name must resolve to 127.0.0.1)
    cmp -s /etc/hosts "$ROOT/etc/hosts" || cp /etc/hosts "$ROOT/etc/hosts"
    if [[ -f /etc/resolv.conf ]] && ! cmp -s /etc/resolv.conf "$ROOT/etc/resolv.conf"; then
        cp --remove-destination /etc/resolv.conf "$ROOT/etc/resolv.conf"
    fi
}

do_umount() {
    [[ -d "$ROOT" ]] || return 0
    local procs m left
    procs="$(procs_in_root | paste -sd, -)"
    if [[ -n "$procs" ]]; then
        ps -o pid,user,args -p "$procs" >&2 || true
        die "REFUSED: processes still run in $ROOT (pids $procs); stop them first (STACK_SLURM=24.11 slurm-down.sh, hub-down.sh)"
    fi
    while read -r m; do
        [[ -n "$m" && "$m" != "$ROOT" ]] || continue
        mountpoint -q "$m" || continue
        umount -R "$m" 2>/dev/null || umount "$m" || true
    done < <(mounts_under "$ROOT")
    left="$(mounts_under "$ROOT" | grep -vx "$ROOT" || true)"
    if [[ -n "$left" ]]; then
        echo "still mounted under $ROOT:" >&2
        echo "$left" >&2
        die "REFUSED: could not unmount everything under $ROOT; nothing deleted"
    fi
}

# remove_tree DIR: rm -rf DIR only if nothing is mounted at or under it.
remove_tree() {
    local left
    left="$(mounts_under "$1")"
    [[ -z "$left" ]] || die "REFUSED to delete $1: mounted under it: $left"
    rm -rf --one-file-system -- "$1"
}

apt_mirror() {
    local m=""
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        m="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources | grep -v security | head -n1)"
    fi
    if [[ -z "$m" && -f /etc/apt/sources.list ]]; then
        m="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)"
    fi
    echo "${m:-http://deb.debian.org/debian}"
}

# in_root CMD...: run CMD in the root with a clean environment
in_root() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# copy_user NAME: NAME (and its primary group) in the root with this machine's ids; fails on
# an id clash (the root's own ids must never shadow the test users').
copy_user() {
    local u="$1" uid gid group home shell
    uid="$(id -u "$u" 2>/dev/null)" || die "user $u missing on this machine: run scripts/stack/install.sh first"
    gid="$(id -g "$u")"
    group="$(id -gn "$u")"
    home="$(getent passwd "$u" | cut -d: -f6)"
    shell="$(getent passwd "$u" | cut -d: -f7)"
    if ! in_root getent group "$group" >/dev/null; then
        in_root groupadd -g "$gid" "$group"
    fi
    [[ "$(in_root getent group "$group" | cut -d: -f3)" == "$gid" ]] ||
        die "group $group has another gid in $ROOT than here ($gid)"
    if ! in_root getent passwd "$u" >/dev/null; then
        in_root useradd -M -u "$uid" -g "$gid" -d "$home" -s "$shell" "$u" 2>&1 |
            { grep -v 'outside of the UID_MIN' >&2 || true; }
    fi
    [[ "$(in_root id -u "$u"):$(in_root id -g "$u")" == "$uid:$gid" ]] ||
        die "user $u has another uid/gid in $ROOT than here ($uid:$gid)"
}

copy_users() {
    local u
    for u in "${TRIXIE_USERS[@]}"; do copy_user "$u"; done
    # munge and slurm too, on a fresh root only (before the packages create them with ids of their
    # own): then the root's munge key and Slurm state belong to the same users here and there,
    # not to whichever local user happens to have the root's ids.
    if [[ ! -f "$STAMP" ]]; then
        for u in munge slurm; do
            if id -u "$u" >/dev/null 2>&1 && ! in_root getent passwd "$u" >/dev/null &&
                ! in_root getent passwd "$(id -u "$u")" >/dev/null &&
                ! in_root getent group "$(id -gn "$u")" >/dev/null && ! in_root getent group "$(id -g "$u")" >/dev/null; then
                copy_user "$u"
            fi
        done
    fi
}

# bookworm's libmariadb3, unpacked beside trixie's for slurmdbd's LD_LIBRARY_PATH
install_bookworm_libmariadb() {
    local dest="$ROOT$BOOKWORM_LIBMARIADB_DIR" tmp deb
    if ls "$dest"/usr/lib/*/libmariadb.so.3 >/dev/null 2>&1; then return 0; fi
    tmp="$(mktemp -d)"
    (cd "$tmp" && { apt-get download -q libmariadb3 >/dev/null 2>&1 ||
        { apt-get update -q >/dev/null && apt-get download -q libmariadb3 >/dev/null; }; }) ||
        die "apt-get download libmariadb3 (bookworm) failed"
    deb="$(ls "$tmp"/libmariadb3_*.deb)"
    mkdir -p "$dest"
    dpkg-deb -x "$deb" "$dest"
    echo "$(basename "$deb")" >"$dest/FROM"
    rm -rf "$tmp"
}

do_install() {
    local t0=$SECONDS mirror log
    if [[ ! -x "$ROOT/usr/bin/env" ]]; then
        command -v debootstrap >/dev/null 2>&1 || {
            say "installing debootstrap"
            { apt-get install -y -q debootstrap || { apt-get update -q && apt-get install -y -q debootstrap; }; } >/dev/null
        }
        mirror="$(apt_mirror)"
        # into a side directory, moved into place only when complete
        [[ ! -e "$ROOT.partial" ]] || remove_tree "$ROOT.partial"
        mkdir -p "$(dirname "$ROOT")"
        log="$(mktemp)"
        say "debootstrap --variant=minbase trixie $ROOT from $mirror"
        if ! debootstrap --variant=minbase trixie "$ROOT.partial" "$mirror" >"$log" 2>&1; then
            tail -n 20 "$log" >&2
            die "debootstrap failed (log: $log)"
        fi
        rm -f "$log"
        mv "$ROOT.partial" "$ROOT"
    fi
    # package scripts must start no daemon (the host runs slurmctld/munged of its own)
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
    chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
    do_mount
    # before the packages: they create system users, which must not take these uids
    copy_users
    if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "recipe=$RECIPE ${TRIXIE_PACKAGES[*]}" ]]; then
        log="$(mktemp)"
        say "apt-get install in $ROOT: ${TRIXIE_PACKAGES[*]}"
        if ! { in_root apt-get update -q && in_root apt-get install -y -q --no-install-recommends "${TRIXIE_PACKAGES[@]}"; } >"$log" 2>&1; then
            tail -n 30 "$log" >&2
            die "apt-get install in $ROOT failed (log: $log)"
        fi
        rm -f "$log"
        in_root apt-get clean
        install_bookworm_libmariadb
        echo "recipe=$RECIPE ${TRIXIE_PACKAGES[*]}" >"$STAMP"
    fi
    install_bookworm_libmariadb
    echo "trixie root ready in $((SECONDS - t0))s: $ROOT ($(in_root dpkg-query -W -f='${Version}' slurmctld 2>/dev/null) Slurm, JupyterHub $(in_root dpkg-query -W -f='${Version}' jupyterhub 2>/dev/null))"
}

do_status() {
    echo "root: $ROOT ($([[ -f "$STAMP" ]] && echo installed || echo 'not installed'))"
    echo "mounted under it:"
    mounts_under "$ROOT" | sort | sed 's/^/  /'
    local procs
    procs="$(procs_in_root | paste -sd, -)"
    if [[ -n "$procs" ]]; then
        echo "processes in it:"
        ps -o pid,user,args -p "$procs" | sed 's/^/  /'
    else
        echo "processes in it: none"
    fi
}

cmd="${1:-}"
shift || true
case "$cmd" in
install) do_install ;;
mount) do_mount ;;
umount | unmount) do_umount ;;
run)
    (($#)) || die "usage: $0 run CMD [ARGS...]"
    do_mount
    exec chroot "$ROOT" "$@"
    ;;
status) do_status ;;
remove)
    do_umount
    remove_tree "$ROOT"
    [[ ! -e "$ROOT.partial" ]] || remove_tree "$ROOT.partial"
    say "removed $ROOT"
    ;;
*) die "usage: $0 install|mount|umount|run CMD...|status|remove" ;;
esac
