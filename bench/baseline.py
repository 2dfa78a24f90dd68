"""The baseline: per-server polling as JupyterHub's batch spawners do it today, run against the same stand-ins.

Each server is polled on its own: one status call per server per poll interval (the hub's
``poll()``, e.g. batchspawner's ``squeue``/``GET job/<id>`` per server), plus one call per second
for each server that is still starting (the spawner waiting for its job to run). The poller makes
those calls for one interval against the stand-in, 16 at a time, and the stand-in counts them: the
count is measured, not computed, and the time the calls took says whether one interval is enough to
make them at all.
"""

from bench_paths import FIRECREST_JOB, SLURM_JOB
from client import percentile, run_parallel


def poll_one_interval(standins_url, backend, starts, starting_ids, interval_s, token=None):
    """Polls every job in ``starts`` once, and each of ``starting_ids`` once per second of the interval.

    Returns (calls made, seconds taken, latency p50, latency p99 of the stand-in's answers).
    """
    path = SLURM_JOB if backend == "slurm" else FIRECREST_JOB
    calls = [s["jobId"] for s in starts]
    for job_id in starting_ids:
        calls.extend([job_id] * int(interval_s))
    headers_token = token or "baseline"

    def one(conn, job_id):
        status, _, seconds = conn.call("GET", path.format(id=job_id), token=headers_token)
        return status, seconds

    results, took = run_parallel(standins_url, calls, one, 16)
    latencies = [r[1] for r in results if r[0] == 200]
    return len(calls), took, percentile(latencies, 50), percentile(latencies, 99), len(calls) - len(latencies)
