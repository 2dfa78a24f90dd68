#!/usr/bin/env bash
# Stops the hpcspawner service. With --kill it is killed with SIGKILL (kill -9), as a crash would.
# HPCSPAWNER_INSTANCE=b stops the second instance started with the same variable (service-up.sh).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SERVICE_PID="$STACK_RUN/service${HPCSPAWNER_INSTANCE:+-$HPCSPAWNER_INSTANCE}.pid"
if [[ "${1:-}" == "--kill" ]]; then
    pid="$(pid_of "$SERVICE_PID")"
    if proc_alive "$pid" quarkus-run.jar; then
        kill -KILL "$pid"
        while proc_alive "$pid" quarkus-run.jar; do sleep 0.05; done
        say "hpcspawner service killed (pid $pid)"
    fi
    rm -f "$SERVICE_PID"
else
    stop_by_pidfile quarkus-run.jar "$SERVICE_PID" 20
fi
