#!/usr/bin/env bash
# Stops JupyterHub and the configurable-http-proxy started by hub-up.sh (by PID files).
# Single-user servers are NOT stopped (c.JupyterHub.cleanup_servers = False); the hub DB stays,
# so the next hub-up.sh adopts them.
#   --keep-proxy (or HUB_KEEP_PROXY=1): stop only the hub; the proxy keeps its routes, so
#   users' servers stay reachable while the hub restarts.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

keep_proxy="${HUB_KEEP_PROXY:-0}"
for arg in "$@"; do
    case "$arg" in
    --keep-proxy) keep_proxy=1 ;;
    -h | --help)
        sed -n '2,7p' "$0"
        exit 0
        ;;
    *) die "unknown argument: $arg (usage: hub-down.sh [--keep-proxy])" ;;
    esac
done

stop_by_pidfile jupyterhub "$STACK_RUN/hub.pid" 30
if [[ "$keep_proxy" != 1 ]]; then
    stop_by_pidfile configurable-http-proxy "$STACK_RUN/proxy.pid"
fi
say "hub-down.sh: done"
