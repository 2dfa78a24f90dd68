# shellcheck shell=bash
# shellcheck disable=SC2034 # variables used by the scripts that source this file
# Common settings and helpers for the local HPC test stack scripts.
# Sourced by the other scripts in this folder; not meant to be run directly.
#
# Everything the stack writes lives under STACK_DIR (never in the repository).
# Every value below can be overridden from the environment.

STACK_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$STACK_SCRIPTS_DIR/../.." && pwd)"

: "${STACK_DIR:=/tmp/hpcspawner-stack}"
export STACK_DIR
# STACK_DIR holds PID files (the scripts kill what they name), Slurm's JWT key, the hub's secrets
# and the service's store: on a shared /tmp another user must not own it or plant it as a link.
if [[ -L "$STACK_DIR" ]] || { [[ -e "$STACK_DIR" ]] && [[ "$(stat -c %u "$STACK_DIR")" != "$(id -u)" ]]; }; then
    echo "ERROR: $STACK_DIR is a symbolic link or not owned by $(id -un): remove it or set STACK_DIR to a directory of yours" >&2
    exit 1
fi
mkdir -p -m 0755 "$STACK_DIR"

# Interpreter with the Debian modules (a pyenv python3 may be earlier on PATH).
: "${STACK_PYTHON:=/usr/bin/python3}"

# --- which Slurm cluster: STACK_SLURM=22.05 (default, Debian 12 on this machine) or 24.11 ----------
# (Debian 13 in the chroot of trixie.sh). Both can run at the same time, each on its own ports,
# with its own munged, config, state, PID files and logs; the hub and the service stay single.
: "${STACK_SLURM:=22.05}"
case "$STACK_SLURM" in
22.05 | 24.11) ;;
*)
    echo "ERROR: STACK_SLURM must be 22.05 or 24.11, got '$STACK_SLURM'" >&2
    exit 1
    ;;
esac
export STACK_SLURM

# The Debian 13 (trixie) root of the Slurm 24.11 cluster (trixie.sh). Never under STACK_DIR (people
# rm -rf that) nor under /tmp or /home (bind-mounted into it).
: "${TRIXIE_ROOT:=/var/lib/hpcspawner/trixie}"
export TRIXIE_ROOT

# --- ports (all on 127.0.0.1) ---------------------------------------------
: "${STACK_HOST:=127.0.0.1}"
if [[ "$STACK_SLURM" == 24.11 ]]; then
    # Own variables, so that the 22.05 ports a parent script exported never leak into this cluster.
    : "${SLURM2411_CTLD_PORT:=6827}" "${SLURM2411_SLURMD_PORT:=6828}" "${SLURM2411_DBD_PORT:=6829}" "${SLURM2411_RESTD_PORT:=6830}"
    SLURMCTLD_PORT="$SLURM2411_CTLD_PORT"
    SLURMD_PORT="$SLURM2411_SLURMD_PORT"
    SLURMDBD_PORT="$SLURM2411_DBD_PORT"
    SLURMRESTD_PORT="$SLURM2411_RESTD_PORT"
else
    : "${SLURMRESTD_PORT:=6820}"  # slurmrestd
    : "${SLURMCTLD_PORT:=6817}"   # slurmctld
    : "${SLURMD_PORT:=6818}"      # slurmd
fi
: "${PROXY_PORT:=8000}"           # configurable-http-proxy, public side
: "${PROXY_API_PORT:=8001}"       # configurable-http-proxy, REST API
: "${HUB_PORT:=8081}"             # JupyterHub hub (API + pages behind the proxy)
: "${SPAWNER_SERVICE_PORT:=8090}" # the Quarkus spawner service (not started here)
: "${SPAWNER_MANAGEMENT_PORT:=9000}" # its management interface: health, metrics, OpenAPI
: "${FIRECREST_SIM_PORT:=8280}"   # the FirecREST simulator (firecrest-up.sh)
: "${KEYCLOAK_PORT:=8180}"        # Keycloak (keycloak-up.sh)
export STACK_HOST SLURMRESTD_PORT PROXY_PORT PROXY_API_PORT HUB_PORT SPAWNER_SERVICE_PORT SPAWNER_MANAGEMENT_PORT FIRECREST_SIM_PORT KEYCLOAK_PORT

SLURMRESTD_URL="http://${STACK_HOST}:${SLURMRESTD_PORT}"
FIRECREST_SIM_URL="http://${STACK_HOST}:${FIRECREST_SIM_PORT}"
KEYCLOAK_ISSUER="http://${STACK_HOST}:${KEYCLOAK_PORT}/realms/hpcspawner"
KEYCLOAK_REALM_FILE="$REPO_DIR/src/test/resources/keycloak/hpcspawner-realm.json"
# The slurmrestd API version the scripts' own checks (smoke job) speak.
if [[ "$STACK_SLURM" == 24.11 ]]; then SLURM_API_VERSION=v0.0.42; else SLURM_API_VERSION=v0.0.38; fi
SLURM_API="${SLURMRESTD_URL}/slurm/${SLURM_API_VERSION}"

# --- layout ------------------------------------------------------------------
STACK_RUN="$STACK_DIR/run"          # PID files (hub, proxy, service, ...)
if [[ "$STACK_SLURM" == 24.11 ]]; then
    SLURM_DIR="$STACK_DIR/slurm-24.11" # slurm.conf, JWT key, state, spool, MariaDB
    SLURM_RUN="$SLURM_DIR/run"         # the cluster's PID files
    SLURM_LOGS="$SLURM_DIR"            # its logs
else
    SLURM_DIR="$STACK_DIR/slurm"
    SLURM_RUN="$STACK_RUN"
    SLURM_LOGS="$STACK_DIR"
fi
SLURM_JWT_KEY="$SLURM_DIR/jwt_hs256.key"
STACK_HUB="$STACK_DIR/hub"          # hub DB, cookie secret, tokens
STACK_NODE_PREFIX="$STACK_DIR/node" # npm prefix for configurable-http-proxy
CHP_BIN="$STACK_NODE_PREFIX/node_modules/.bin/configurable-http-proxy"
# The stack's own config file. /etc/slurm/slurm.conf is only a link to it (made by slurm-up.sh),
# so a SLURM_CONF naming that link would make the link point at itself: ignore it.
if [[ "${SLURM_CONF:-}" == /etc/slurm/slurm.conf ]]; then unset SLURM_CONF; fi
if [[ "$STACK_SLURM" == 24.11 ]]; then
    SLURM_CONF="$SLURM_DIR/slurm.conf" # the same path inside the chroot (STACK_DIR is under /tmp)
else
    : "${SLURM_CONF:=$SLURM_DIR/slurm.conf}"
fi
export SLURM_CONF SLURM_JWT_KEY

# Test users created by install.sh.
STACK_TEST_USERS=(alice bob carol)
SLURM_PARTITION=debug

# --- helpers -------------------------------------------------------------------
die() {
    echo "ERROR: $*" >&2
    exit 1
}

# Printed only with STACK_VERBOSE=1 (scripts are quiet on success).
say() {
    if [[ "${STACK_VERBOSE:-0}" == 1 ]]; then echo "$*" >&2; fi
    return 0
}

require_root() {
    [[ "$(id -u)" == 0 ]] || die "$(basename "$0") must run as root"
}

# proc_alive PID [NAME]: true if PID is a live (non-zombie) process and, when NAME is
# given, its command line contains NAME (guards against PID reuse).
proc_alive() {
    local pid="$1" name="${2:-}" state
    [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
    state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ -n "$state" && "$state" != Z ]] || return 1
    if [[ -n "$name" ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$name" || return 1
    fi
    return 0
}

# pid_of PIDFILE: the PID recorded in PIDFILE (empty if none).
pid_of() {
    head -n1 "$1" 2>/dev/null | tr -dc '0-9' || true
}

# pid_alive PIDFILE [NAME]: true if PIDFILE names a live process (see proc_alive).
pid_alive() {
    proc_alive "$(pid_of "$1")" "${2:-}"
}

# listening HOST PORT: true if something listens on HOST:PORT. Uses `ss` when present
# (a test connection makes slurmctld/slurmd log "Zero Bytes were transmitted" errors).
listening() {
    local host="$1" port="$2"
    if command -v ss >/dev/null 2>&1; then
        ss -Hltn "sport = :$port" 2>/dev/null |
            awk -v h="$host" -v p="$port" '$4 == h":"p || $4 == "[::ffff:"h"]:"p || $4 == "0.0.0.0:"p || $4 == "*:"p || $4 == "[::]:"p {f=1} END {exit !f}'
    else
        (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
    fi
}

# wait_for_port HOST PORT [TIMEOUT_SECONDS]: wait until HOST:PORT accepts connections.
wait_for_port() {
    local host="$1" port="$2" timeout="${3:-30}" deadline
    deadline=$((SECONDS + timeout))
    while ((SECONDS < deadline)); do
        listening "$host" "$port" && return 0
        sleep 0.1
    done
    return 1
}

# port_in_use HOST PORT
port_in_use() {
    listening "$1" "$2"
}

# new_secret FILE: print FILE's content, creating it (0600, 32 random bytes hex) if missing.
new_secret() {
    if [[ ! -s "$1" ]]; then
        (umask 077 && "$STACK_PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >"$1.tmp")
        mv "$1.tmp" "$1"
    fi
    chmod 0600 "$1"
    tr -d '\n' <"$1"
}

# realm_client_secret CLIENT_ID: the (test-only) secret of a client in the stack's Keycloak realm file.
realm_client_secret() {
    "$STACK_PYTHON" -c 'import json, sys
realm = json.load(open(sys.argv[1]))
print(next(c["secret"] for c in realm["clients"] if c["clientId"] == sys.argv[2]))' "$KEYCLOAK_REALM_FILE" "$1"
}

# start_daemon NAME PIDFILE LOGFILE CMD [ARGS...]
# Runs CMD in the foreground-mode of the daemon, detached in its own session
# (setsid, so it survives the calling shell), stdout+stderr appended to LOGFILE,
# and records its PID in PIDFILE. Does nothing if PIDFILE names a live NAME process.
# CMD must not fork (use the daemons' foreground flags); `env VAR=x cmd` is fine.
start_daemon() {
    local name="$1" pidfile="$2" logfile="$3" pid
    shift 3
    if pid_alive "$pidfile" "$name"; then
        say "$name already running (pid $(pid_of "$pidfile"))"
        return 0
    fi
    rm -f "$pidfile"
    mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
    echo "=== $(date '+%F %T') starting $name: $*" >>"$logfile"
    # The daemon gets only stdin/stdout/stderr: an inherited descriptor would outlive this script,
    # e.g. the one `flock /tmp/hpcspawner-stack.lock <script>` holds the stack's lock on, which a
    # daemon started under it would keep holding (locking everyone out) until it stops.
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            if ((fd > 2)); then eval "exec $fd>&-"; fi
        done
        exec setsid "$@"
    ) >>"$logfile" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
    sleep 0.2
    if ! pid_alive "$pidfile" "$name"; then
        echo "--- last lines of $logfile:" >&2
        tail -n 20 "$logfile" >&2 || true
        rm -f "$pidfile"
        die "$name exited right after start (log: $logfile)"
    fi
    say "$name started (pid $pid)"
}

# stop_by_pidfile NAME PIDFILE [TIMEOUT_SECONDS]: SIGTERM, wait, then SIGKILL.
stop_by_pidfile() {
    local name="$1" pidfile="$2" timeout="${3:-15}" pid deadline
    pid="$(pid_of "$pidfile")"
    if ! proc_alive "$pid" "$name"; then
        rm -f "$pidfile"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + timeout))
    while proc_alive "$pid" "$name" && ((SECONDS < deadline)); do sleep 0.1; done
    if proc_alive "$pid" "$name"; then
        echo "WARNING: $name (pid $pid) ignored SIGTERM for ${timeout}s, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
    fi
    rm -f "$pidfile"
    say "$name stopped"
}

# slurm_token USER [LIFESPAN]: a JWT for USER minted by slurmctld (needs root or SlurmUser).
slurm_token() {
    local out
    out="$(slurm_exec scontrol token username="$1" lifespan="${2:-3600}" 2>&1)" ||
        die "scontrol token username=$1 failed: $out"
    echo "${out#SLURM_JWT=}"
}

# slurm_rest METHOD PATH USER TOKEN [JSON_BODY]: curl slurmrestd, prints the body,
# fails on transport errors only (slurmrestd reports most errors as HTTP 500 + errors[]).
slurm_rest() {
    local method="$1" path="$2" user="$3" token="$4" body="${5:-}"
    local args=(-sS --max-time 30 -X "$method"
        -H "X-SLURM-USER-NAME: $user" -H "X-SLURM-USER-TOKEN: $token")
    if [[ -n "$body" ]]; then
        args+=(-H "Content-Type: application/json" --data-binary "$body")
    fi
    curl "${args[@]}" "${SLURM_API}${path}"
}

# json_get EXPR: evaluate a Python expression on the JSON document on stdin, bound to `d`.
json_get() {
    "$STACK_PYTHON" -c 'import json,sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
print(v if not isinstance(v, (dict, list)) else json.dumps(v))' "$1"
}

# SLURM_EXEC: the prefix that runs a command where the selected cluster's programs live: nothing
# for 22.05 (this machine), the trixie chroot (trixie.sh) for 24.11, with that cluster's SLURM_CONF.
# An array, so start_daemon can exec it; slurm_exec CMD [ARGS...] runs a command through it.
if [[ "$STACK_SLURM" == 24.11 ]]; then
    SLURM_EXEC=(chroot "$TRIXIE_ROOT" /usr/bin/env SLURM_CONF="$SLURM_CONF"
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
else
    SLURM_EXEC=()
fi
slurm_exec() {
    "${SLURM_EXEC[@]}" "$@"
}
