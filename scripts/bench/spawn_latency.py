#!/usr/bin/python3
"""Spawn latency of hpcspawner through JupyterHub (a benchmark that prints numbers; no assertions).

Runs N (default 5) sequential spawns of alice's default server through the hub API against the
running local stack (scripts/e2e.sh or scripts/stack/*-up.sh start it) and prints, per run and as
median/min/max:

  hub POST -> hub ready          the POST until the hub's model says ready
  hub POST -> proxy 200          the POST until GET /user/alice/api first answers 200 through the proxy
  submit (submitting->queued)    the service submits the job to slurmrestd
  schedule (queued->starting)    Slurm starts the job and the service's watcher notices
  server (starting->running)     jupyterhub-singleuser starts and the ready callback arrives
  queued->running                the two above together (the ready callback may arrive before the
                                 watcher saw the job running: then "starting" is skipped and the
                                 two rows above have fewer samples)
  service total                  submitting->running

Usage: /usr/bin/python3 scripts/bench/spawn_latency.py [RUNS] [--profile small]
Stops alice's servers before and after; leaves nothing running.
"""

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src" / "test" / "e2e"))
import e2elib as E  # noqa: E402

import requests  # noqa: E402


def stop_alice(hub, service):
    for name, model in (hub.user("alice").get("servers") or {}).items():
        r = hub.stop("alice", name)
        if r.status_code == 400 and "pending" in r.text:
            service.delete("alice", name)
    E.wait_for(lambda: not (hub.user("alice").get("servers") or {}), 60, "alice's servers to stop")
    E.wait_for(lambda: not E.squeue("alice"), 30, "alice's jobs to end")


def first_200(url, token, t0, stop, out):
    s = requests.Session()
    s.headers["Authorization"] = f"token {token}"
    while not stop.is_set():
        try:
            r = s.get(url, timeout=5, allow_redirects=False)
            if r.status_code == 200:
                out.append(time.monotonic() - t0)
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)


def one_run(hub, service, token, profile):
    url = f"{E.PUBLIC_URL}/user/alice/api"
    stop, got = threading.Event(), []
    t0 = time.monotonic()
    poller = threading.Thread(target=first_200, args=(url, token, t0, stop, got), daemon=True)
    poller.start()
    r = hub.start("alice", "", {"profile": profile})
    if r.status_code == 201:
        hub_ready = time.monotonic() - t0
    elif r.status_code == 202:
        E.wait_for(lambda: (hub.server("alice") or {}).get("ready"), 120, "hub ready", interval=0.05)
        hub_ready = time.monotonic() - t0
    else:
        stop.set()
        raise SystemExit(f"spawn failed: {r.status_code} {r.text}")
    poller.join(60)
    stop.set()
    status = E.wait_for(lambda: (lambda s: s if s and s["state"] == "running" else None)(service.status("alice")),
                        10, "service running")
    t = E.transition_times(status)

    def secs(a, b):  # None when a state was skipped (a ready callback can beat the watcher's
        return (t[b] - t[a]).total_seconds() if a in t and b in t else None  # "starting")
    row = {
        "hub POST -> hub ready": hub_ready,
        "hub POST -> proxy 200": got[0] if got else None,
        "submit (submitting->queued)": secs("submitting", "queued"),
        "schedule (queued->starting)": secs("queued", "starting"),
        "server (starting->running)": secs("starting", "running"),
        "queued->running": secs("queued", "running"),
        "service total (submitting->running)": secs("submitting", "running"),
    }
    stop_alice(hub, service)
    return row, status["jobId"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="?", type=int, default=5)
    ap.add_argument("--profile", default="small")
    args = ap.parse_args()
    hub, service = E.Hub(), E.Service()
    token = hub.user_token("alice")
    stop_alice(hub, service)
    rows = []
    for i in range(args.runs):
        row, job = one_run(hub, service, token, args.profile)
        rows.append(row)
        print(f"run {i + 1}/{args.runs} (job {job}): "
              + ", ".join(f"{k.split(' (')[0]} " + ("-" if v is None else f"{v:.2f}s") for k, v in row.items()),
              flush=True)
    keys = list(rows[0])
    width = max(len(k) for k in keys)
    print()
    print(f"{'metric':<{width}}  {'median':>7}  {'min':>7}  {'max':>7}  {'n':>3}   (seconds)")
    print("-" * (width + 36))
    for k in keys:
        v = [r[k] for r in rows if r[k] is not None]
        if v:
            print(f"{k:<{width}}  {statistics.median(v):7.2f}  {min(v):7.2f}  {max(v):7.2f}  {len(v):3d}")
        else:
            print(f"{k:<{width}}  {'-':>7}  {'-':>7}  {'-':>7}  {0:3d}")


if __name__ == "__main__":
    main()
