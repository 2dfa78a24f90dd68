#!/usr/bin/env bash
# Starts Keycloak 26.7.3 in dev mode on 127.0.0.1:8180 (management/health 127.0.0.1:9180) with
# the realm src/test/resources/keycloak/hpcspawner-realm.json (realm "hpcspawner"; issuer
# http://127.0.0.1:8180/realms/hpcspawner). Root is not needed.
# Idempotent: fetches the distribution from Maven Central once (./mvnw dependency:copy, 176 MB)
# and unpacks it once under $STACK_DIR/keycloak; a running Keycloak whose realm file is
# unchanged is left alone. When the realm file changed, Keycloak is restarted on a fresh
# database so the new realm is imported (--import-realm never updates an existing realm).
# Log: $STACK_DIR/keycloak.log, PID file: $STACK_DIR/run/keycloak.pid. Prints one summary line.
#
# Environment: KEYCLOAK_PORT (8180), KEYCLOAK_MANAGEMENT_PORT (9180), KEYCLOAK_JAVA_HOME (the
# JDK that runs Keycloak; default: `java` on PATH, 17 works), KEYCLOAK_START_TIMEOUT (180 s).
# Admin console: user admin, password in $STACK_DIR/keycloak/admin-password (master realm).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYCLOAK_VERSION=26.7.3
: "${KEYCLOAK_PORT:=8180}"
: "${KEYCLOAK_MANAGEMENT_PORT:=9180}"
: "${KEYCLOAK_START_TIMEOUT:=180}"
KC_DIR="$STACK_DIR/keycloak"
KC_HOME="$KC_DIR/keycloak-$KEYCLOAK_VERSION"
KC_TARBALL="$KC_DIR/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
KC_PIDFILE="$STACK_RUN/keycloak.pid"
KC_LOG="$STACK_DIR/keycloak.log"
REALM_SRC="$REPO_DIR/src/test/resources/keycloak/hpcspawner-realm.json"
REALM_DST="$KC_HOME/data/import/hpcspawner-realm.json"
KC_URL="http://$STACK_HOST:$KEYCLOAK_PORT"
ISSUER="$KC_URL/realms/hpcspawner"
# The process name checked against /proc (guards against PID reuse): kc.sh and the JVM both carry it.
KC_NAME="keycloak-$KEYCLOAK_VERSION"
started=$SECONDS

[[ -s "$REALM_SRC" ]] || die "realm file missing: $REALM_SRC"
install -d -m 0755 "$STACK_DIR" "$STACK_RUN" "$KC_DIR"

healthy() {
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://$STACK_HOST:$KEYCLOAK_MANAGEMENT_PORT/health/ready" || true)" == 200 ]] &&
        [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$ISSUER/.well-known/openid-configuration" || true)" == 200 ]]
}

# --- fetch and unpack once -------------------------------------------------------------------
if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
    if [[ ! -s "$KC_TARBALL" ]]; then
        say "fetching keycloak-quarkus-dist $KEYCLOAK_VERSION from Maven"
        tmp="$(mktemp -d "$KC_DIR/fetch.XXXXXX")"
        (cd "$REPO_DIR" && ./mvnw -q dependency:copy \
            -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" -DoutputDirectory="$tmp") ||
            die "could not fetch org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz"
        mv "$tmp/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" "$KC_TARBALL"
        rmdir "$tmp"
    fi
    say "unpacking $KC_TARBALL"
    tmp="$(mktemp -d "$KC_DIR/unpack.XXXXXX")"
    tar -xzf "$KC_TARBALL" -C "$tmp" || die "cannot unpack $KC_TARBALL"
    rm -rf "$KC_HOME"
    mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$KC_HOME"
    rmdir "$tmp"
fi

# --- realm: a changed realm file means a fresh database ------------------------------------
if ! cmp -s "$REALM_SRC" "$REALM_DST"; then
    if pid_alive "$KC_PIDFILE" "$KC_NAME"; then
        say "realm file changed: restarting Keycloak on a fresh database"
        stop_by_pidfile keycloak "$KC_PIDFILE" 30
    fi
    rm -rf "$KC_HOME/data/h2" "$KC_DIR/db-ready"
    install -d -m 0755 "$KC_HOME/data/import"
    cp "$REALM_SRC" "$REALM_DST.tmp"
    mv "$REALM_DST.tmp" "$REALM_DST"
fi

# --- start ---------------------------------------------------------------------------------
if pid_alive "$KC_PIDFILE" "$KC_NAME" && healthy; then
    echo "keycloak up (already running, pid $(pid_of "$KC_PIDFILE")): issuer $ISSUER, health http://$STACK_HOST:$KEYCLOAK_MANAGEMENT_PORT/health; log $KC_LOG"
    exit 0
fi
if ! pid_alive "$KC_PIDFILE" "$KC_NAME"; then
    for p in "$KEYCLOAK_PORT" "$KEYCLOAK_MANAGEMENT_PORT"; do
        port_in_use "$STACK_HOST" "$p" && die "port $p is in use but not by our Keycloak (check ps)"
    done
    if [[ ! -s "$KC_DIR/admin-password" ]]; then
        (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$KC_DIR/admin-password")
    fi
    if [[ -d "$KC_HOME/data/h2" && ! -e "$KC_DIR/db-ready" ]]; then
        # A first start was cut off while it created the schema: that database never starts again.
        say "Keycloak's database was never completely created: starting on a fresh one"
        rm -rf "$KC_HOME/data/h2"
    fi
    if [[ -n "${KEYCLOAK_JAVA_HOME:-}" ]]; then export JAVA_HOME="$KEYCLOAK_JAVA_HOME"; fi
    # Exported, not passed as arguments: start_daemon logs the command line.
    KC_BOOTSTRAP_ADMIN_PASSWORD="$(cat "$KC_DIR/admin-password")"
    export KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m"
    start_daemon "$KC_NAME" "$KC_PIDFILE" "$KC_LOG" \
        "$KC_HOME/bin/kc.sh" start-dev \
        --http-host="$STACK_HOST" --http-port="$KEYCLOAK_PORT" --hostname="$KC_URL" \
        --http-management-port="$KEYCLOAK_MANAGEMENT_PORT" --health-enabled=true --import-realm
fi

deadline=$((SECONDS + KEYCLOAK_START_TIMEOUT))
until healthy; do
    pid_alive "$KC_PIDFILE" "$KC_NAME" || {
        tail -n 30 "$KC_LOG" >&2
        die "Keycloak exited during start (log: $KC_LOG)"
    }
    ((SECONDS < deadline)) || die "Keycloak not ready after ${KEYCLOAK_START_TIMEOUT}s (log: $KC_LOG)"
    sleep 0.3
done
touch "$KC_DIR/db-ready"
echo "keycloak up in $((SECONDS - started)) s (pid $(pid_of "$KC_PIDFILE")): issuer $ISSUER, health http://$STACK_HOST:$KEYCLOAK_MANAGEMENT_PORT/health; admin password in $KC_DIR/admin-password; log $KC_LOG"
