#!/usr/bin/env bash
# End-to-end tests of hpcspawner against a real local stack (run as root on Debian 12):
# Slurm + slurmrestd, the hpcspawner service (target/quarkus-app) and JupyterHub with the
# hpcspawner.HPCSpawner plugin behind configurable-http-proxy, plus Keycloak (users' logins and
# the service account) and the FirecREST simulator for the FirecREST path (see
# scripts/stack/README.md).
#
#   scripts/e2e.sh                 bring up what is missing, run src/test/e2e, exit with pytest's status
#   scripts/e2e.sh -k queued -x    extra arguments go to pytest
#   E2E_TEARDOWN=1 scripts/e2e.sh  stop hub, proxy, service and Slurm at the end (default: leave them running)
#   STACK_SLURM=24.11 scripts/e2e.sh   against Slurm 24.11 (Debian 13, in the chroot of
#                                  scripts/stack/trixie.sh, created when missing: ~2 min) instead of 22.05;
#                                  the service is pointed at it (and restarted) by service-up.sh
# The last line is one summary: "e2e (Slurm 22.05, JupyterHub 3.0.0): 60 passed, 1 skipped in 312.4s".
#
# Works from a clean clone on a fresh machine (installs packages, a JDK if there is none, builds
# the service) and when run again (every step is idempotent). The jar is rebuilt when it is missing
# or older than src/main or pom.xml; a running service older than the jar, and a running hub older
# than the plugin (src/main/python) or its config, are restarted. Logs: $STACK_DIR/*.log.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="$REPO_DIR/scripts/stack"
export STACK_DIR="${STACK_DIR:-/tmp/hpcspawner-stack}"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
# slurm-up.sh writes the config to $SLURM_CONF and links /etc/slurm/slurm.conf to it: pointing
# SLURM_CONF at that link would make it a link to itself. The link is all the clients need.
if [[ "${SLURM_CONF:-}" == /etc/slurm/slurm.conf ]]; then unset SLURM_CONF; fi
PY=/usr/bin/python3
JAR="$REPO_DIR/target/quarkus-app/quarkus-run.jar"
RUN="$STACK_DIR/run"

t_start=$SECONDS
log() { echo "e2e [$((SECONDS - t_start))s]: $*" >&2; }
die() {
    echo "e2e: ERROR: $*" >&2
    exit 2
}

[[ "$(id -u)" == 0 ]] || die "run as root (the stack starts Slurm daemons and runs jobs as alice/bob/carol)"
cd "$REPO_DIR"

# shellcheck disable=SC2317 # invoked by the EXIT trap
teardown() {
    local status=$?
    log "E2E_TEARDOWN=1: stopping hub, proxy, service and Slurm"
    "$STACK/hub-down.sh" || true
    "$STACK/service-down.sh" || true
    "$STACK/firecrest-down.sh" || true
    "$STACK/keycloak-down.sh" || true
    "$STACK/slurm-down.sh" || true
    exit "$status"
}
if [[ "${E2E_TEARDOWN:-0}" == 1 ]]; then
    trap teardown EXIT
fi

# --- packages and users (idempotent, fast when all is there) ---------------------------------------
log "install.sh (packages, configurable-http-proxy, users)"
"$STACK/install.sh"

# A JDK (17+) for ./mvnw; install.sh does not install one.
java_major() {
    javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p'
}
if ! command -v javac >/dev/null 2>&1 || [[ "$(java_major)" -lt 17 ]]; then
    log "installing openjdk-17-jdk-headless"
    apt_log="$(mktemp)"
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        openjdk-17-jdk-headless; } >"$apt_log" 2>&1; then
        tail -n 30 "$apt_log" >&2
        die "apt-get install openjdk-17-jdk-headless failed (log: $apt_log)"
    fi
    rm -f "$apt_log"
fi

# --- Slurm --------------------------------------------------------------------------------------------
log "slurm-up.sh"
"$STACK/slurm-up.sh"

# --- the service --------------------------------------------------------------------------------------
stale_src=""
if [[ -f "$JAR" ]]; then
    stale_src="$(find src/main src/test/java pom.xml -path src/main/python -prune -o -type f -newer "$JAR" -print -quit)"
fi
if [[ ! -f "$JAR" || -n "$stale_src" ]]; then
    if [[ -n "$stale_src" ]]; then
        log "building the service ($stale_src is newer than the jar)"
    else
        log "building the service (no jar yet)"
    fi
    [[ -x ./mvnw ]] || chmod +x ./mvnw
    ./mvnw -q -B package -DskipTests || die "the build failed (./mvnw -q package -DskipTests)"
    [[ -f "$JAR" ]] || die "the build did not produce $JAR"
fi
# A service started from an older jar keeps running the old code: restart it.
if [[ -f "$RUN/service.pid" && "$JAR" -nt "$RUN/service.pid" ]]; then
    log "the jar is newer than the running service: restarting it"
    "$STACK/service-down.sh"
fi
# --- Keycloak and the FirecREST simulator (the FirecREST path) -------------------------------------
export HPCSPAWNER_WITH_FIRECREST=1
log "keycloak-up.sh"
"$STACK/keycloak-up.sh"
log "firecrest-up.sh"
"$STACK/firecrest-up.sh"

log "service-up.sh"
"$STACK/service-up.sh"

# --- the hub ------------------------------------------------------------------------------------------
if [[ -f "$RUN/hub.pid" ]]; then
    newer="$(find src/main/python "$STACK/jupyterhub_config.py" "$STACK_DIR/service/hub-token" \
        -type f \( -name '*.py' -o -name hub-token \) -newer "$RUN/hub.pid" -print -quit 2>/dev/null || true)"
    if [[ -n "$newer" ]]; then
        log "$newer is newer than the running hub: restarting the hub (the proxy stays)"
        "$STACK/hub-down.sh" --keep-proxy
    fi
fi
log "hub-up.sh"
"$STACK/hub-up.sh" >&2

# --- the tests ----------------------------------------------------------------------------------------
log "running the end-to-end tests"
# Where each log of the stack stands now: the secret-hygiene test sweeps what this run wrote.
"$PY" - "$STACK_DIR" >"$RUN/e2e-log-offsets.json" <<'PYEOF'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1])
print(json.dumps({str(p): p.stat().st_size for p in root.rglob("*.log") if p.is_file()}))
PYEOF
set +e
pytest_out="$(mktemp)"
"$PY" -m pytest src/test/e2e -v "$@" 2>&1 | tee "$pytest_out"
status=${PIPESTATUS[0]}
set -e
log "pytest exited with status $status"
hub_version="$(curl -fsS --max-time 5 "http://${STACK_HOST:-127.0.0.1}:${PROXY_PORT:-8000}/hub/api" |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["version"])' 2>/dev/null || echo unknown)"
# pytest's last line, e.g. "===== 60 passed, 1 skipped in 312.40s (0:05:12) ====="
result="$(grep -E '^=+ .* in [0-9.]+s' "$pytest_out" | tail -n1 | sed -E 's/^=+ //; s/ =+$//')"
rm -f "$pytest_out"
echo "e2e (Slurm ${STACK_SLURM:-22.05}, JupyterHub $hub_version): ${result:-no result (pytest status $status)}"
exit "$status"
