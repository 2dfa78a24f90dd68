"""Stand-ins for slurmrestd (v0.0.38) and FirecREST v2 (with Keycloak's token endpoint) that count calls.

Run as its own process (``python3 bench/standins.py --port P``) so the load the harness generates
never shares an interpreter with them. One threaded HTTP/1.1 server answers both APIs:

  slurmrestd   /slurm/v0.0.38/{job/submit, jobs, job/<id>, ping, partitions, nodes, reservations}
  FirecREST v2 /compute/daint/jobs[/<id>], /status/systems, /status/daint/{userinfo, partitions, nodes,
               reservations}, /filesystem/daint/ops/{stat, tail} (an empty output), and Keycloak's
               /realms/hpc/protocol/openid-connect/token
  control      /_bench/counts (GET), /_bench/reset (POST), /_bench/starts?since=N (GET),
               /_bench/jobs (POST: running slurmrestd jobs to list, [{jobId, name, user, node, serverId}])

Bodies have the shape of the recorded real answers (src/test/resources/slurmrestd/*.json, the
service's own fixtures; ../shared/specs/recorded/firecrest-v2): a listed slurmrestd job is the
recorded 2.7 KB entry with its id, name, user, state and node replaced, so a listing of 10,000 jobs
is ~27 MB as on a real cluster. Each job runs as soon as it is submitted, on node nidNNNNN; a
cancelled job stays listed as CANCELLED. Keep-alive connections and TCP_NODELAY: a server that waits
for delayed ACKs adds ~44 ms to every call and would measure itself instead of the service.

The control route /_bench/starts hands the harness what a batch job would know: each submitted
job's server id, start secret (read from the batch script, as the job reads them) and node.
"""

import argparse
import base64
import copy
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[1]
SLURM_FIXTURES = REPO / "src" / "test" / "resources" / "slurmrestd"
FIRECREST_FIXTURES = REPO / "src" / "test" / "resources" / "firecrest" / "recorded-v2"
SLURM = "/slurm/v0.0.38"
FIRECREST_SYSTEM = "daint"


def recorded(path):
    """The response body of one of the service's slurmrestd fixtures (they keep request, status and response)."""
    return json.loads(path.read_text())["response"]


class Job:
    """One submitted job as the stand-ins list it."""

    __slots__ = ("id", "name", "user", "node", "state", "submit", "start", "end", "server_id", "secret",
                 "backend", "seq", "cache")

    def __init__(self, job_id, name, user, node, backend, server_id, secret, seq):
        self.id, self.name, self.user, self.node, self.backend = job_id, name, user, node, backend
        self.server_id, self.secret, self.seq = server_id, secret, seq
        self.state, self.submit, self.start, self.end = "RUNNING", int(time.time()), int(time.time()), 0
        self.cache = None


class Cluster:
    """The jobs of both stand-ins, the call counters and the submits in flight (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.jobs = {}
        self.order = []
        self.next_id = 1000
        self.counts = {}
        self.submits_in_flight = 0
        self.peak_submits = 0
        self.listing_cache = {}
        self.version = 0
        slurm_job = recorded(SLURM_FIXTURES / "jobs.json")
        self.meta = slurm_job["meta"]
        self.slurm_template = slurm_job["jobs"][0]
        fc = json.loads((FIRECREST_FIXTURES / "05-compute-jobs-allusers-service-account.json").read_text())
        self.firecrest_template = fc["response"]["body"]["jobs"][0]

    def count(self, key):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1

    def submit_started(self):
        with self.lock:
            self.submits_in_flight += 1
            self.peak_submits = max(self.peak_submits, self.submits_in_flight)

    def submit_ended(self):
        with self.lock:
            self.submits_in_flight -= 1

    def add(self, name, user, backend, script):
        server_id = _script_value(script, "hpcsp_server_id")
        secret = _script_value(script, "hpcsp_secret")
        with self.lock:
            self.next_id += 1
            job_id = str(self.next_id)
            job = Job(job_id, name, user, "nid%05d" % (self.next_id % 2000), backend, server_id, secret,
                      len(self.order))
            self.jobs[job_id] = job
            self.order.append(job)
            self.version += 1
            return job

    def adopt(self, jobs):
        """Running slurmrestd jobs that were submitted before the stand-ins started (a restart's records)."""
        with self.lock:
            for j in jobs:
                job = Job(str(j["jobId"]), j["name"], j["user"], j["node"], "slurm", j["serverId"], None,
                          len(self.order))
                self.jobs[job.id] = job
                self.order.append(job)
            self.version += 1

    def cancel(self, job_id):
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return False
            if job.state == "RUNNING":
                job.state, job.end, job.cache = "CANCELLED", int(time.time()), None
                self.version += 1
            return True

    def get(self, job_id):
        with self.lock:
            return self.jobs.get(job_id)

    def listing(self, backend):
        """The whole listing of one backend as bytes, rebuilt only when a job changed."""
        with self.lock:
            cached = self.listing_cache.get(backend)
            if cached and cached[0] == self.version:
                return cached[1]
            jobs = [j for j in self.order if j.backend == backend]
            version = self.version
        parts = [self.job_json(j) for j in jobs]
        if backend == "slurm":
            body = (b'{"meta":' + json.dumps(self.meta).encode() + b',"errors":[],"jobs":['
                    + b",".join(parts) + b"]}")
        else:
            body = b'{"jobs":[' + b",".join(parts) + b"]}"
        with self.lock:
            self.listing_cache[backend] = (version, body)
        return body

    def job_json(self, job):
        cached = job.cache
        if cached is not None:
            return cached
        if job.backend == "slurm":
            j = copy.deepcopy(self.slurm_template)
            j.update(job_id=int(job.id), name=job.name, user_name=job.user, group_name=job.user,
                     job_state=job.state, batch_host=job.node, nodes=job.node, submit_time=job.submit,
                     start_time=job.start, end_time=job.end or job.start + 3600, eligible_time=job.submit,
                     accrue_time=job.submit, exit_code=0 if job.state == "RUNNING" else 15)
            j["job_resources"] = dict(j["job_resources"], nodes=job.node)
        else:
            j = copy.deepcopy(self.firecrest_template)
            j.update(jobId=job.id, name=job.name, user=job.user, group=job.user, nodes=job.node,
                     cluster=FIRECREST_SYSTEM, partition="normal")
            j["status"] = dict(j["status"], state=job.state, exitCode=0 if job.state == "RUNNING" else None)
            j["tasks"] = [dict(t, status=dict(t["status"], state=job.state)) for t in j["tasks"]]
            j["time"] = dict(j["time"], start=job.start, end=job.end, elapsed=max(0, int(time.time()) - job.start))
        data = json.dumps(j, separators=(",", ":")).encode()
        job.cache = data
        return data

    def starts(self, since):
        with self.lock:
            return [{"jobId": j.id, "serverId": j.server_id, "secret": j.secret, "node": j.node,
                     "user": j.user, "backend": j.backend, "seq": j.seq} for j in self.order[since:]]


def _script_value(script, name):
    m = re.search(r"^" + name + r"=(\S*)$", script or "", re.M)
    return m.group(1).strip("'\"") if m else None


def _jwt(claims):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return enc({"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"


class Handler(BaseHTTPRequestHandler):
    """Routes one request to the slurmrestd, FirecREST, Keycloak or control answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY: no delayed-ACK wait per answer
    cluster = None
    fixtures = {}

    def log_message(self, *args):  # quiet: thousands of calls per second
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, body=b"", content_type="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        head = (f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "Connection: keep-alive\r\n\r\n").encode()
        self.wfile.write(head + body if len(body) < 65536 else head)
        if len(body) >= 65536:
            self.wfile.write(body)

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_DELETE(self):
        self._route("DELETE")

    def _route(self, method):
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        body = self._body()
        c = self.cluster
        if path.startswith("/_bench/"):
            return self._control(method, path, query, body)
        if path.startswith(SLURM + "/"):
            return self._slurm(method, path[len(SLURM):], body)
        if path.startswith("/compute/") or path.startswith("/status/") or path.startswith("/filesystem/"):
            return self._firecrest(method, path, body)
        if path == "/realms/hpc/protocol/openid-connect/token" and method == "POST":
            c.count("keycloak POST token")
            form = parse_qs(body.decode())
            now = int(time.time())
            user = "service" if form.get("grant_type") == ["client_credentials"] else "user"
            answer = {"access_token": _jwt({"exp": now + 300, "iat": now, "preferred_username": user}),
                      "expires_in": 300, "token_type": "Bearer"}
            if user == "user":
                answer["refresh_token"] = _jwt({"exp": now + 1800, "iat": now, "typ": "Refresh", "sid": "bench"})
                answer["refresh_expires_in"] = 1800
            return self._send(200, answer)
        c.count(f"other {method} {path[:80]}")  # named, so a route the stand-in lacks shows
        return self._send(404, {"error": "not found"})

    def _slurm(self, method, rest, body):
        c = self.cluster
        if method == "POST" and rest == "/job/submit":
            c.count("slurmrestd POST job/submit")
            c.submit_started()
            try:  # the submit ends before its answer goes out: the service may send the next one as soon as it has it
                req = json.loads(body)
                time.sleep(self.server.submit_delay)
                job = c.add(req["job"].get("name", ""), self.headers.get("X-SLURM-USER-NAME", ""), "slurm",
                            req.get("script", ""))
            finally:
                c.submit_ended()
            return self._send(200, {"meta": c.meta, "errors": [], "job_id": int(job.id), "step_id": "BATCH",
                                    "job_submit_user_msg": ""})
        if method == "GET" and rest == "/jobs":
            c.count("slurmrestd GET jobs")
            return self._send(200, c.listing("slurm"))
        m = re.fullmatch(r"/job/(\d+)", rest)
        if m and method == "GET":
            c.count("slurmrestd GET job/{id}")
            job = c.get(m.group(1))
            if job is None:
                return self._send(500, self.fixtures["slurm-not-found"])
            return self._send(200, b'{"meta":' + json.dumps(c.meta).encode() + b',"errors":[],"jobs":['
                              + c.job_json(job) + b"]}")
        if m and method == "DELETE":
            c.count("slurmrestd DELETE job/{id}")
            if not c.cancel(m.group(1)):
                return self._send(500, self.fixtures["slurm-not-found"])
            return self._send(200, {"meta": c.meta, "errors": []})
        name = rest.strip("/")
        if method == "GET" and name in ("ping", "partitions", "nodes", "reservations"):
            c.count(f"slurmrestd GET {name}")
            return self._send(200, self.fixtures["slurm-" + name])
        c.count(f"slurmrestd {method} other")
        return self._send(404, {"errors": [{"description": "no such route", "error_number": 0}]})

    def _firecrest(self, method, path, body):
        c = self.cluster
        jobs = f"/compute/{FIRECREST_SYSTEM}/jobs"
        if method == "POST" and path == jobs:
            c.count("firecrest POST jobs")
            c.submit_started()
            try:  # ends before the answer goes out, as above
                req = json.loads(body)
                time.sleep(self.server.submit_delay)
                user = _token_user(self.headers.get("Authorization", ""))
                job = c.add(req["job"].get("name", ""), user, "firecrest", req["job"].get("script", ""))
            finally:
                c.submit_ended()
            return self._send(201, {"jobId": job.id})
        if method == "GET" and path == jobs:
            c.count("firecrest GET jobs")
            return self._send(200, c.listing("firecrest"))
        m = re.fullmatch(re.escape(jobs) + r"/(\d+)", path)
        if m and method == "GET":
            c.count("firecrest GET jobs/{id}")
            job = c.get(m.group(1))
            return self._send(200, b'{"jobs":[' + c.job_json(job) + b"]}") if job else \
                self._send(404, {"message": f"Job {m.group(1)} not found"})
        if m and method == "DELETE":
            c.count("firecrest DELETE jobs/{id}")
            c.cancel(m.group(1))
            return self._send(204)
        if method == "GET" and path.startswith(f"/filesystem/{FIRECREST_SYSTEM}/ops/"):
            # the service reads a starting server's output when its callback is late: nothing written yet
            op = path.rsplit("/", 1)[-1]
            c.count(f"firecrest GET ops/{op}")
            if op == "stat":
                now = int(time.time())
                return self._send(200, {"output": {"mode": 33188, "ino": 4242, "dev": 64769, "nlink": 1, "uid": 1001,
                                                   "gid": 1001, "size": 0, "atime": now, "mtime": now, "ctime": now}})
            return self._send(200, {"output": {"content": "", "contentType": "lines", "startPosition": 0,
                                                "endPosition": 0}})
        key = "firecrest " + path.split("/")[-1]
        if method == "GET" and key in self.fixtures:
            c.count(f"firecrest GET {path.split('/')[-1]}")
            return self._send(200, self.fixtures[key])
        c.count(f"firecrest {method} other")
        return self._send(404, {"message": "no such route"})

    def _control(self, method, path, query, body=b""):
        c = self.cluster
        if path == "/_bench/counts":
            with c.lock:
                return self._send(200, {"counts": dict(c.counts), "peakSubmits": c.peak_submits,
                                        "jobs": len(c.jobs)})
        if path == "/_bench/reset" and method == "POST":
            with c.lock:
                c.counts.clear()
                c.peak_submits = c.submits_in_flight
            return self._send(200, {})
        if path == "/_bench/jobs" and method == "POST":
            c.adopt(json.loads(body))
            return self._send(200, {})
        if path == "/_bench/starts":
            return self._send(200, c.starts(int(query.get("since", ["0"])[0])))
        return self._send(404, {})


def _token_user(authorization):
    try:
        claims = authorization.split(" ", 1)[1].split(".")[1]
        return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))).get("preferred_username", "")
    except (IndexError, ValueError):
        return ""


def fixtures():
    """The fixed answers (partitions, nodes, systems...) from the recorded bodies."""
    s = lambda name: json.dumps(recorded(SLURM_FIXTURES / name)).encode()  # noqa: E731
    f = lambda name: json.dumps(json.loads((FIRECREST_FIXTURES / name).read_text())["response"]["body"]).encode()  # noqa: E731
    systems = json.loads((FIRECREST_FIXTURES / "01-status-systems.json").read_text())["response"]["body"]
    for system in systems["systems"]:
        system["name"] = FIRECREST_SYSTEM
    return {
        "slurm-not-found": s("error-job-not-found.json"),
        "slurm-ping": s("ping.json"),
        "slurm-partitions": s("partitions.json"),
        "slurm-nodes": s("nodes.json"),
        "slurm-reservations": s("reservations.json"),
        "firecrest systems": json.dumps(systems).encode(),
        "firecrest userinfo": f("02-status-userinfo.json"),
        "firecrest partitions": b'{"partitions":[{"name":"normal","partition":["UP"],"cpus":4096,"totalNodes":32}]}',
        "firecrest nodes": b'{"nodes":[]}',
        "firecrest reservations": b'{"reservations":[]}',
    }


class StandInServer(ThreadingHTTPServer):
    """The threaded server: a thread per connection, a deep accept queue, daemon threads."""

    daemon_threads = True
    request_queue_size = 2048
    submit_delay = 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--submit-delay-ms", type=float, default=0.0)
    args = ap.parse_args()
    Handler.cluster = Cluster()
    Handler.fixtures = fixtures()
    server = StandInServer(("127.0.0.1", args.port), Handler)
    server.submit_delay = args.submit_delay_ms / 1000
    print(f"stand-ins listening on 127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
