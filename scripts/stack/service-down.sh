#!/usr/bin/env bash
# Stops the hpcspawner service. With --kill it is killed with SIGKILL (kill -9), as a crash would.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ "${1:-}" == "--kill" ]]; then
    pid="$(pid_of "$STACK_RUN/service.pid")"
    if proc_alive "$pid" quarkus-run.jar; then
        kill -KILL "$pid"
        while proc_alive "$pid" quarkus-run.jar; do sleep 0.05; done
        say "hpcspawner service killed (pid $pid)"
    fi
    rm -f "$STACK_RUN/service.pid"
else
    stop_by_pidfile quarkus-run.jar "$STACK_RUN/service.pid" 20
fi
