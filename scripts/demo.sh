#!/usr/bin/env bash
# The demo: a local HPC stack with JupyterHub in front of it, all on 127.0.0.1.
#   Slurm (slurmctld + slurmd, one node "debug" partition) + slurmrestd   :6820
#   hpcspawner service (this repository)                                 :8090
#     its management interface (health, metrics, OpenAPI)                :9000
#   JupyterHub 3 with the hpcspawner plugin, configurable-http-proxy      :8000
# Installs what is missing (Debian packages, npm), builds the service, starts everything, and
# prints where to log in. Run as root on Debian 12. Stop it all with: scripts/demo.sh stop
set -euo pipefail
cd "$(dirname "$0")/.."
stack=scripts/stack

if [[ "${1:-}" == "stop" ]]; then
    "$stack/hub-down.sh" || true
    "$stack/service-down.sh" || true
    "$stack/slurm-down.sh" || true
    exit 0
fi

"$stack/install.sh"
"$stack/slurm-up.sh"
if [[ ! -f target/quarkus-app/quarkus-run.jar ]] || [[ -n "$(find src/main pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]]; then
    echo "Building the service (first time: a few minutes for downloads)..."
    ./mvnw -q -B package -DskipTests
fi
"$stack/service-up.sh"
"$stack/hub-up.sh"

cat <<MSG

hpcspawner demo is up.
  Open http://127.0.0.1:8000 and log in as alice, bob or carol with password ${HUB_DEMO_PASSWORD:-hpcspawner}.
  Pick a profile and start: the server runs as a Slurm job (watch it with: squeue).
  Service API:  http://127.0.0.1:${SPAWNER_SERVICE_PORT:-8090}/api/v1
  Management:   http://127.0.0.1:${SPAWNER_MANAGEMENT_PORT:-9000}/q/openapi, /q/health, /q/metrics (not on the API port)
  Logs:         ${STACK_DIR:-/tmp/hpcspawner-stack}/{service,hub,slurmctld,slurmrestd}.log
  Stop:         scripts/demo.sh stop
MSG
