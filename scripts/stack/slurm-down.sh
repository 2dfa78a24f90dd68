#!/usr/bin/env bash
# Stops the local Slurm stack started by slurm-up.sh (run as root):
# cancels every job, then stops slurmrestd, slurmd, slurmctld and munged by their PID files.
# Config, JWT key and slurmctld state (job id counter) stay in $STACK_DIR for the next slurm-up.sh.
# Set STACK_KEEP_MUNGE=1 to leave munged running.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root
PATH="$PATH:/usr/sbin:/sbin"

# --- cancel all jobs (only possible while slurmctld is up) -------------------------------------
if pid_alive "$STACK_RUN/slurmctld.pid" slurmctld && [[ -f "$SLURM_CONF" ]]; then
    mapfile -t jobs < <(squeue -h -o %i 2>/dev/null || true)
    if ((${#jobs[@]})); then
        scancel "${jobs[@]}" 2>/dev/null || true
        # Wait for the steps to end so no user process outlives slurmd.
        deadline=$((SECONDS + 60))
        while ((SECONDS < deadline)); do
            left="$(squeue -h -t all -o '%i %T' 2>/dev/null | grep -cE ' (PENDING|RUNNING|SUSPENDED|COMPLETING|CONFIGURING|STOPPED|SIGNALING|REQUEUED|RESIZING)$' || true)"
            [[ "$left" == 0 ]] && break
            sleep 0.2
        done
        [[ "${left:-0}" == 0 ]] || echo "WARNING: $left job(s) still not finished after 60s" >&2
    fi
fi

# --- stop daemons, reverse start order ----------------------------------------------------------
stop_by_pidfile slurmrestd "$STACK_RUN/slurmrestd.pid"
stop_by_pidfile slurmd "$STACK_RUN/slurmd.pid" 30
stop_by_pidfile slurmctld "$STACK_RUN/slurmctld.pid" 30
if [[ "${STACK_KEEP_MUNGE:-0}" != 1 ]]; then
    stop_by_pidfile munged "$STACK_RUN/munged.pid"
fi
say "slurm-down.sh: done"
