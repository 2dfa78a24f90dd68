#!/usr/bin/env bash
# Stops the local Slurm stack started by slurm-up.sh (run as root): the cluster STACK_SLURM selects
# (22.05 by default, 24.11 for the one in the trixie chroot; the other one keeps running).
# Cancels every job, then stops slurmrestd, slurmd, slurmctld, (24.11) slurmdbd and MariaDB, and
# munged, by the PID files slurm-up.sh wrote (never by name: both clusters run the same programs).
# Config, JWT key and slurmctld state (job id counter) stay in $STACK_DIR for the next slurm-up.sh.
# The trixie root stays mounted (trixie.sh umount unmounts it). STACK_KEEP_MUNGE=1 leaves munged running.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root
PATH="$PATH:/usr/sbin:/sbin"

# --- cancel all jobs (only possible while slurmctld is up) -------------------------------------
if pid_alive "$SLURM_RUN/slurmctld.pid" slurmctld && [[ -f "$SLURM_CONF" ]]; then
    mapfile -t jobs < <(slurm_exec squeue -h -o %i 2>/dev/null || true)
    if ((${#jobs[@]})); then
        slurm_exec scancel "${jobs[@]}" 2>/dev/null || true
        # Wait for the steps to end so no user process outlives slurmd.
        deadline=$((SECONDS + 60))
        while ((SECONDS < deadline)); do
            left="$(slurm_exec squeue -h -t all -o '%i %T' 2>/dev/null | grep -cE ' (PENDING|RUNNING|SUSPENDED|COMPLETING|CONFIGURING|STOPPED|SIGNALING|REQUEUED|RESIZING)$' || true)"
            [[ "$left" == 0 ]] && break
            sleep 0.2
        done
        [[ "${left:-0}" == 0 ]] || echo "WARNING: $left job(s) still not finished after 60s" >&2
    fi
fi

# --- stop daemons, reverse start order ----------------------------------------------------------
stop_by_pidfile slurmrestd "$SLURM_RUN/slurmrestd.pid"
stop_by_pidfile slurmd "$SLURM_RUN/slurmd.pid" 30
stop_by_pidfile slurmctld "$SLURM_RUN/slurmctld.pid" 30
stop_by_pidfile slurmdbd "$SLURM_RUN/slurmdbd.pid" 30
stop_by_pidfile mariadbd "$SLURM_RUN/mariadbd.pid" 60
if [[ "${STACK_KEEP_MUNGE:-0}" != 1 ]]; then
    stop_by_pidfile munged "$SLURM_RUN/munged.pid"
fi
say "slurm-down.sh ($STACK_SLURM): done"
