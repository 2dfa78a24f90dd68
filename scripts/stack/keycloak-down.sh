#!/usr/bin/env bash
# Stops the Keycloak started by keycloak-up.sh (by its PID file). The dev database (users'
# sessions are in memory and end; the realm stays) and the unpacked distribution are kept.
#   --wipe: also delete the dev database, so the next keycloak-up.sh imports the realm afresh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYCLOAK_VERSION=26.7.3
KC_HOME="$STACK_DIR/keycloak/keycloak-$KEYCLOAK_VERSION"

wipe=0
for arg in "$@"; do
    case "$arg" in
    --wipe) wipe=1 ;;
    -h | --help)
        sed -n '2,4p' "$0"
        exit 0
        ;;
    *) die "unknown argument: $arg (usage: keycloak-down.sh [--wipe])" ;;
    esac
done

stop_by_pidfile "keycloak-$KEYCLOAK_VERSION" "$STACK_RUN/keycloak.pid" 30
if [[ "$wipe" == 1 ]]; then
    rm -rf "$KC_HOME/data/h2" "$KC_HOME/data/import"
fi
say "keycloak-down.sh: done"
