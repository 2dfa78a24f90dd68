#!/usr/bin/env bash
# All the tests, in the order a failure is cheapest to find:
#   1. the service: unit, Quarkus and architecture tests, then the packaged-jar tests (./mvnw verify);
#      also the chart's tests and the Dockerfile and version-pin checks (DockerfilesTest, VersionPinsTest)
#   2. the container images: scripts/images.sh all builds the four images with buildah from local
#      Debian stand-in bases and smoke-tests each (about 5 minutes the first time on a machine,
#      under a minute once the stand-in bases are cached; dockerfiles/README.md)
#   3. the hub plugin: pytest against an in-process fake of the service API
#      and the uenv recipe's offline checks (pytest uenv/tests)
#   4. the end-to-end suite against the real local stack (Slurm 22.05 + slurmrestd v0.0.38 +
#      JupyterHub 3.0 + configurable-http-proxy + the service), installed and started by scripts/e2e.sh
#   5. the same suite against Slurm 24.11 (slurmrestd v0.0.42) and JupyterHub 5.2.1, both from
#      Debian 13 in the chroot of scripts/stack/trixie.sh, created here when missing (about 2-5
#      minutes; seconds when done)
#   6. the chaos suite on the 22.05 stack (scripts/chaos.py, about 13 minutes; sizes from
#      CHAOS_CREATES, CHAOS_KILLS, CHAOS_OUTAGE_SECONDS, see docs/resilience.md)
# Run as root on Debian 12 (the end-to-end suite creates Unix users and starts Slurm).
# Skip the images with SKIP_IMAGES=1, the end-to-end and chaos parts with SKIP_E2E=1, only the
# Slurm 24.11 run with SKIP_SLURM_2411=1, only the chaos suite with SKIP_CHAOS=1. The Slurm 22.05
# run uses JupyterHub 3.0, the Slurm 24.11 run JupyterHub 5.2.1 (E2E_2411_HUB_VERSION=3.0 runs it
# under 3.0 instead).
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
skipped() { summary+=("$(printf '== %-32s skipped (%s)' "$1:" "$2")"); }
print_summary() {
    echo "== summary"
    printf '%s\n' "${summary[@]}"
}
trap print_summary EXIT

# The Debian packages first: the plugin's pytest needs them, so does the chart test that loads
# the rendered jupyterhub_config.py with traitlets (HubConfigTest, in ./mvnw verify), and so do
# the images (buildah, podman, debootstrap, jq).
if ! /usr/bin/python3 -c 'import jupyterhub, pytest' 2>/dev/null || ! command -v buildah >/dev/null 2>&1; then
    scripts/stack/install.sh
fi

echo "== 1/6 service: ./mvnw verify"
./mvnw -B -ntp verify
status=$?
record "1/6 service (./mvnw verify)" "$status"
if [[ "$status" != 0 && ! -f target/quarkus-app/quarkus-run.jar ]]; then
    exit "$status"
fi

# After the build: the service image copies target/quarkus-app, and the hub smoke test loads the
# chart's rendered configuration that ./mvnw verify wrote to target/chart-rendered/.
if [[ "${SKIP_IMAGES:-0}" == 1 ]]; then
    skipped "2/6 images" SKIP_IMAGES=1
else
    echo "== 2/6 images: scripts/images.sh all"
    images_out="$(mktemp)"
    scripts/images.sh all 2>&1 | tee "$images_out"
    status=${PIPESTATUS[0]}
    record "2/6 images" "$status" "$(grep -o 'images: [0-9]* images built.*\|images: FAILED: .*' "$images_out" | tail -n1 | sed 's/^images: //')"
    rm -f "$images_out"
fi

echo "== 3/6 hub plugin: pytest src/test/python"
/usr/bin/python3 -m pytest -q -p no:cacheprovider src/test/python
record "3/6 hub plugin (pytest)" "$?"
# The uenv recipe's offline checks (uenv/README.md#tests), under a second to run.
/usr/bin/python3 -m pytest -q -p no:cacheprovider uenv/tests
record "3/6 uenv recipe (pytest)" "$?"

if [[ "${SKIP_E2E:-0}" == 1 ]]; then
    skipped "4/6 end-to-end, Slurm 22.05" SKIP_E2E=1
    skipped "5/6 end-to-end, Slurm 24.11" SKIP_E2E=1
    skipped "6/6 chaos" SKIP_E2E=1
    exit "$failed"
fi
# run_e2e NAME [VAR=VALUE...]: scripts/e2e.sh with that environment; its last line
# ("e2e (Slurm 22.05, JupyterHub 3.0.0): 60 passed in 300.1s") is the summary's detail.
run_e2e() {
    local name="$1" out status
    shift
    out="$(mktemp)"
    env "$@" scripts/e2e.sh 2>&1 | tee "$out"
    status=${PIPESTATUS[0]}
    record "$name" "$status" "$(grep '^e2e (Slurm' "$out" | tail -n1 || echo "e2e ($*): no summary line")"
    rm -f "$out"
}
echo "== 4/6 end-to-end suite against the real local stack, Slurm 22.05: scripts/e2e.sh"
t0=$SECONDS
run_e2e "4/6 end-to-end, Slurm 22.05" STACK_SLURM=22.05 STACK_HUB_VERSION=3.0
e2e_2205_s=$((SECONDS - t0))

if [[ "${SKIP_SLURM_2411:-0}" == 1 ]]; then
    skipped "5/6 end-to-end, Slurm 24.11" SKIP_SLURM_2411=1
else
    echo "== 5/6 end-to-end suite against Slurm 24.11 (trixie chroot): STACK_SLURM=24.11 scripts/e2e.sh"
    t0=$SECONDS
    if ! scripts/stack/trixie.sh install; then
        record "5/6 end-to-end, Slurm 24.11" 1 "scripts/stack/trixie.sh install failed"
    else
        chroot_s=$((SECONDS - t0))
        t0=$SECONDS
        run_e2e "5/6 end-to-end, Slurm 24.11" STACK_SLURM=24.11 \
            STACK_HUB_VERSION="${E2E_2411_HUB_VERSION:-5.2}"
        summary[-1]+=" [chroot ${chroot_s}s, suite $((SECONDS - t0))s; 22.05 suite ${e2e_2205_s}s]"
    fi
fi

if [[ "${SKIP_CHAOS:-0}" == 1 ]]; then
    skipped "6/6 chaos" SKIP_CHAOS=1
    exit "$failed"
fi
echo "== 6/6 chaos suite on the real local stack (Slurm 22.05): scripts/chaos.py"
chaos_out="$(mktemp)"
STACK_SLURM=22.05 /usr/bin/python3 scripts/chaos.py | tee "$chaos_out"
status=${PIPESTATUS[0]}
record "6/6 chaos (scripts/chaos.py)" "$status" "$(grep '^chaos' "$chaos_out" | tail -n1)"
rm -f "$chaos_out"
exit "$failed"
