"""The measurements: each method drives the running service through its REST API and records numbers.

Servers are created as the hub creates them (``POST /users/<u>/servers/<name>``), made ready as a
batch job does (``POST /callback/<id>`` with the start secret the job's script carries, for the
node the scheduler runs it on), read and stopped as the hub does. slurmrestd servers belong to the
real cluster users alice, bob and carol (the service checks them with ``getent passwd``); FirecREST
servers to 100 users fcu0..fcu99, each create carrying a Keycloak login as the hub sends it.
"""

import base64
import json
import time
import urllib.request

import baseline
from bench_paths import ALL_SERVERS, CALLBACK, SERVER
from client import Connection, burst, percentile, run_parallel, sustained_reads

SLURM_USERS = ("alice", "bob", "carol")
CONCURRENCY = 50


def _jwt(claims):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return enc({"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"


def stats(results):
    """p50/p99 (ms) of the successful calls, the errors by status, the count."""
    ok = [r[2] for r in results if 200 <= r[0] < 300]
    errors = {}
    for r in results:
        if not 200 <= r[0] < 300:
            errors[r[0]] = errors.get(r[0], 0) + 1
    return {"n": len(results), "p50_ms": percentile(ok, 50) * 1000, "p99_ms": percentile(ok, 99) * 1000,
            "errors": sum(errors.values()), "errors_by_status": errors}


class Fleet:
    """The servers of one backend that the harness created: (user, name) in order, and their starts."""

    def __init__(self, backend):
        self.backend = backend
        self.servers = []
        self.starts = []
        self.next = 0

    def take(self, n):
        """The indices of ``n`` new servers (names are never reused within a run)."""
        idx = list(range(self.next, self.next + n))
        self.next += n
        return idx

    def retire(self):
        """Forgets the (stopped) servers; later ones get new names."""
        self.servers, self.starts = [], []

    def server(self, i):
        if self.backend == "slurm":
            return SLURM_USERS[i % len(SLURM_USERS)], "b%05d" % i
        return "fcu%d" % (i % 100), "b%05d" % i


class Bench:
    """One run's measurements against one service (which may be restarted) and the stand-ins."""

    def __init__(self, service, standins, slow_interval, log):
        self.sv, self.si, self.interval, self.log = service, standins, slow_interval, log
        self.errors = 0
        self.seen_starts = 0

    # -- stand-in control ------------------------------------------------------------------------
    def counts(self):
        with urllib.request.urlopen(self.si.url + "/_bench/counts", timeout=30) as r:
            return json.loads(r.read())

    def reset_counts(self):
        urllib.request.urlopen(urllib.request.Request(self.si.url + "/_bench/reset", method="POST", data=b""),
                               timeout=30).read()

    def new_starts(self, expected, backend, timeout=None):
        """The stand-in's record of the next ``expected`` submits of ``backend`` (waits for them)."""
        timeout = timeout or 300 + expected / 5  # a slow service is measured, not cut short
        deadline, found = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{self.si.url}/_bench/starts?since={self.seen_starts}", timeout=30) as r:
                batch = json.loads(r.read())
            self.seen_starts += len(batch)
            found.extend(s for s in batch if s["backend"] == backend)
            if len(found) >= expected:
                return found
            time.sleep(0.2)
        raise SystemExit(f"bench: only {len(found)} of {expected} submits reached the stand-in in {timeout} s")

    # -- the service's API -----------------------------------------------------------------------
    def create_body(self, fleet, i, user):
        body = {"startId": "bench-%s-%06d" % (fleet.backend, i), "options": {"profile": "small" if
                fleet.backend == "slurm" else "fc"}, "environment": {"JUPYTERHUB_SERVICE_PREFIX": "/user/x/"}}
        if fleet.backend == "firecrest":
            now = int(time.time())
            body["login"] = {"accessToken": _jwt({"exp": now + 3600, "iat": now, "preferred_username": user}),
                             "refreshToken": _jwt({"exp": now + 7200, "iat": now, "typ": "Refresh", "sid": user})}
        return body

    def _create(self, fleet):
        def one(conn, i):
            user, name = fleet.server(i)
            return conn.call("POST", SERVER.format(user=user, name=name), self.create_body(fleet, i, user),
                             self.sv.hub_token)
        return one

    def states(self):
        """How many servers are in each state (the admin listing)."""
        status, body, _ = Connection(self.sv.url).call("GET", ALL_SERVERS, token=self.sv.hub_token)
        if status != 200:
            raise SystemExit(f"bench: GET {ALL_SERVERS} answered {status}")
        out = {}
        for s in json.loads(body):
            out[s["state"]] = out.get(s["state"], 0) + 1
        return out

    def wait_states(self, want, count, timeout=None):
        """Waits until at least ``count`` servers are in state ``want``."""
        deadline = time.monotonic() + (timeout or 300 + count / 5)
        while time.monotonic() < deadline:
            s = self.states()
            if s.get(want, 0) >= count:
                return s
            time.sleep(1)
        raise SystemExit(f"bench: {count} servers did not reach {want} in {timeout} s: {self.states()}")

    def callbacks(self, starts):
        """The ready callbacks of ``starts``, 50 at a time: each until its 204 (the record says running)."""
        def one(conn, s):
            return conn.call("POST", CALLBACK.format(id=s["serverId"]), {"host": s["node"], "port": 50000 + s["seq"] % 10000},
                             s["secret"])
        results, took = run_parallel(self.sv.url, starts, one, CONCURRENCY)
        st = stats(results)
        st["per_s"] = len(starts) / took
        self.errors += st["errors"]
        return st

    def grow(self, fleet, target, measure_callbacks=False):
        """Creates servers up to ``target`` (50 at a time) and makes them ready; returns the callbacks' numbers."""
        if target <= len(fleet.servers):
            return None
        idx = fleet.take(target - len(fleet.servers))
        results, took = run_parallel(self.sv.url, idx, self._create(fleet), CONCURRENCY)
        st = stats(results)
        self.errors += st["errors"]
        created = [i for i, res in zip(idx, results) if 200 <= res[0] < 300]  # a failed create is an error, not a wait
        fleet.servers.extend(fleet.server(i) for i in created)
        starts = self.new_starts(len(created), fleet.backend)
        fleet.starts.extend(starts)
        self.log(f"  {fleet.backend}: {len(idx)} creates in {took:.1f} s ({st['errors']} errors); waiting for 'starting'")
        self.wait_states("starting", len(created))
        cb = self.callbacks(starts)
        self.log(f"  {fleet.backend}: {len(starts)} callbacks, p99 {cb['p99_ms']:.0f} ms, {cb['errors']} errors")
        return cb

    def creates_burst(self, fleet, n):
        """``n`` creates released at the same instant (a thread and connection each)."""
        self.reset_counts()
        idx = fleet.take(n)
        results, took = burst(self.sv.url, idx, self._create(fleet))
        st = stats(results)
        self.errors += st["errors"]
        created = [i for i, res in zip(idx, results) if 200 <= res[0] < 300]
        fleet.servers.extend(fleet.server(i) for i in created)
        starts = self.new_starts(len(created), fleet.backend)
        fleet.starts.extend(starts)
        time.sleep(1)
        c = self.counts()
        st["submits"] = c["counts"].get("slurmrestd POST job/submit" if fleet.backend == "slurm" else "firecrest POST jobs", 0)
        st["peak_submits"] = c["peakSubmits"]
        st["seconds"] = took
        return st, starts

    def calls_per_interval(self, fleet, starting_ids=()):
        """Scheduler calls per poll interval: the service's (counted over two intervals) and the baseline's."""
        prefix = "slurmrestd" if fleet.backend == "slurm" else "firecrest"
        system = "local" if fleet.backend == "slurm" else "fc"
        time.sleep(self.interval + 1)  # the watcher settles on the slow interval once nothing starts
        # between the ends of two watcher rounds lie exactly the calls of the rounds in between
        # (a system's rounds never overlap); a fixed window would cut a round in two
        start = self.next_round_end(system, self.rounds(system))
        self.reset_counts()
        rounds = 2
        self.next_round_end(system, start + rounds - 1)
        c = self.counts()["counts"]
        service = sum(v for k, v in c.items() if k.startswith(prefix)) / rounds
        self.reset_counts()
        made, took, p50, p99, errors = baseline.poll_one_interval(self.si.url, fleet.backend, fleet.starts, starting_ids,
                                                                  self.interval)
        c = self.counts()["counts"]
        counted = sum(v for k, v in c.items() if k.startswith(prefix))
        return {"service": service, "rounds": rounds, "baseline": counted, "baseline_made": made, "baseline_s": took,
                "standin_p50_ms": p50 * 1000, "standin_p99_ms": p99 * 1000, "baseline_errors": errors}

    def rounds(self, system):
        """Watcher rounds of ``system`` so far (answered or not), from /q/metrics."""
        m = self.sv.metrics()
        return sum(v for k, v in m.items() if k.startswith("hpcspawner_watch_round_seconds_count")
                   and 'system="%s"' % system in k)

    def next_round_end(self, system, after, timeout=None):
        """Waits until the watcher's round count of ``system`` exceeds ``after``; returns the new count."""
        deadline = time.monotonic() + (timeout or 10 * self.interval + 60)
        while time.monotonic() < deadline:
            n = self.rounds(system)
            if n > after:
                return n
            time.sleep(0.05)
        raise SystemExit(f"bench: no watcher round of {system} ended in time (after round {after})")

    def standin_latency(self, fleet, samples=200):
        """The stand-in's own latency, measured alone: a single job's status, and the whole listing."""
        from bench_paths import FIRECREST_JOB, FIRECREST_JOBS, SLURM_JOB, SLURM_JOBS
        one, listing = (SLURM_JOB, SLURM_JOBS) if fleet.backend == "slurm" else (FIRECREST_JOB, FIRECREST_JOBS)
        c = Connection(self.si.url)
        ids = [s["jobId"] for s in fleet.starts] or ["1"]
        singles = [c.call("GET", one.format(id=ids[i % len(ids)]), token="x")[2] for i in range(samples)]
        lists = [c.call("GET", listing, token="x") for _ in range(5)]
        c.close()
        return {"job_p50_ms": percentile(singles, 50) * 1000, "job_p99_ms": percentile(singles, 99) * 1000,
                "listing_p50_ms": percentile([r[2] for r in lists], 50) * 1000,
                "listing_max_ms": max(r[2] for r in lists) * 1000, "listing_bytes": len(lists[0][1])}

    def status_reads(self, fleet, seconds=5):
        paths = [SERVER.format(user=u, name=n) for u, n in fleet.servers]
        rate, errors = sustained_reads(self.sv.url, self.sv.hub_token, paths, seconds)
        self.errors += errors
        return {"per_s": rate, "errors": errors}

    def stops(self, fleet):
        """Stops every server of ``fleet``, 50 at a time: the rate of answered stops."""
        def one(conn, server):
            return conn.call("DELETE", SERVER.format(user=server[0], name=server[1]), token=self.sv.hub_token)
        results, took = run_parallel(self.sv.url, fleet.servers, one, CONCURRENCY)
        st = stats(results)
        st["per_s"] = len(fleet.servers) / took
        self.errors += st["errors"]
        return st

    def watch_round(self, system, seconds):
        """Per watcher round of ``system`` over ``seconds``: wall time (the round timer) and process CPU."""
        def snap():
            m = self.sv.metrics()
            key = '{answered="true",system="%s"}' % system
            return (m.get("hpcspawner_watch_round_seconds_count" + key, 0.0),
                    m.get("hpcspawner_watch_round_seconds_sum" + key, 0.0), self.sv.cpu_seconds())
        n0, s0, c0 = snap()
        time.sleep(seconds)
        n1, s1, c1 = snap()
        rounds = n1 - n0
        if rounds <= 0:
            return {"rounds": 0, "wall_ms": float("nan"), "cpu_ms": float("nan")}
        return {"rounds": rounds, "wall_ms": (s1 - s0) / rounds * 1000, "cpu_ms": (c1 - c0) / rounds * 1000}

    def startup(self, fleet):
        """Restarts the service: seconds to /q/health/ready; then one status read of the last-created server,
        sent as soon as ready says UP: its status (200 = the loaded store had the server at ready) and its
        latency (the first request of a fresh JVM: a new connection and code not compiled yet)."""
        self.sv.stop()
        t0 = self.sv.start()
        ready = time.monotonic() - t0
        result = {"ready_s": ready, "first_answer_s": ready}
        if fleet.servers:
            user, name = fleet.servers[-1]
            c = Connection(self.sv.url)
            t1 = time.monotonic()
            status, _, _ = c.call("GET", SERVER.format(user=user, name=name), token=self.sv.hub_token)
            result.update(first_status=status, first_read_ms=(time.monotonic() - t1) * 1000,
                          first_answer_s=time.monotonic() - t0)
            c.close()
        return result
