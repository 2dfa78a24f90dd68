#!/usr/bin/python3
"""The floor under the spawn latency: Slurm + a Jupyter server, with no hub and no hpcspawner.

Submits N (default 10) jobs straight to slurmrestd, each starting jupyter_server (python3 -m jupyter_server) on a
free port (the way the notes' smoke test does), and measures submit -> first HTTP 200 from
the server's /api. Compare its median with spawn_latency.py's "hub POST -> proxy 200": the
difference is what the hub, the plugin and the service add together.

Usage: /usr/bin/python3 scripts/bench/slurm_baseline.py [RUNS]     (the local stack must be up)
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STACK_DIR = os.environ.get("STACK_DIR", "/tmp/hpcspawner-stack")
API = "http://127.0.0.1:6820/slurm/v0.0.38"
USER = "alice"


def token():
    return subprocess.check_output(
        ["/usr/bin/python3", str(REPO / "scripts/stack/mint-jwt.py"), USER, "600"],
        env={**os.environ, "STACK_DIR": STACK_DIR}, text=True).strip()


def call(method, path, body=None):
    req = urllib.request.Request(API + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"X-SLURM-USER-NAME": USER, "X-SLURM-USER-TOKEN": TOKEN,
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def one(i):
    portfile = f"/home/{USER}/.bench-port-{os.getpid()}-{i}"
    script = ("#!/bin/bash\n"
              "PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); "
              "print(s.getsockname()[1])')\n"
              f"echo $PORT > {portfile}\n"
              "exec /usr/bin/python3 -m jupyter_server --ip=127.0.0.1 --port=$PORT --no-browser "
              "--ServerApp.token=bench --ServerApp.root_dir=$HOME\n")
    job = {"name": "bench-baseline", "partition": "debug", "current_working_directory": f"/home/{USER}",
           "environment": {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": f"/home/{USER}", "LANG": "C.UTF-8"},
           "standard_output": f"/home/{USER}/.bench-baseline.log", "time_limit": 5, "tasks": 1, "cpus_per_task": 1}
    t0 = time.monotonic()
    job_id = call("POST", "/job/submit", {"script": script, "job": job})["job_id"]
    try:
        deadline = t0 + 60
        while time.monotonic() < deadline:
            try:
                port = Path(portfile).read_text().strip()
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - t0, job_id
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise SystemExit(f"job {job_id}: the server did not answer within 60 s")
    finally:
        call("DELETE", f"/job/{job_id}")
        Path(portfile).unlink(missing_ok=True)
        time.sleep(1)  # let the job leave the node before the next run


TOKEN = token()

if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    times = []
    for i in range(runs):
        dt, job_id = one(i)
        times.append(dt)
        print(f"run {i + 1}/{runs} (job {job_id}): submit -> server 200 {dt:.2f}s", flush=True)
    print(f"\nslurmrestd submit -> jupyter-server 200: median {statistics.median(times):.2f}s, "
          f"min {min(times):.2f}s, max {max(times):.2f}s, n {runs}")
