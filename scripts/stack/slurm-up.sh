#!/usr/bin/env bash
# Starts a one-node Slurm cluster with slurmrestd on this machine (run as root, after install.sh).
#   STACK_SLURM=22.05 (default): Debian 12's Slurm on this machine: munged, slurmctld, slurmd,
#     slurmrestd (127.0.0.1:6820, JWT auth, openapi v0.0.36-38). Config and state under
#     $STACK_DIR/slurm; logs in $STACK_DIR/*.log; PID files in $STACK_DIR/run.
#   STACK_SLURM=24.11: Debian 13's Slurm 24.11 in the chroot of trixie.sh (installed/mounted first):
#     munged, MariaDB (unix socket only) + slurmdbd (6829), slurmctld (6827), slurmd (6828),
#     slurmrestd (127.0.0.1:6830, JWT, data_parser v0.0.40-42, openapi/slurmctld + slurmdbd).
#     Config, state, PID files (run/) and logs under $STACK_DIR/slurm-24.11. STACK_SLURMDBD=0 runs
#     it without accounting (no MariaDB/slurmdbd; slurmrestd then serves only the /slurm/ paths).
#   Both clusters can run at the same time.
# Idempotent: daemons already running are left alone (restarted only if slurm.conf changed).
# On success prints one summary line. Set STACK_SMOKE=1 to force the slurmrestd smoke job
# even when nothing had to be started, STACK_SMOKE=0 to skip it (e.g. restarting one daemon while
# the node is full, where the smoke job would only queue).
#
# Findings (Slurm 22.05.8, verified with this stack):
#  - slurmctld, slurmd and slurmrestd all accept `-f FILE`; clients (sinfo, squeue, scontrol,
#    sbatch, scancel) need SLURM_CONF=$STACK_DIR/slurm/slurm.conf. For convenience (and for
#    Slurm commands run inside jobs, whose environment is exactly what was submitted) this
#    script also links /etc/slurm/slurm.conf to it unless that path is a regular file.
#  - Listing ALL users' jobs: GET /slurm/v0.0.38/jobs returns every user's jobs with a JWT of
#    ANY user (alice sees bob's jobs), also with `slurm` (SlurmUser) and `root` tokens.
#    PrivateData is not set, so nothing is hidden. The service can use any one identity,
#    e.g. `slurm`; cancelling another user's job needs root/slurm (or that user's) token.
#  - A JWT minted outside Slurm (HS256 over {"exp","iat","sun"} with the key file, see
#    mint-jwt.py) is accepted by slurmrestd exactly like `scontrol token` ones, for any user
#    including root and slurm; the key is all the service needs to act as any user.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

t0_ns=$(date +%s%N)
PATH="$PATH:/usr/sbin:/sbin"
id -u slurmrestd >/dev/null 2>&1 || die "user slurmrestd missing: run scripts/stack/install.sh first"
if [[ "$STACK_SLURM" == 22.05 ]]; then
    for b in munged slurmctld slurmd slurmrestd sinfo scontrol curl; do
        command -v "$b" >/dev/null 2>&1 || die "$b not found: run scripts/stack/install.sh first"
    done
fi
# slurmdbd (accounting, the /slurmdb/ paths of slurmrestd): 24.11 only, on unless STACK_SLURMDBD=0
WITH_DBD=0
if [[ "$STACK_SLURM" == 24.11 && "${STACK_SLURMDBD:-1}" != 0 ]]; then WITH_DBD=1; fi

NODE="$(hostname -s)"
: "${STACK_NODE_CPUS:=2}"

# --- host name must resolve to 127.0.0.1 --------------------------------------------
if [[ "$(getent ahostsv4 "$NODE" | awk 'NR==1{print $1}')" != 127.0.0.1 ]]; then
    echo "127.0.0.1 $NODE" >>/etc/hosts ||
        die "cannot add '127.0.0.1 $NODE' to /etc/hosts"
    [[ "$(getent ahostsv4 "$NODE" | awk 'NR==1{print $1}')" == 127.0.0.1 ]] ||
        die "host name $NODE does not resolve to 127.0.0.1 even after editing /etc/hosts"
fi

# --- the trixie root (24.11): installed once, mounted (which copies /etc/hosts into it) -------
if [[ "$STACK_SLURM" == 24.11 ]]; then
    out="$("$STACK_SCRIPTS_DIR/trixie.sh" install)" || die "trixie.sh install failed"
    say "$out"
fi

# --- directories (owners as the cluster's own system names them) -----------------------------
install -d -m 0755 "$STACK_DIR" "$STACK_RUN" "$SLURM_DIR" "$SLURM_RUN" "$SLURM_LOGS"
slurm_exec install -d -m 0700 -o slurm -g slurm "$SLURM_DIR/state"
install -d -m 0755 "$SLURM_DIR/spool"
slurm_exec install -d -m 0700 -o munge -g munge "$SLURM_DIR/munge"

# --- keys ----------------------------------------------------------------------------
# JWT key: 32 random bytes, generated once and kept (tokens stay valid across restarts).
if [[ ! -s "$SLURM_JWT_KEY" ]]; then
    (umask 077 && head -c 32 /dev/urandom >"$SLURM_JWT_KEY.tmp")
    mv "$SLURM_JWT_KEY.tmp" "$SLURM_JWT_KEY"
fi
slurm_exec chown slurm:slurm "$SLURM_JWT_KEY"
chmod 0600 "$SLURM_JWT_KEY"

# the munge key of the cluster's own system (/etc/munge here, or in the chroot)
MUNGE_KEY=/etc/munge/munge.key
if ! slurm_exec test -s "$MUNGE_KEY"; then
    slurm_exec install -d -m 0700 -o munge -g munge /etc/munge
    slurm_exec sh -c "umask 077 && head -c 128 /dev/urandom >$MUNGE_KEY"
    slurm_exec chown munge:munge "$MUNGE_KEY"
    slurm_exec chmod 0600 "$MUNGE_KEY"
fi

# --- slurm.conf ------------------------------------------------------------------------
read_hw() { # field from `slurmd -C`
    sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$HW" | head -n1
}
HW="$(slurm_exec slurmd -C 2>/dev/null | head -n1)" || true
[[ -n "$HW" ]] || die "slurmd -C printed nothing"
hw_cpus="$(read_hw CPUs)"
hw_mem="$(read_hw RealMemory)"
[[ -n "$hw_cpus" && -n "$hw_mem" ]] || die "cannot parse 'slurmd -C': $HW"
if ((hw_cpus > STACK_NODE_CPUS)); then
    # Bigger machine: offer only STACK_NODE_CPUS cores so tests see the same node everywhere.
    NODE_HW="CPUs=$STACK_NODE_CPUS Boards=1 SocketsPerBoard=1 CoresPerSocket=$STACK_NODE_CPUS ThreadsPerCore=1"
else
    NODE_HW="CPUs=$hw_cpus Boards=$(read_hw Boards) SocketsPerBoard=$(read_hw SocketsPerBoard) CoresPerSocket=$(read_hw CoresPerSocket) ThreadsPerCore=$(read_hw ThreadsPerCore)"
fi
# RealMemory must stay below what slurmd measures, else the node drains ("Low RealMemory").
node_mem=$((hw_mem * 9 / 10))

# What differs between the two clusters.
if [[ "$STACK_SLURM" == 24.11 ]]; then
    CLUSTER_NAME=localstack2411
else
    CLUSTER_NAME=localstack
fi
if ((WITH_DBD)); then
    ACCOUNTING="AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=${SLURMDBD_PORT}"
else
    ACCOUNTING="AccountingStorageType=accounting_storage/none"
fi

conf_new="$(mktemp)"
cat >"$conf_new" <<EOF
# Generated by scripts/stack/slurm-up.sh -- edits are overwritten.
ClusterName=${CLUSTER_NAME}
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=slurm
SlurmctldPort=${SLURMCTLD_PORT}
SlurmdPort=${SLURMD_PORT}
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
MailProg=/bin/true
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=${SLURM_JWT_KEY}
StateSaveLocation=${SLURM_DIR}/state
SlurmdSpoolDir=${SLURM_DIR}/spool
# the daemons' own PID files; the scripts use the ones in ${SLURM_RUN}
SlurmctldPidFile=${SLURM_DIR}/slurmctld.pid
SlurmdPidFile=${SLURM_DIR}/slurmd.pid
# no cgroups on these machines
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
${ACCOUNTING}
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=300
SlurmctldDebug=info
SlurmdDebug=info
NodeName=${NODE} NodeAddr=127.0.0.1 ${NODE_HW} RealMemory=${node_mem} State=UNKNOWN
PartitionName=${SLURM_PARTITION} Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
EOF
conf_changed=0
if ! cmp -s "$conf_new" "$SLURM_CONF"; then
    conf_changed=1
    install -m 0644 "$conf_new" "$SLURM_CONF"
fi
rm -f "$conf_new"
if [[ "$STACK_SLURM" == 24.11 ]]; then
    # no cgroups in a chroot (24.11 reads cgroup.conf even with proctrack/linuxproc)
    printf '# Generated by scripts/stack/slurm-up.sh\nCgroupPlugin=disabled\n' >"$SLURM_DIR/cgroup.conf"
fi
if ((WITH_DBD)); then
    # slurmdbd reads slurmdbd.conf beside SLURM_CONF; it must be 0600 and owned by SlurmUser
    dbd_new="$(mktemp)"
    cat >"$dbd_new" <<EOF
# Generated by scripts/stack/slurm-up.sh -- edits are overwritten.
AuthType=auth/munge
AuthAltTypes=auth/jwt
AuthAltParameters=jwt_key=${SLURM_JWT_KEY}
DbdHost=${NODE}
DbdAddr=127.0.0.1
DbdPort=${SLURMDBD_PORT}
SlurmUser=slurm
PidFile=${SLURM_DIR}/slurmdbd.pid
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StorageLoc=slurm_acct_db
EOF
    if ! cmp -s "$dbd_new" "$SLURM_DIR/slurmdbd.conf"; then
        conf_changed=1
        install -m 0600 "$dbd_new" "$SLURM_DIR/slurmdbd.conf"
    fi
    rm -f "$dbd_new"
    slurm_exec chown slurm:slurm "$SLURM_DIR/slurmdbd.conf"
fi
# Let plain `sinfo` etc. (and Slurm commands inside jobs) find the config without SLURM_CONF.
link_dir=/etc/slurm
if [[ "$STACK_SLURM" == 24.11 ]]; then link_dir="$TRIXIE_ROOT/etc/slurm"; fi
if [[ -L "$link_dir/slurm.conf" || ! -e "$link_dir/slurm.conf" ]]; then
    install -d -m 0755 "$link_dir"
    ln -sfn "$SLURM_CONF" "$link_dir/slurm.conf"
fi

# Config changed while daemons run (e.g. STACK_DIR moved, hardware differs): restart Slurm.
if ((conf_changed)); then
    stop_by_pidfile slurmrestd "$SLURM_RUN/slurmrestd.pid"
    stop_by_pidfile slurmd "$SLURM_RUN/slurmd.pid" 30
    stop_by_pidfile slurmctld "$SLURM_RUN/slurmctld.pid" 30
    stop_by_pidfile slurmdbd "$SLURM_RUN/slurmdbd.pid" 30
fi

started=()

# --- munged ------------------------------------------------------------------------------
munge_ok() { slurm_exec sh -c 'munge -n 2>/dev/null | unmunge >/dev/null 2>&1'; }
if ! pid_alive "$SLURM_RUN/munged.pid" munged && munge_ok; then
    say "a munged not started by us is already answering; using it"
else
    if ! pid_alive "$SLURM_RUN/munged.pid" munged; then
        slurm_exec install -d -m 0755 -o munge -g munge /run/munge
        slurm_exec chown munge:munge "$MUNGE_KEY"
        slurm_exec chmod 0600 "$MUNGE_KEY"
        start_daemon munged "$SLURM_RUN/munged.pid" "$SLURM_LOGS/munged.log" \
            "${SLURM_EXEC[@]}" setpriv --reuid=munge --regid=munge --init-groups \
            munged --foreground --pid-file="$SLURM_DIR/munge/munged.pid"
        started+=(munged)
    fi
    for _ in $(seq 1 100); do
        munge_ok && break
        sleep 0.1
    done
    munge_ok || die "munged does not answer (log: $SLURM_LOGS/munged.log)"
fi

# --- MariaDB and slurmdbd (24.11) ----------------------------------------------------------
if ((!WITH_DBD)); then
    # STACK_SLURMDBD=0 after a run with it: slurm.conf no longer names slurmdbd
    stop_by_pidfile slurmdbd "$SLURM_RUN/slurmdbd.pid" 30
    stop_by_pidfile mariadbd "$SLURM_RUN/mariadbd.pid" 60
else
    DB_DIR="$SLURM_DIR/mysql"
    DB_SOCK="$DB_DIR/mysqld.sock"
    if [[ ! -d "$DB_DIR/mysql" ]]; then
        slurm_exec install -d -m 0750 -o mysql -g mysql "$DB_DIR"
        slurm_exec mariadb-install-db --no-defaults --user=mysql --datadir="$DB_DIR" \
            --auth-root-authentication-method=socket --skip-test-db >>"$SLURM_LOGS/mariadb.log" 2>&1 ||
            die "mariadb-install-db failed (log: $SLURM_LOGS/mariadb.log)"
    fi
    chmod 0755 "$DB_DIR" # slurmdbd (as slurm) reaches the socket in it; the data stay mysql's
    if ! pid_alive "$SLURM_RUN/mariadbd.pid" mariadbd; then
        start_daemon mariadbd "$SLURM_RUN/mariadbd.pid" "$SLURM_LOGS/mariadb.log" \
            "${SLURM_EXEC[@]}" mariadbd --no-defaults --user=mysql --datadir="$DB_DIR" --socket="$DB_SOCK" \
            --skip-networking --pid-file="$DB_DIR/mariadbd.pid" --innodb-buffer-pool-size=64M
        started+=(mariadbd)
    fi
    for _ in $(seq 1 300); do
        slurm_exec mariadb --no-defaults -S "$DB_SOCK" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
    # slurmdbd (as SlurmUser slurm) logs in through the socket as its Unix user: no password
    slurm_exec mariadb --no-defaults -S "$DB_SOCK" -u root -e \
        "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED VIA unix_socket;
         GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';" >>"$SLURM_LOGS/mariadb.log" 2>&1 ||
        die "MariaDB does not answer on $DB_SOCK (log: $SLURM_LOGS/mariadb.log)"
    if ! pid_alive "$SLURM_RUN/slurmdbd.pid" slurmdbd; then
        port_in_use 127.0.0.1 "$SLURMDBD_PORT" &&
            die "port $SLURMDBD_PORT is in use but not by our slurmdbd (stale daemon? check ps)"
        # trixie's MariaDB client library 11.8 breaks slurmdbd 24.11 at start: bookworm's (trixie.sh)
        libmariadb="$(ls "$TRIXIE_ROOT"/opt/hpcspawner/bookworm-libmariadb/usr/lib/*/libmariadb.so.3)" ||
            die "bookworm's libmariadb.so.3 is missing in $TRIXIE_ROOT: run scripts/stack/trixie.sh install"
        libdir="$(dirname "${libmariadb#"$TRIXIE_ROOT"}")"
        start_daemon slurmdbd "$SLURM_RUN/slurmdbd.pid" "$SLURM_LOGS/slurmdbd.log" \
            "${SLURM_EXEC[@]}" env LD_LIBRARY_PATH="$libdir" MYSQL_UNIX_PORT="$DB_SOCK" slurmdbd -D
        started+=(slurmdbd)
    fi
    wait_for_port 127.0.0.1 "$SLURMDBD_PORT" 60 ||
        die "slurmdbd does not listen on $SLURMDBD_PORT (log: $SLURM_LOGS/slurmdbd.log)"
fi

# --- slurmctld, slurmd, slurmrestd -----------------------------------------------------------
if ! pid_alive "$SLURM_RUN/slurmctld.pid" slurmctld; then
    port_in_use 127.0.0.1 "$SLURMCTLD_PORT" &&
        die "port $SLURMCTLD_PORT is in use but not by our slurmctld (stale daemon? check ps)"
    start_daemon slurmctld "$SLURM_RUN/slurmctld.pid" "$SLURM_LOGS/slurmctld.log" \
        "${SLURM_EXEC[@]}" slurmctld -D -f "$SLURM_CONF"
    started+=(slurmctld)
fi
wait_for_port 127.0.0.1 "$SLURMCTLD_PORT" 60 ||
    die "slurmctld does not listen on $SLURMCTLD_PORT (log: $SLURM_LOGS/slurmctld.log)"

if ! pid_alive "$SLURM_RUN/slurmd.pid" slurmd; then
    port_in_use 127.0.0.1 "$SLURMD_PORT" &&
        die "port $SLURMD_PORT is in use but not by our slurmd (stale daemon? check ps)"
    start_daemon slurmd "$SLURM_RUN/slurmd.pid" "$SLURM_LOGS/slurmd.log" \
        "${SLURM_EXEC[@]}" slurmd -D -f "$SLURM_CONF"
    started+=(slurmd)
fi
wait_for_port 127.0.0.1 "$SLURMD_PORT" 60 ||
    die "slurmd does not listen on $SLURMD_PORT (log: $SLURM_LOGS/slurmd.log)"

if ! pid_alive "$SLURM_RUN/slurmrestd.pid" slurmrestd; then
    port_in_use "$STACK_HOST" "$SLURMRESTD_PORT" &&
        die "port $SLURMRESTD_PORT is in use but not by our slurmrestd (stale daemon? check ps)"
    # Refuses to run as root/SlurmUser: drops to slurmrestd. Without slurmdbd it must be
    # limited to the non-db OpenAPI plugins or it exits at start. Needs SLURM_JWT=daemon.
    if [[ "$STACK_SLURM" == 24.11 ]]; then
        plugins=(-d data_parser/v0.0.40,data_parser/v0.0.41,data_parser/v0.0.42)
        if ((WITH_DBD)); then plugins+=(-s openapi/slurmctld,openapi/slurmdbd); else plugins+=(-s openapi/slurmctld); fi
    else
        plugins=(-s openapi/v0.0.36,openapi/v0.0.37,openapi/v0.0.38)
    fi
    start_daemon slurmrestd "$SLURM_RUN/slurmrestd.pid" "$SLURM_LOGS/slurmrestd.log" \
        "${SLURM_EXEC[@]}" env SLURM_JWT=daemon slurmrestd -f "$SLURM_CONF" -a rest_auth/jwt "${plugins[@]}" \
        -u slurmrestd -g slurmrestd "$STACK_HOST:$SLURMRESTD_PORT"
    started+=(slurmrestd)
fi
wait_for_port "$STACK_HOST" "$SLURMRESTD_PORT" 30 ||
    die "slurmrestd does not listen on $STACK_HOST:$SLURMRESTD_PORT (log: $SLURM_LOGS/slurmrestd.log)"

# --- node up ---------------------------------------------------------------------------------
resumed=0
state=""
deadline=$((SECONDS + 90))
while ((SECONDS < deadline)); do
    state="$(slurm_exec sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -n1 || true)"
    case "$state" in
    idle | mixed | allocated | completing) break ;;
    *drain* | down | fail*)
        if ((resumed == 0)); then
            slurm_exec scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true
            resumed=1
        fi
        ;;
    esac
    sleep 0.2
done
case "$state" in
idle | mixed | allocated | completing) ;;
*)
    reason="$(slurm_exec sinfo -h -N -n "$NODE" -o %E 2>/dev/null || true)"
    die "node $NODE is '${state:-unknown}' (reason: ${reason:-none}); logs: $SLURM_LOGS/slurmctld.log $SLURM_LOGS/slurmd.log"
    ;;
esac

# --- smoke test through slurmrestd as alice ------------------------------------------------------
smoke="skipped (already running; STACK_SMOKE=1 forces it)"
if [[ "${STACK_SMOKE:-}" == 0 ]]; then
    smoke="skipped (STACK_SMOKE=0)"
elif ((${#started[@]})) || ((conf_changed)) || [[ "${STACK_SMOKE:-0}" == 1 ]]; then
    token="$(slurm_token alice 600)"
    # slurmrestd answers before slurmctld accepts RPCs: retry ping briefly.
    for _ in $(seq 1 100); do
        ping="$(slurm_rest GET /ping alice "$token" 2>/dev/null || true)"
        [[ "$(json_get 'len(d.get("errors", ["x"]))' <<<"$ping" 2>/dev/null || true)" == 0 ]] && break
        sleep 0.1
    done
    if [[ "$SLURM_API_VERSION" == v0.0.38 ]]; then
        env_json='{"PATH": "/usr/bin:/bin"}' time_limit=1
    else # v0.0.40+: a list of K=V strings; numbers that may be unset are {set, infinite, number}
        env_json='["PATH=/usr/bin:/bin"]' time_limit='{"set": true, "infinite": false, "number": 1}'
    fi
    body='{"script": "#!/bin/bash\nexit 0\n", "job": {"name": "stack-smoke", "partition": "'"$SLURM_PARTITION"'",
      "current_working_directory": "/tmp", "environment": '"$env_json"',
      "standard_output": "/dev/null", "time_limit": '"$time_limit"', "tasks": 1, "cpus_per_task": 1}}'
    resp="$(slurm_rest POST /job/submit alice "$token" "$body")" ||
        die "slurmrestd submit failed (log: $SLURM_LOGS/slurmrestd.log)"
    job_id="$(json_get 'd.get("job_id") or ""' <<<"$resp" 2>/dev/null || true)"
    [[ -n "$job_id" ]] || die "slurmrestd submit as alice failed: $resp"
    js=""
    deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        # a string up to v0.0.38, a list of flags (["RUNNING", "COMPLETING"]) from v0.0.40 on
        js="$(slurm_rest GET "/job/$job_id" alice "$token" |
            json_get '(lambda s: s if isinstance(s, str) else ",".join(s))(d["jobs"][0]["job_state"])' 2>/dev/null || true)"
        case "$js" in
        COMPLETED) break ;;
        FAILED | CANCELLED | TIMEOUT | NODE_FAIL | BOOT_FAIL | OUT_OF_MEMORY | DEADLINE)
            die "smoke job $job_id ended $js (logs: $SLURM_LOGS/slurmd.log $SLURM_LOGS/slurmctld.log)"
            ;;
        esac
        sleep 0.1
    done
    [[ "$js" == COMPLETED ]] || die "smoke job $job_id not completed within 60s (state: ${js:-unknown})"
    smoke="smoke job $job_id as alice COMPLETED"
    if ((WITH_DBD)); then
        # the accounting side of slurmrestd (slurmdbd through its /slurmdb/ paths)
        dbd="$(curl -sS --max-time 30 -H "X-SLURM-USER-NAME: alice" -H "X-SLURM-USER-TOKEN: $token" \
            "$SLURMRESTD_URL/slurmdb/$SLURM_API_VERSION/clusters")" || die "slurmrestd /slurmdb/ failed"
        clusters="$(json_get '",".join(c["name"] for c in d["clusters"]) if not d.get("errors") else "ERROR " + json.dumps(d["errors"])' <<<"$dbd" 2>/dev/null || true)"
        [[ "$clusters" == *"$CLUSTER_NAME"* ]] ||
            die "slurmdbd through slurmrestd does not list cluster $CLUSTER_NAME: ${clusters:-$dbd} (log: $SLURM_LOGS/slurmdbd.log)"
        smoke+=", slurmdbd lists cluster $CLUSTER_NAME"
    fi
fi

elapsed_ms=$((($(date +%s%N) - t0_ns) / 1000000))
echo "slurm $STACK_SLURM up in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000)))s: node $NODE $state ($(slurm_exec sinfo -h -N -n "$NODE" -o %c) CPUs), partition $SLURM_PARTITION, slurmrestd $SLURMRESTD_URL ($SLURM_API_VERSION), $smoke; SLURM_CONF=$SLURM_CONF, logs in $SLURM_LOGS"
