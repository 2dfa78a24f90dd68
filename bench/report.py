"""The run's results as one table (measure | target | measured | baseline | met?), printed and written to
docs/performance.md with the machine, the date, how to reproduce and what each row means.

Targets are issue 15's; a row without a target is shown for the record ("-", met "n/a").
"""

import math
import os
import subprocess
import time
from pathlib import Path

from service import JAVA_OPTS

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "performance.md"
JAR = REPO / "target" / "quarkus-app" / "quarkus-run.jar"


def _n(v, fmt="{:.0f}"):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)


def _met(ok):
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def rows(r):
    """The table's rows from the results dictionary of bench/run."""
    out = []
    top = r["top"]
    for backend, label in (("slurm", "slurmrestd"), ("firecrest", "FirecREST v2")):
        for n, c in r.get("calls", {}).get(backend, {}).items():
            out.append((f"{label}: scheduler calls per poll interval, {n:,} server{'s' if n > 1 else ''} running", "≤ 1 (one listing)",
                        _n(c["service"], "{:g}") + (f" ({c['rounds']} rounds)" if "rounds" in c else ""),
                        f"{c['baseline']:,} (took {c['baseline_s']:.1f} s; stand-in p99 {c['standin_p99_ms']:.0f} ms)",
                        _met(c["service"] <= 1)))
    b = r.get("burst")
    if b:
        out.append((f"{b['n']:,} simultaneous creates: errors / p50 / p99",
                    "0 errors, p99 < 300 ms", f"{b['errors']} / {b['p50_ms']:.0f} ms / {b['p99_ms']:.0f} ms", "-",
                    _met(b["errors"] == 0 and b["p99_ms"] < 300)))
        out.append(("  submits seen by the stand-in / peak submit concurrency",
                    f"{b['n']:,} / {r['submit_concurrency']} (configured)", f"{b['submits']:,} / {b['peak_submits']}", "-",
                    _met(b["submits"] == b["n"] and b["peak_submits"] <= r["submit_concurrency"])))
    for n, cb in r.get("callbacks", {}).items():
        target = n >= 10000
        out.append((f"ready callback -> running, {n:,} servers, 50 concurrent: p50 / p99 / errors",
                    "p99 < 100 ms, 0 errors" if target else "-",
                    f"{cb['p50_ms']:.0f} ms / {cb['p99_ms']:.0f} ms / {cb['errors']} ({cb['per_s']:.0f}/s)", "-",
                    _met(cb["p99_ms"] < 100 and cb["errors"] == 0) if target else "n/a"))
    if "reads" in r:
        out.append((f"status reads per second, {top:,} servers", "-",
                    f"{r['reads']['per_s']:,.0f}/s ({r['reads']['errors']} errors)", "-", "n/a"))
    if "stops" in r:
        s = r["stops"]
        out.append((f"stops per second, {top:,} servers, 50 concurrent", "≥ 500/s",
                    f"{s['per_s']:.0f}/s (p99 {s['p99_ms']:.0f} ms, {s['errors']} errors)", "-", _met(s["per_s"] >= 500)))
    for n, st in r.get("startup", {}).items():
        out.append((f"start-up to ready, {n:,} records", "< 2 s", f"{st['ready_s']:.2f} s", "-", _met(st["ready_s"] < 2)))
        if n and "first_status" in st:
            out.append((f"  ready only once the store is loaded ({n:,} records)", "the first read at ready finds the server",
                        f"{st['first_status']} in {st['first_read_ms']:.0f} ms (the JVM's first request)", "-",
                        _met(st["first_status"] == 200)))
    for n, mb in r.get("rss", {}).items():
        out.append((f"resident memory (RSS), {n:,} servers", "< 256 MB" if n >= 10000 else "-",
                    f"{mb:.0f} MB", "-", _met(mb < 256) if n >= 10000 else "n/a"))
    if "round" in r:
        w = r["round"]
        out.append((f"watcher round, {top:,} servers (slurmrestd): wall / JVM CPU", "-",
                    f"{_n(w['wall_ms'])} ms / {_n(w['cpu_ms'])} ms", "-", "n/a"))
    out.append(("errors at -Xmx256m (every call of the run) / OutOfMemoryError in the log", "0 / 0",
                f"{r['errors']} / {r['oom']}", "-", _met(r["errors"] == 0 and r["oom"] == 0)))
    si = r.get("standin")
    if si:
        out.append(("stand-in alone: job status p50 / p99; listing p50", "not the bottleneck",
                    f"{si['job_p50_ms']:.1f} / {si['job_p99_ms']:.1f} ms; {si['listing_p50_ms']:.0f} ms "
                    f"({si['listing_bytes'] / 1e6:.1f} MB)", "-", "n/a"))
    return out


def table(rs):
    head = ("measure", "target", "measured", "baseline", "met?")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rs]
    return "\n".join(lines)


def machine():
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    commit = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True,
                            text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "ram_gib": int(mem) / 1024 / 1024, "java": java[0] if java else "?",
            "java_vm": java[2] if len(java) > 2 else "", "commit": commit[:100],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load": "%.1f" % os.getloadavg()[0],
            "jar": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(JAR.stat().st_mtime)) if JAR.exists() else "?"}


def write_doc(rs, r, mode, seconds, at_start, note="", stack=""):
    """Writes docs/performance.md; ``at_start`` is machine() as the run began (its commit, its load);
    ``stack`` is what scripts/bench/spawn_latency.py printed on the local stack, if it ran."""
    m = dict(at_start, load=f"{at_start['load']} at the start, {machine()['load']} at the end")
    if stack:
        stack = ("\n### The real path on the local stack\n\n`scripts/bench/spawn_latency.py 3` after the table (Slurm,"
                 " slurmrestd, the service, JupyterHub and the proxy of `scripts/stack`): the hub's start request to the"
                 " server answering through the proxy, split into the scheduler's time and the service's.\n\n```\n"
                 + stack.strip("\n") + "\n```\n")
    else:
        stack = ("\nThe local stack was not up: the real path (`scripts/bench/spawn_latency.py`) was not measured in"
                 " this run.\n")
    DOC.write_text(DOC_TEMPLATE.format(table=table(rs), mode=mode, seconds=seconds, interval=r["interval"],
                                       top=r["top"], note=note, jvm=" ".join(JAVA_OPTS), stack=stack, **m))
    return DOC


DOC_TEMPLATE = """# Performance

The numbers below are the latest run of the benchmark harness, `bench/run` (issue 15): the service
and a baseline measured side by side, in one run, on one machine. **Do not edit this page by hand**:
`bench/run` writes it.

## Latest run

{date}, `bench/run{mode}` ({seconds:.0f} s), commit `{commit}`, the service's jar built {jar}.{note}
Machine: {nproc} CPUs, {ram_gib:.1f} GiB RAM, `{java}` ({java_vm}); the service at `-Xmx256m {jvm}`, the
stand-ins and the load generator share the same CPUs; load average {load}.

{table}
{stack}
## How to reproduce

```sh
bench/run              # full run: up to 10,000 servers per backend
bench/run --quick      # smoke run: up to 1,000 servers (3-4 minutes); exits 0 and prints the table
bench/run --servers N  # up to N servers per backend (at least 1,000)
bench/smoke            # bench/run --quick --no-doc, checked: exit 0 and every row has a value
bench/run --help       # the options (--rebuild, --interval, --submit-delay-ms, --no-doc, --stack, --keep)
bench/burst            # the 1,000 creates burst and the stops alone (about a minute), for one change's
                       # before/after: --jar <other build>/quarkus-run.jar, --warm N, --creates N
```

It needs only `/usr/bin/python3` (standard library) and Java 17. It builds
`target/quarkus-app/quarkus-run.jar` when missing (`./mvnw -o -q package -DskipTests`; `--rebuild`
forces it), starts the stand-ins and the service on free loopback ports with a fresh store under a
temporary directory, and stops both at the end (`--keep` keeps the directory: the service's log,
its store). How long a full run takes depends on the service: creating and making ready 10,000
servers per backend runs at the service's pace. Run it on an otherwise idle machine: every other
process on the same CPUs shows in the numbers (the load average is printed above the table). When
the local stack is up (`scripts/stack/*-up.sh`; `--stack yes` insists, `--stack no` skips), it
then runs `scripts/bench/spawn_latency.py 3` (the hub's start request to the server answering
through the proxy, split into scheduler time and the service's time) and prints its table below
this one; it never starts the stack itself.

To profile the service during a run, pass JVM options in `BENCH_JAVA_OPTS` (added to the service's
`java` command line), e.g. a flight recording read afterwards with `jfr print` / `jfr summary`:

```sh
BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/run.jfr,settings=profile" bench/run --quick --no-doc
jfr print --events jdk.JavaMonitorEnter,jdk.ThreadPark,jdk.JavaMonitorWait --stack-depth 20 /tmp/run.jfr
```

A recording changes the numbers a little; compare runs made the same way.

## What it measures

The service runs as the stack runs it (`java -Xmx256m {jvm} -jar quarkus-run.jar`), with two systems:
`local` on slurmrestd (API v0.0.38) and `fc` on FirecREST v2 with Keycloak logins, both against
**stand-ins** (`bench/standins.py`, a separate Python process): threaded HTTP/1.1 servers with
keep-alive and `TCP_NODELAY` that count every call and answer with the bodies of the recorded real
answers (a listed slurmrestd job is the recorded 2.7 KB entry, so 10,000 jobs list as ~27 MB). A
submitted job runs at once on a node `nidNNNNN`; the harness reads each job's server id and start
secret from its batch script, as the job does, and sends the ready callback for that node. Watcher
intervals: fast 1 s, slow {interval} s.

| row | what it is |
| --- | --- |
| scheduler calls per poll interval | the calls the service made to the stand-in for that backend between the ends of two watcher rounds (read from the `hpcspawner_watch_round` count in `/q/metrics`) with N servers running, divided by the two rounds: a system's rounds never overlap, so these are exactly the calls of those rounds, one round per slow interval. **Baseline**: a poller that polls each server on its own, as JupyterHub's batch spawners do (one status call per server per interval, plus one per second for each starting server; none are starting at that moment), makes its calls for one interval against the same stand-in, 16 at a time; the stand-in counts them, and "took" says how long they took (more than the interval means it cannot keep up) |
| simultaneous creates | 1,000 `POST /users/<u>/servers/<name>` released at the same instant, a connection each: errors, latency p50/p99 to the `202`; the submits the stand-in received (no duplicates) and the most it saw in flight at once, against `resilience.submit.concurrency` |
| ready callback -> running | `POST /callback/<id>` (start secret, the job's node), 50 at a time, for the servers added to reach N (at 10,000: the 9,000 added after 1,000); latency to the `204`, which the service answers once the record says `running` |
| status reads per second | `GET /users/<u>/servers/<name>` over all servers from 2 processes x 8 keep-alive connections for 5 s (the load generator shares the CPUs: a floor, not the service's ceiling) |
| stops per second | `DELETE /users/<u>/servers/<name>` of every server, 50 at a time, answered stops per second |
| start-up to ready | from starting the JVM to `/q/health/ready` answering 200 (0 records: the first start; N records: a restart with the run's servers in the store); "ready only once the store is loaded": one status read of the last-created server, sent as soon as ready answers 200; met when that first read finds it (200, not 404); its latency is the fresh JVM's first request (a new connection, code not yet compiled), not a wait for the store |
| resident memory | `VmRSS` of the JVM from `/proc/<pid>/status` with 0, 1,000 and 10,000 servers running |
| watcher round | per round of the slurmrestd system over three slow intervals: wall time from the `hpcspawner_watch_round` timer in `/q/metrics`, and the JVM's CPU time (`/proc/<pid>/stat`) divided by the rounds |
| errors | every non-2xx answer the harness got from the service in the run, and `OutOfMemoryError` in the service's log |
| stand-in alone | the stand-in's own latency in the same run, with nothing else calling it: 200 single-job reads and 5 whole listings at the largest size; the baseline row's "took" includes its latency under load |

Targets are those of issue 15; rows without a target are shown for the record.
"""
