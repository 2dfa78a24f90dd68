#!/usr/bin/env bash
# Stops the FirecREST simulator started by firecrest-up.sh (its running jobs are cancelled).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
stop_by_pidfile FirecrestSimulator "$STACK_RUN/firecrest.pid" 30
