#!/usr/bin/env bash
# Starts the FirecREST v2 simulator of the end-to-end suite on 127.0.0.1:$FIRECREST_SIM_PORT (8280):
# WireMock answering for the system "daint" from a simulated cluster that runs each submitted
# batch script on this machine as its user (runuser), checking every bearer token against the
# Keycloak started by keycloak-up.sh and validating every exchange against the official
# FirecREST 2.5.6 OpenAPI document. GET /__sim/stats reports calls, refused tokens and spec
# violations. (src/test/java/io/hpcspawner/scheduler/firecrest/FirecrestSimulator.java)
# Needs root, the compiled tests (./mvnw package -DskipTests) and Keycloak. Idempotent.
# Log: $STACK_DIR/firecrest.log.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

SIM_DIR="$STACK_DIR/firecrest"
CLASSPATH_FILE="$SIM_DIR/classpath"
TEST_CLASSES="$REPO_DIR/target/test-classes"
[[ -f "$TEST_CLASSES/io/hpcspawner/scheduler/firecrest/FirecrestSimulator.class" ]] ||
    die "the simulator is not compiled ($TEST_CLASSES): run ./mvnw package -DskipTests"
install -d -m 0755 "$SIM_DIR"

if [[ ! -s "$CLASSPATH_FILE" || "$REPO_DIR/pom.xml" -nt "$CLASSPATH_FILE" ]]; then
    say "resolving the simulator's class path (./mvnw dependency:build-classpath)"
    (cd "$REPO_DIR" && ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$CLASSPATH_FILE.tmp") || die "could not resolve the test class path"
    mv "$CLASSPATH_FILE.tmp" "$CLASSPATH_FILE"
fi

# A simulator older than the compiled classes runs old code: restart it.
if [[ -f "$STACK_RUN/firecrest.pid" && "$TEST_CLASSES/io/hpcspawner/scheduler/firecrest/FirecrestSimulator.class" -nt "$STACK_RUN/firecrest.pid" ]]; then
    stop_by_pidfile FirecrestSimulator "$STACK_RUN/firecrest.pid" 20
fi
if ! pid_alive "$STACK_RUN/firecrest.pid" FirecrestSimulator; then
    port_in_use "$STACK_HOST" "$FIRECREST_SIM_PORT" && die "port $FIRECREST_SIM_PORT is in use but not by the simulator"
    # the class path goes through the environment, so the log's "starting" line stays short
    CLASSPATH="$REPO_DIR/target/classes:$TEST_CLASSES:$(cat "$CLASSPATH_FILE")" \
        start_daemon FirecrestSimulator "$STACK_RUN/firecrest.pid" "$STACK_DIR/firecrest.log" java -Xmx192m \
        io.hpcspawner.scheduler.firecrest.FirecrestSimulator "$FIRECREST_SIM_PORT" daint "$KEYCLOAK_ISSUER" \
        hpcspawner-service "$SIM_DIR"
fi
wait_for_port "$STACK_HOST" "$FIRECREST_SIM_PORT" 60 ||
    die "the FirecREST simulator is not listening on $FIRECREST_SIM_PORT (log: $STACK_DIR/firecrest.log)"
say "FirecREST simulator ready at $FIRECREST_SIM_URL (system daint; log: $STACK_DIR/firecrest.log)"
