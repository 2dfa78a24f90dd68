#!/usr/bin/env bash
# All the tests, in the order a failure is cheapest to find:
#   1. the service: unit, Quarkus and architecture tests, then the packaged-jar tests (./mvnw verify)
#   2. the hub plugin: pytest against an in-process fake of the service API
#   3. the end-to-end suite against the real local stack (Slurm + slurmrestd + JupyterHub +
#      configurable-http-proxy + the service), installed and started by scripts/e2e.sh
#   4. the chaos suite on the same stack (scripts/chaos.py, about 13 minutes; sizes from
#      CHAOS_CREATES, CHAOS_KILLS, CHAOS_OUTAGE_SECONDS, see docs/resilience.md)
# Run as root on Debian 12 (the end-to-end suite creates Unix users and starts Slurm).
# Skip the end-to-end and chaos parts with SKIP_E2E=1, only the chaos suite with SKIP_CHAOS=1.
# Every suite runs even when an earlier one failed (unless the build itself failed); the last lines
# are one summary line per suite, and the exit status is non-zero when any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."

summary=()
failed=0
# record NAME STATUS DETAIL: one line of the final summary
record() {
    local verdict=PASS
    if [[ "$2" != 0 ]]; then
        verdict="FAIL (exit $2)"
        failed=1
    fi
    summary+=("$(printf '== %-32s %s%s' "$1:" "$verdict" "${3:+ - $3}")")
}
print_summary() {
    echo "== summary"
    printf '%s\n' "${summary[@]}"
}
trap print_summary EXIT

echo "== 1/4 service: ./mvnw verify"
./mvnw -B -ntp verify
status=$?
record "1/4 service (./mvnw verify)" "$status"
if [[ "$status" != 0 && ! -f target/quarkus-app/quarkus-run.jar ]]; then
    exit "$status"
fi

echo "== 2/4 hub plugin: pytest src/test/python"
if ! /usr/bin/python3 -c 'import jupyterhub, pytest' 2>/dev/null; then
    scripts/stack/install.sh
fi
/usr/bin/python3 -m pytest -q -p no:cacheprovider src/test/python
record "2/4 hub plugin (pytest)" "$?"

if [[ "${SKIP_E2E:-0}" == 1 ]]; then
    summary+=("== 3/4 end-to-end:                skipped (SKIP_E2E=1)" "== 4/4 chaos:                     skipped (SKIP_E2E=1)")
    exit "$failed"
fi
echo "== 3/4 end-to-end suite against the real local stack: scripts/e2e.sh"
scripts/e2e.sh
record "3/4 end-to-end (scripts/e2e.sh)" "$?"

if [[ "${SKIP_CHAOS:-0}" == 1 ]]; then
    summary+=("== 4/4 chaos:                     skipped (SKIP_CHAOS=1)")
    exit "$failed"
fi
echo "== 4/4 chaos suite on the real local stack: scripts/chaos.py"
chaos_out="$(mktemp)"
/usr/bin/python3 scripts/chaos.py | tee "$chaos_out"
status=${PIPESTATUS[0]}
record "4/4 chaos (scripts/chaos.py)" "$status" "$(grep '^chaos' "$chaos_out" | tail -n1)"
rm -f "$chaos_out"
exit "$failed"
