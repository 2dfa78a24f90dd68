#!/usr/bin/env bash
# Starts configurable-http-proxy (public 127.0.0.1:8000, API 127.0.0.1:8001) and JupyterHub
# (hub 127.0.0.1:8081) with scripts/stack/jupyterhub_config.py (run as root, after install.sh):
# JupyterHub 3.0 from Debian 12 by default; STACK_HUB_VERSION=5.2 runs JupyterHub 5.2.1 from the
# Debian 13 root (scripts/stack/trixie.sh) instead, on the same ports, with its own database.
# The proxy runs separately from the hub (as in production), so `hub-down.sh --keep-proxy`
# followed by hub-up.sh restarts only the hub and the routes to running servers survive.
# Idempotent. Logs: $STACK_DIR/hub.log, $STACK_DIR/proxy.log. Prints one summary line.
#
# Environment: see jupyterhub_config.py (HUB_SPAWNER_CLASS=simple checks the hub without the
# hpcspawner plugin; HPCSPAWNER_URL, HPCSPAWNER_TOKEN, HUB_ADMIN_TOKEN, HUB_DEMO_PASSWORD).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

HUB_CONFIG="$STACK_SCRIPTS_DIR/jupyterhub_config.py"
HUB_URL="http://$STACK_HOST:$HUB_PORT"
PUBLIC_URL="http://$STACK_HOST:$PROXY_PORT"

# The hub's Python: Debian 12's (JupyterHub 3.0) or, with STACK_HUB_VERSION=5.2, Debian 13's in
# the trixie root (JupyterHub 5.2.1). chroot keeps the environment; /tmp (STACK_DIR) and the
# repository are mounted at the same paths inside, so the config and the plugin load unchanged.
: "${STACK_HUB_VERSION:=3.0}"
: "${TRIXIE_ROOT:=/var/lib/hpcspawner/trixie}"
case "$STACK_HUB_VERSION" in
3.0) hub_python=("$STACK_PYTHON") ;;
5.2)
    "$STACK_SCRIPTS_DIR/trixie.sh" mount >/dev/null
    hub_python=(chroot "$TRIXIE_ROOT" /usr/bin/python3)
    ;;
*) die "STACK_HUB_VERSION=$STACK_HUB_VERSION: use 3.0 (Debian 12) or 5.2 (Debian 13 root)" ;;
esac
"${hub_python[@]}" -c 'import jupyterhub' 2>/dev/null ||
    die "JupyterHub $STACK_HUB_VERSION missing for ${hub_python[*]}: run scripts/stack/install.sh"
[[ -x "$CHP_BIN" ]] || die "configurable-http-proxy missing ($CHP_BIN): run scripts/stack/install.sh"

install -d -m 0755 "$STACK_DIR" "$STACK_RUN"
install -d -m 0700 "$STACK_HUB"


admin_src="HUB_ADMIN_TOKEN"
if [[ -z "${HUB_ADMIN_TOKEN:-}" ]]; then
    HUB_ADMIN_TOKEN="$(new_secret "$STACK_DIR/hub-admin-token")"
    admin_src="$STACK_DIR/hub-admin-token"
fi
if [[ -z "${CONFIGPROXY_AUTH_TOKEN:-}" ]]; then
    CONFIGPROXY_AUTH_TOKEN="$(new_secret "$STACK_HUB/proxy-auth-token")"
fi
if [[ -z "${HPCSPAWNER_TOKEN:-}" && -s "$STACK_DIR/service/hub-token" ]]; then
    HPCSPAWNER_TOKEN="$(cat "$STACK_DIR/service/hub-token")" # written by service-up.sh
    export HPCSPAWNER_TOKEN
fi
export HUB_ADMIN_TOKEN CONFIGPROXY_AUTH_TOKEN

# With HPCSPAWNER_WITH_FIRECREST=1: logins with a Keycloak password keep the user's tokens in
# auth_state (encrypted with JUPYTERHUB_CRYPT_KEY) and the plugin passes them to the service.
hub_mode="dummy"
if [[ "${HPCSPAWNER_WITH_FIRECREST:-0}" == 1 ]]; then
    hub_mode="keycloak"
    JUPYTERHUB_CRYPT_KEY="$(new_secret "$STACK_HUB/crypt-key")"
    HUB_KEYCLOAK_ISSUER="$KEYCLOAK_ISSUER"
    HUB_KEYCLOAK_CLIENT_ID=jupyterhub
    HUB_KEYCLOAK_CLIENT_SECRET="$(realm_client_secret jupyterhub)"
    export JUPYTERHUB_CRYPT_KEY HUB_KEYCLOAK_ISSUER HUB_KEYCLOAK_CLIENT_ID HUB_KEYCLOAK_CLIENT_SECRET
fi
hub_mode="$hub_mode $STACK_HUB_VERSION"
if pid_alive "$STACK_RUN/hub.pid" jupyterhub && [[ "$(cat "$STACK_RUN/hub.mode" 2>/dev/null)" != "$hub_mode" ]]; then
    say "the hub runs with other logins or another version than asked ($hub_mode): restarting it"
    "$STACK_SCRIPTS_DIR/hub-down.sh" --keep-proxy
fi

# --- proxy ---------------------------------------------------------------------------------
if [[ "${HUB_START_PROXY:-0}" != 1 ]]; then
    if ! pid_alive "$STACK_RUN/proxy.pid" configurable-http-proxy; then
        for p in "$PROXY_PORT" "$PROXY_API_PORT"; do
            port_in_use "$STACK_HOST" "$p" && die "port $p is in use but not by our proxy (check ps)"
        done
        # The token reaches the proxy through the exported environment: start_daemon logs the
        # command line, and an `env VAR=...` argument would show it in ps too.
        start_daemon configurable-http-proxy "$STACK_RUN/proxy.pid" "$STACK_DIR/proxy.log" \
            "$CHP_BIN" \
            --ip "$STACK_HOST" --port "$PROXY_PORT" \
            --api-ip "$STACK_HOST" --api-port "$PROXY_API_PORT" \
            --default-target "$HUB_URL" --error-target "$HUB_URL/hub/error" \
            --log-level info
    fi
    wait_for_port "$STACK_HOST" "$PROXY_API_PORT" 30 ||
        die "configurable-http-proxy API not listening on $PROXY_API_PORT (log: $STACK_DIR/proxy.log)"
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
        -H "Authorization: token $CONFIGPROXY_AUTH_TOKEN" "http://$STACK_HOST:$PROXY_API_PORT/api/routes" || true)"
    [[ "$code" == 200 ]] ||
        die "proxy API rejects our token (HTTP $code): a proxy with another CONFIGPROXY_AUTH_TOKEN is running? Stop it with hub-down.sh"
fi

# --- hub -----------------------------------------------------------------------------------
if ! pid_alive "$STACK_RUN/hub.pid" jupyterhub; then
    port_in_use "$STACK_HOST" "$HUB_PORT" && die "port $HUB_PORT is in use but not by our hub (check ps)"
    pypath="$REPO_DIR/src/main/python${PYTHONPATH:+:$PYTHONPATH}"
    cd "$STACK_HUB" # jupyterhub may drop files into its working directory
    start_daemon jupyterhub "$STACK_RUN/hub.pid" "$STACK_DIR/hub.log" \
        env PYTHONPATH="$pypath" STACK_DIR="$STACK_DIR" \
        "${hub_python[@]}" -m jupyterhub -f "$HUB_CONFIG"
    echo "$hub_mode" >"$STACK_RUN/hub.mode"
    cd - >/dev/null
fi

# Ready when the hub API answers through the proxy.
deadline=$((SECONDS + 90))
code=""
while ((SECONDS < deadline)); do
    pid_alive "$STACK_RUN/hub.pid" jupyterhub || {
        tail -n 30 "$STACK_DIR/hub.log" >&2
        die "JupyterHub exited during start (log: $STACK_DIR/hub.log)"
    }
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$PUBLIC_URL/hub/api" || true)"
    [[ "$code" == 200 ]] && break
    sleep 0.2
done
[[ "$code" == 200 ]] || die "hub API not answering at $PUBLIC_URL/hub/api (last HTTP $code; log: $STACK_DIR/hub.log)"

code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    -H "Authorization: token $HUB_ADMIN_TOKEN" "$PUBLIC_URL/hub/api/users" || true)"
[[ "$code" == 200 ]] || die "admin token rejected by $PUBLIC_URL/hub/api/users (HTTP $code; log: $STACK_DIR/hub.log)"

version="$(curl -s --max-time 5 "$PUBLIC_URL/hub/api" | json_get 'd["version"]' 2>/dev/null || echo '?')"
spawner="$(grep -o 'Using Spawner: [^ ]*' "$STACK_DIR/hub.log" | tail -n1 | cut -d' ' -f3 || true)"
echo "hub up: JupyterHub $version at $PUBLIC_URL (hub $HUB_URL, proxy API $STACK_HOST:$PROXY_API_PORT), spawner ${spawner:-?}; admin token from $admin_src; log $STACK_DIR/hub.log"
