#!/usr/bin/python3
"""Start-up of the service (issue 15): seconds from starting the JVM to /q/health/ready, CPU seconds
spent by then, and resident memory at ready and a few seconds later, with N server records in the
store, for one or more sets of JVM options, the sets taking turns so a busy machine slows each alike.

  bench/startup.py --records 10000 --runs 5
  bench/startup.py --records 10000 --runs 5 --opts= --opts=-XX:TieredStopAtLevel=1

Each run starts from a copy of the same store (the watcher of a run may change records). The service
runs as bench/service.py runs it (-Xmx256m plus service.JAVA_OPTS, unless --opts is given), against
the stand-ins. Numbers are medians over the runs; on a shared machine compare sets of one invocation.
"""

import argparse
import json
import secrets
import shlex
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import service as svc  # noqa: E402


def write_records(store, n, standins_url, deployment="bench0"):
    """``n`` running servers' records as the file store writes them (one JSON file per server), and
    their jobs, running, in the stand-ins' listing: the watcher finds every server where it left it."""
    store.mkdir(parents=True, exist_ok=True)
    (store / "deployment.identity").write_text(json.dumps({"id": deployment, "createdAt": "2026-12-01T08:00:00Z"}))
    jobs = []
    t = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)

    def at(seconds):
        return (t + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    for i in range(n):
        user, server = f"user{i // 4:05d}", f"s{i % 4}"
        sid = secrets.token_hex(6)
        states = ["submitting", "queued", "starting", "running"]
        record = {
            "id": sid, "user": user, "server": server, "startId": secrets.token_hex(8),
            "secretHash": secrets.token_hex(32), "system": "local", "profile": "small",
            "options": {"profile": "small"}, "unixUser": user, "jobName": f"hpcsp-{deployment}-{sid}",
            "jobId": str(100000 + i), "outputPath": f"/home/{user}/.hpcspawner/{sid}.out", "state": "running",
            "node": f"nid{i % 1000:05d}", "host": f"nid{i % 1000:05d}", "port": 50000 + i % 10000,
            "url": f"http://nid{i % 1000:05d}:{50000 + i % 10000}/user/{user}/{server}/",
            "message": "Server ready", "pendingReason": None, "expectedStart": None, "queuePosition": None,
            "exitCode": None, "createdAt": at(i), "startDeadline": at(i + 600), "updatedAt": at(i + 30),
            "unknownSince": None, "missingSince": None,
            "transitions": [{"state": s, "at": at(i + k * 10)} for k, s in enumerate(states)],
            "events": [{"id": k + 1, "progress": p, "message": m, "state": s, "at": at(i + k * 10)}
                       for k, (p, m, s) in enumerate([(10, "Submitting the job", "submitting"),
                                                      (30, "Waiting in the queue", "queued"),
                                                      (60, "Job started, waiting for the server", "starting")])]
                      + [{"id": 4, "progress": 100, "message": "Server ready", "state": "running", "ready": True,
                          "url": f"http://nid{i % 1000:05d}:{50000 + i % 10000}/user/{user}/{server}/",
                          "at": at(i + 30)}],
        }
        name = (user + "\n" + server).encode().hex() + ".json"
        (store / name).write_text(json.dumps(record))
        jobs.append({"jobId": record["jobId"], "name": record["jobName"], "user": user, "node": record["node"],
                     "serverId": sid})
    req = urllib.request.Request(standins_url + "/_bench/jobs", data=json.dumps(jobs).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=60).read()


def one_start(sv, store_template, settle):
    shutil.rmtree(sv.dir / "store", ignore_errors=True)
    if store_template is not None:
        shutil.copytree(store_template, sv.dir / "store")
    t0 = sv.start()
    ready = time.monotonic() - t0
    cpu, rss_ready = sv.cpu_seconds(), sv.rss_mb()
    time.sleep(settle)
    rss_later = sv.rss_mb()
    sv.stop()
    return {"ready_s": ready, "cpu_s": cpu, "rss_ready_mb": rss_ready, "rss_later_mb": rss_later}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=10000, help="server records in the store (default 10000)")
    ap.add_argument("--runs", type=int, default=5, help="starts per option set (default 5)")
    ap.add_argument("--opts", action="append", help="a set of JVM options besides -Xmx256m (repeatable)")
    ap.add_argument("--settle", type=float, default=5, help="seconds after ready to read RSS again (default 5)")
    ap.add_argument("--jar", type=Path, help=f"the service's jar (default {svc.JAR.relative_to(svc.REPO)})")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, stores)")
    args = ap.parse_args()
    if args.jar:
        svc.JAR = args.jar.resolve()
    sets = args.opts if args.opts else [shlex.join(svc.JAVA_OPTS)]
    work = Path(tempfile.mkdtemp(prefix="hpcspawner-startup-"))
    standins = svc.StandIns(work, 0)
    try:
        template = None
        if args.records:
            template = work / "records"
            write_records(template, args.records, standins.url)
        services = []
        for k, opts in enumerate(sets):
            (work / f"set{k}").mkdir()
            services.append(svc.Service(work / f"set{k}", standins.url, 10, java_opts=shlex.split(opts)))
            services[-1].start()  # the first start creates the deployment identity; not counted
            services[-1].stop()
        results = [[] for _ in sets]
        for _ in range(args.runs):
            for k, sv in enumerate(services):
                results[k].append(one_start(sv, template, args.settle))
        print(f"{args.records} records, {args.runs} runs per set, medians (min-max)")
        for opts, rs in zip(sets, results):
            cells = []
            for key, unit in (("ready_s", "s ready"), ("cpu_s", "s CPU"), ("rss_ready_mb", "MB RSS at ready"),
                              ("rss_later_mb", f"MB RSS +{args.settle:g}s")):
                v = [r[key] for r in rs]
                cells.append(f"{statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) {unit}")
            print(f"  [{opts or '-'}]: " + "; ".join(cells))
    finally:
        standins.stop()
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
