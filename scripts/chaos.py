#!/usr/bin/env python3
"""Chaos suite: the service's core promise under crashes, outages, bad answers and a neighbour.

Runs on the real local stack (scripts/stack: Slurm + slurmrestd, the service, the hub; run as root
under the stack's lock) and checks that the service never loses a running server and never
cancels a job that is not its own:

  1. churn: CHAOS_CREATES creates and stops of named servers of alice, bob and carol, straight on
     the service API, each stopped at a random moment (while submitting, queued, starting or
     running), while the service is killed with SIGKILL CHAOS_KILLS times (right after a create or
     a stop is sent, or at a random moment) and restarted, and while a fault-injecting proxy
     between the service and slurmrestd answers the job listing with {"jobs": null}, {}, {"jobs": []}
     (each for 35 s, longer than the stack's gone-grace), truncated JSON, a 500 or a delay (a few
     seconds each), one after the other;
  2. a second deployment: a second service instance (own store, ports 8091/9001, the SAME job
     name prefix) runs next to the first for the whole run, with servers of its own;
  3. hub restarts (CHAOS_HUB_RESTARTS) with servers started through the hub running and queued;
  4. slurmrestd, then slurmctld, stopped for CHAOS_OUTAGE_SECONDS each with servers running;
  5. afterwards: every server running and reachable or ended with its job gone; then every server
     is stopped and no job of the run may be left.

An observer polls both services' server listings and `squeue` every second throughout. Counted:
orphaned jobs, lost servers, duplicate submits, jobs of the other deployment cancelled, running
servers reported ended while their job was RUNNING, and how long each recovery took. Prints one
line `chaos: ... -> PASS|FAIL`, writes $STACK_DIR/chaos-report.json and exits 1 when any count is
not 0 (2 when the suite itself could not run). See docs/resilience.md, "Chaos suite".

Environment (defaults are the CI sizes of issue 9):
  CHAOS_SEED             random seed (default: random; printed, pass it again to repeat the choices)
  CHAOS_CREATES          creates to send, at least (200)
  CHAOS_KILLS            kill -9 of the service (20)
  CHAOS_OUTAGE_SECONDS   length of the slurmrestd and of the slurmctld outage (120)
  CHAOS_HUB_RESTARTS     hub restarts (2)
  CHAOS_CHURN_SECONDS    planned length of the churn phase (300; up to 120 s more to finish the kills)
  CHAOS_NO_JOBS_SECONDS  how long the listings without jobs (null, missing, empty) last (35, > gone-grace)
  CHAOS_SETUP=0          do not run slurm-up.sh/service-up.sh/hub-up.sh first (they must be up)
  E2E_TEARDOWN=1         stop hub, service and Slurm at the end (as CI does)
"""

import http.client
import http.server
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR / "src" / "test" / "e2e"))
import e2elib as E  # noqa: E402

HOST = E.HOST
T0 = time.time()
USERS = E.TEST_USERS
ACTIVE = {"submitting", "queued", "starting", "running", "stopping"}
ENDED = {"stopped", "failed"}
LIVE_JOB = E.ACTIVE_JOB_STATES


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        sys.exit(f"chaos: {name} must be a whole number, got {os.environ[name]!r}")


SEED = env_int("CHAOS_SEED", random.SystemRandom().randrange(1, 10**6))
CREATES = env_int("CHAOS_CREATES", 200)
KILLS = env_int("CHAOS_KILLS", 20)
OUTAGE = env_int("CHAOS_OUTAGE_SECONDS", 120)
HUB_RESTARTS = env_int("CHAOS_HUB_RESTARTS", 2)
CHURN_SECONDS = env_int("CHAOS_CHURN_SECONDS", 300)
# the churn goes on past CHURN_SECONDS by at most this much to finish its kills and bad listings
CHURN_OVERRUN = 120
PROXY_PORT = env_int("CHAOS_PROXY_PORT", 6821)
B_PORT = env_int("CHAOS_B_PORT", 8091)
B_MANAGEMENT_PORT = env_int("CHAOS_B_MANAGEMENT_PORT", 9001)
SLURMRESTD_PORT = env_int("SLURMRESTD_PORT", 6820)
PREFIX = E.JOB_PREFIX
BAD_LISTINGS = ("null", "missing", "empty", "truncated", "error500", "delay")
# How long each bad listing lasts: the ones that list no jobs longer than the stack's
# watch.gone-grace (30 s), so a service that reads them as "no jobs" would end its servers.
NO_JOBS_SECONDS = env_int("CHAOS_NO_JOBS_SECONDS", 35)
ERROR_SECONDS = 8


def log(msg):
    print(f"chaos [{time.time() - T0:5.0f}s]: {msg}", file=sys.stderr, flush=True)


def iso_to_epoch(text):
    return E.parse_ts(text).timestamp() if text else None


# --- the fault-injecting proxy between the first service and slurmrestd ----------------------------
class FaultProxy:
    """Passes every request to slurmrestd; while a fault is set, answers `GET .../jobs` with it."""

    def __init__(self, port, upstream_port):
        self.fault = None
        self.injected = {}
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy.fault if self.command == "GET" and re.search(r"/jobs/?(\?|$)", self.path) else None
                if fault:
                    with proxy.lock:
                        proxy.injected[fault] = proxy.injected.get(fault, 0) + 1
                if fault in ("null", "missing", "empty", "error500"):
                    payload = {"null": {"jobs": None, "errors": []}, "missing": {"errors": []},
                               "empty": {"jobs": [], "errors": []},
                               "error500": {"errors": [{"error": "injected by the chaos suite"}]}}[fault]
                    return self._answer(500 if fault == "error500" else 200, json.dumps(payload).encode())
                if fault == "delay":
                    time.sleep(15)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "content-length", "accept-encoding")}
                try:
                    conn = http.client.HTTPConnection(HOST, upstream_port, timeout=60)
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    conn.close()
                except OSError:
                    return self._answer(502, b'{"errors": [{"error": "chaos proxy: slurmrestd unreachable"}]}')
                if fault == "truncated":
                    data = data[: max(1, len(data) // 2)]
                return self._answer(resp.status, data, resp.getheader("Content-Type") or "application/json")

            def _answer(self, status, data, ctype="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = _forward

        for attempt in range(15):  # a previous run's proxy may still be closing its port
            try:
                self.server = http.server.ThreadingHTTPServer((HOST, port), Handler)
                break
            except OSError as e:
                if e.errno != 98 or attempt == 14:
                    raise
                time.sleep(2)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --- the two deployments -----------------------------------------------------------------------------
class Deployment:
    """One service instance: its API (admin = its hub token), its stack script environment, its log."""

    def __init__(self, label, instance, port, management_port, scheduler_url=None):
        self.label, self.instance = label, instance
        self.port, self.management_port = port, management_port
        self.scheduler_url = scheduler_url
        suffix = f"-{instance}" if instance else ""
        self.dir = E.STACK_DIR / f"service{suffix}"
        self.log_path = E.STACK_DIR / f"service{suffix}.log"
        self.api = f"http://{HOST}:{port}/api/v1"
        self.management = f"http://{HOST}:{management_port}"
        self.local = threading.local()
        self.log_offset = 0

    def script_env(self, scheduler_url=True):
        env = dict(os.environ, STACK_DIR=str(E.STACK_DIR), SPAWNER_SERVICE_PORT=str(self.port),
                   SPAWNER_MANAGEMENT_PORT=str(self.management_port), HPCSPAWNER_INSTANCE=self.instance)
        env.pop("HPCSPAWNER_WITH_FIRECREST", None)
        # C1 only and the serial collector: the JVM starts in about half the time, which is most of
        # each kill's cost (no behaviour of the service depends on them)
        env.setdefault("HPCSPAWNER_JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        if scheduler_url and self.scheduler_url:
            env["HPCSPAWNER_SCHEDULER_URL"] = self.scheduler_url
        else:
            env.pop("HPCSPAWNER_SCHEDULER_URL", None)
        return env

    def script(self, name, *args, scheduler_url=True, timeout=180):
        p = subprocess.run([str(E.STACK_SCRIPTS / name), *args], capture_output=True, text=True,
                           timeout=timeout, env=self.script_env(scheduler_url))
        if p.returncode != 0:
            raise RuntimeError(f"{self.label}: {name} {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()[-800:]}")

    def up(self, **kw):
        # Right after a kill -9 the old process may hold the port for a moment: try a few times.
        for attempt in range(5):
            try:
                self.script("service-up.sh", **kw)
                return
            except RuntimeError as e:
                if "is in use" not in str(e) or attempt == 4:
                    raise
                time.sleep(2)

    def kill(self):
        self.script("service-down.sh", "--kill")

    def down(self):
        self.script("service-down.sh")

    @property
    def token(self):
        return (self.dir / "hub-token").read_text().strip()

    def session(self):
        s = getattr(self.local, "s", None)
        if s is None:
            s = self.local.s = requests.Session()
            s.headers["Authorization"] = f"Bearer {self.token}"
        return s

    def request(self, method, path, timeout=5, **kw):
        return self.session().request(method, self.api + path, timeout=timeout, **kw)

    def ready(self):
        try:
            return requests.get(self.management + "/q/health/ready", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def listing(self):
        """Every server record of this deployment (GET /servers), or None when it does not answer."""
        try:
            r = self.request("GET", "/servers", timeout=4)
            return r.json() if r.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_offset)
                return f.read().decode(errors="replace")
        except OSError:
            return ""


def server_path(user, name):
    return f"/users/{user}/servers/{name}"


# --- what the suite did and saw ------------------------------------------------------------------------
class Record:
    """What the observer and the drivers know about one server id (one start)."""

    def __init__(self, sid, dep, user, name, via):
        self.sid, self.dep, self.user, self.name, self.via = sid, dep, user, name, via
        self.states = []          # [(t, state)] change points seen by the observer
        self.job_ids = set()
        self.first_ended = None   # t the observer first saw stopped/failed
        self.vanished = None      # t a listing first lacked the record
        self.last = None          # the last status seen
        self.created_at = None


class Tracker:
    def __init__(self, deployments):
        self.lock = threading.Lock()
        self.deps = deployments
        self.records = {}            # sid -> Record
        self.stop_requests = {}      # (dep label, user, name) -> [t, ...]
        self.jobs = {}               # job id -> {"name", "user", "sid", "states": [(t, state)]}
        self.sq_times = []           # t of every successful squeue
        self.listing_ok = {d.label: [] for d in deployments}
        self.last_listing = {d.label: None for d in deployments}
        self.baseline_job = 0
        self.counts = {"creates": 0, "stops": 0, "creates_by_dep": {}, "stop_phase": {}}
        self.events = {"create": threading.Event(), "stop": threading.Event()}
        self.notes = []

    def note(self, msg):
        with self.lock:
            self.notes.append(f"{time.time() - T0:.0f}s {msg}")
        log(msg)

    def created(self, dep, via):
        with self.lock:
            self.counts["creates"] += 1
            self.counts["creates_by_dep"][f"{dep.label}/{via}"] = self.counts["creates_by_dep"].get(f"{dep.label}/{via}", 0) + 1
        self.events["create"].set()

    def stopped(self, dep, user, name, phase):
        with self.lock:
            self.counts["stops"] += 1
            self.stop_requests.setdefault((dep.label, user, name), []).append(time.time())
            self.counts["stop_phase"][phase] = self.counts["stop_phase"].get(phase, 0) + 1
        self.events["stop"].set()

    def stop_requested(self, rec):
        times = self.stop_requests.get((rec.dep, rec.user, rec.name), [])
        start = rec.created_at or (rec.states[0][0] if rec.states else 0)
        return any(t >= start - 1 for t in times)

    # --- the observer's rounds -----------------------------------------------------------------
    def observe_slurm(self):
        try:
            out = subprocess.run(["squeue", "-h", "-t", "all", "-o", "%i|%j|%u|%T"], capture_output=True,
                                 text=True, timeout=10)
        except subprocess.TimeoutExpired:
            return False
        if out.returncode != 0:
            return False
        t = time.time()
        seen = set()
        with self.lock:
            for line in out.stdout.splitlines():
                parts = line.strip().split("|")
                if len(parts) != 4 or not parts[1].startswith(PREFIX + "-"):
                    continue
                jid, name, user, state = parts
                if not jid.isdigit() or int(jid) <= self.baseline_job:
                    continue
                seen.add(jid)
                j = self.jobs.setdefault(jid, {"name": name, "user": user, "sid": name.rsplit("-", 1)[-1],
                                               "states": []})
                if not j["states"] or j["states"][-1][1] != state:
                    j["states"].append((t, state))
            for jid, j in self.jobs.items():
                if jid not in seen and j["states"][-1][1] != "GONE":
                    j["states"].append((t, "GONE"))
            self.sq_times.append(t)
        return True

    def observe_service(self, dep):
        lst = dep.listing()
        t = time.time()
        if lst is None:
            return False
        with self.lock:
            self.listing_ok[dep.label].append(t)
            self.last_listing[dep.label] = (t, lst)
            present = set()
            for s in lst:
                created = iso_to_epoch(s.get("createdAt"))
                if created is not None and created < T0 - 5:
                    continue  # from before this run
                present.add(s["id"])
                rec = self.records.get(s["id"])
                if rec is None:
                    rec = self.records[s["id"]] = Record(s["id"], dep.label, s["user"], s["server"],
                                                         "hub" if s["server"].startswith("h") else "api")
                rec.created_at = created
                rec.last = s
                if s.get("jobId"):
                    rec.job_ids.add(str(s["jobId"]))
                if not rec.states or rec.states[-1][1] != s["state"]:
                    rec.states.append((t, s["state"]))
                if s["state"] in ENDED and rec.first_ended is None:
                    rec.first_ended = t
            for rec in self.records.values():
                if rec.dep == dep.label and rec.sid not in present and rec.vanished is None:
                    rec.vanished = t
        return True

    def job_state_at(self, jid, t):
        """(t_obs, state) of the first squeue observation at or after t, or None if none yet."""
        j = self.jobs.get(jid)
        obs = next((x for x in self.sq_times if x >= t), None)
        if obs is None:
            return None
        if j is None:
            return obs, "GONE"
        state = "GONE"
        for ts, st in j["states"]:
            if ts <= obs:
                state = st
        if j["states"] and j["states"][0][0] > obs:
            state = "NOT_YET"
        return obs, state

    def job_state_before(self, jid, t):
        j = self.jobs.get(jid)
        if j is None:
            return None
        state = None
        for ts, st in j["states"]:
            if ts <= t:
                state = st
        return state

    def live_run_jobs(self):
        with self.lock:
            return {jid: j for jid, j in self.jobs.items() if j["states"][-1][1] in LIVE_JOB}


class Observer(threading.Thread):
    def __init__(self, tracker):
        super().__init__(daemon=True)
        self.tracker = tracker
        self.stop_flag = threading.Event()
        self.start()

    def run(self):
        while not self.stop_flag.is_set():
            t = time.time()
            try:
                self.tracker.observe_slurm()
                for d in self.tracker.deps:
                    self.tracker.observe_service(d)
            except Exception as e:  # noqa: BLE001 - the observer must keep going
                log(f"observer: {e!r}")
            self.stop_flag.wait(max(0.1, 1.0 - (time.time() - t)))


# --- the drivers ---------------------------------------------------------------------------------------------
def fake_hub_environment(user, name):
    """What a hub would give the server: enough for jupyterhub-singleuser to start and answer /api."""
    prefix = f"/user/{user}/{name}/"
    return {
        "JUPYTERHUB_API_TOKEN": uuid.uuid4().hex,
        "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{user}-{name}",
        "JUPYTERHUB_API_URL": f"http://{HOST}:{os.environ.get('HUB_PORT', '8081')}/hub/api",
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_USER": user,
        "JUPYTERHUB_SERVER_NAME": name,
    }


def reachable(status, timeout=5):
    """A running server answers GET <url><prefix>api with a JSON version (straight, not through the proxy)."""
    url = status.get("url")
    if not url:
        return False
    try:
        r = requests.get(f"{url.rstrip('/')}/user/{status['user']}/{status['server']}/api", timeout=timeout)
        return r.status_code == 200 and "version" in r.json()
    except (requests.RequestException, ValueError):
        return False


class Driver:
    """Creates and stops servers on one deployment, retrying across the service's restarts."""

    def __init__(self, tracker, dep, stop_flag):
        self.t, self.dep, self.stop_flag = tracker, dep, stop_flag

    def call(self, method, path, deadline_s=90, ok=(), **kw):
        """The call, retried while the service is unreachable or answers 5xx; returns the response or None."""
        end = time.time() + deadline_s
        while time.time() < end:
            try:
                r = self.dep.request(method, path, timeout=10, **kw)
                if r.status_code < 500 or r.status_code in ok:
                    return r
            except requests.RequestException:
                pass
            time.sleep(0.3)
        return None

    def create(self, user, name, start_id):
        body = {"startId": start_id, "options": {"profile": "small", "time": "30"},
                "environment": fake_hub_environment(user, name)}
        self.t.created(self.dep, "api")
        r = self.call("POST", server_path(user, name), json=body)
        if r is None:
            return None, "no answer"
        if r.status_code in (200, 202):
            s = r.json()
            with self.t.lock:
                rec = self.t.records.get(s["id"])
                if rec is None:
                    rec = self.t.records[s["id"]] = Record(s["id"], self.dep.label, user, name, "api")
                    rec.created_at = iso_to_epoch(s.get("createdAt"))
            return s, None
        return None, f"{r.status_code} {r.text[:200]}"

    def status(self, user, name):
        try:
            r = self.dep.request("GET", server_path(user, name), timeout=4)
            return r.json() if r.status_code == 200 else None
        except (requests.RequestException, ValueError):
            return None

    def stop(self, user, name, phase):
        self.t.stopped(self.dep, user, name, phase)
        r = self.call("DELETE", server_path(user, name))
        return r is not None and r.status_code in (202, 404)

    def wait_state(self, user, name, start_id, states, timeout):
        end = time.time() + timeout
        last = None
        while time.time() < end and not self.stop_flag.is_set():
            s = self.status(user, name)
            if s and s.get("startId") == start_id:
                last = s
                if s["state"] in states or s["state"] in ENDED:
                    return s
            time.sleep(0.2)
        return last

    def make_room(self, user, name):
        """Before a create: the server must not be active (a stop of the previous start may be under way)."""
        end = time.time() + 20
        while time.time() < end:
            s = self.status(user, name)
            if s is None or s["state"] in ENDED:
                return True
            if s["state"] != "stopping":
                self.stop(user, name, "leftover")
            time.sleep(0.5)
        return False

    def cycle(self, rng, user, name, n):
        """One create, then a stop at a random moment of the start."""
        if not self.make_room(user, name):
            return
        start_id = f"chaos-{SEED}-{self.dep.label}-{n}-{uuid.uuid4().hex[:6]}"
        moment = rng.choice(("submitting", "queued", "queued", "starting", "running", "running"))
        s, err = self.create(user, name, start_id)
        if s is None:
            if err and "server_limit" not in err and "server_active" not in err:
                self.t.note(f"{self.dep.label} create {user}/{name} refused: {err}")
            return
        if moment == "submitting":
            time.sleep(rng.uniform(0, 0.05))
            self.stop(user, name, "submitting")
            return
        want = {"queued": {"queued", "starting", "running"}, "starting": {"starting", "running"},
                "running": {"running"}}[moment]
        s = self.wait_state(user, name, start_id, want, rng.uniform(4, 15))
        state = (s or {}).get("state", "unknown")
        if state in ENDED:
            return
        if state == "running" and rng.random() < 0.5:
            if not reachable(s):
                time.sleep(2)
                fresh = self.status(user, name)
                if fresh and fresh.get("id") == s.get("id") and fresh["state"] == "running" and not reachable(fresh):
                    self.t.note(f"{self.dep.label} {user}/{name} ({s['id']}) running but not reachable")
        time.sleep(rng.uniform(0, 1.5))
        self.stop(user, name, state)


# --- Slurm daemons -------------------------------------------------------------------------------------------
def daemon_pid(name):
    try:
        pid = int((E.STACK_DIR / "run" / f"{name}.pid").read_text().split()[0])
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        return pid if name.encode() in cmd else None
    except (OSError, ValueError, IndexError):
        return None


def stop_daemon(name):
    pid = daemon_pid(name)
    if pid is None:
        raise RuntimeError(f"{name} is not running (no live pid in {E.STACK_DIR}/run/{name}.pid)")
    os.kill(pid, signal.SIGTERM)
    end = time.time() + 30
    while time.time() < end and Path(f"/proc/{pid}").exists():
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                break
        except OSError:
            break
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)


def slurm_up():
    p = subprocess.run([str(E.STACK_SCRIPTS / "slurm-up.sh")], capture_output=True, text=True, timeout=240,
                       env=dict(os.environ, STACK_DIR=str(E.STACK_DIR), STACK_SMOKE="0"))
    if p.returncode != 0:
        raise RuntimeError(f"slurm-up.sh failed: {p.stderr.strip()[-800:]}")


# --- the run ----------------------------------------------------------------------------------------------------
class Chaos:
    def __init__(self):
        self.a = Deployment("A", "", E.SERVICE_PORT, E.MANAGEMENT_PORT, f"http://{HOST}:{PROXY_PORT}")
        self.b = Deployment("B", "b", B_PORT, B_MANAGEMENT_PORT)
        self.t = Tracker([self.a, self.b])
        self.rng = random.Random(SEED)
        self.hub = None
        self.proxy = None
        self.observer = None
        self.kills = []            # {"trigger", "down_s", "recovery_s"}
        self.hub_restarts = []     # {"recovery_s", ...}
        self.outages = {}          # name -> {"seconds", "recovery_s": {A, B}}
        self.bad = []
        self.problems = []         # things the suite itself could not do
        self.b_servers = []
        self.hub_servers = []

    # --- setup ------------------------------------------------------------------------------------
    def setup(self):
        log(f"seed {SEED}: {CREATES} creates, {KILLS} kills, outages {OUTAGE} s, {HUB_RESTARTS} hub restarts")
        if os.environ.get("CHAOS_SETUP", "1") != "0":
            E.stack_script("slurm-up.sh", timeout=240)
        jobs = subprocess.run(["squeue", "-h", "-t", "all", "-o", "%i"], capture_output=True, text=True,
                              timeout=20, check=True).stdout.split()
        self.t.baseline_job = max([int(j) for j in jobs if j.isdigit()] or [0])
        out = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=20).stdout
        m = re.search(r"^NEXT_JOB_ID\s*=\s*(\d+)", out, re.M)
        if m:
            self.t.baseline_job = max(self.t.baseline_job, int(m.group(1)) - 1)
        self.proxy = FaultProxy(PROXY_PORT, SLURMRESTD_PORT)
        for d in (self.a, self.b):
            d.log_offset = d.log_path.stat().st_size if d.log_path.exists() else 0
        self.a.up()   # restarts A when it ran with another configuration (pointed at the proxy now)
        self.b.up()
        if os.environ.get("CHAOS_SETUP", "1") != "0":
            E.stack_script("hub-up.sh", timeout=240)
        self.hub = E.Hub()
        # nothing of earlier runs may stay active: it would count against the per-user limit
        for d in (self.a, self.b):
            for s in d.listing() or []:
                if s["state"] in ACTIVE:
                    Driver(self.t, d, threading.Event()).stop(s["user"], s["server"], "setup")
        with self.t.lock:
            self.t.counts["stops"] = 0
            self.t.counts["stop_phase"] = {}
            self.t.stop_requests = {}
        self.observer = Observer(self.t)
        log(f"setup done: jobs above {self.t.baseline_job} are this run's; A on :{self.a.port} through the "
            f"fault proxy :{PROXY_PORT}, B on :{self.b.port}, prefix {PREFIX}")

    # --- phase 1: churn with kills and bad listings -------------------------------------------------
    def churn(self):
        stop_flag = threading.Event()
        t_start = time.time()
        deadline = t_start + CHURN_SECONDS
        # B's own long-lived servers, one per user
        bdrv = Driver(self.t, self.b, stop_flag)
        for i, user in enumerate(USERS):
            s, err = bdrv.create(user, f"bkeep{i}", f"chaos-{SEED}-B-keep{i}")
            if s:
                self.b_servers.append((user, f"bkeep{i}"))
            else:
                self.problems.append(f"B keep server {user}/bkeep{i}: {err}")
        counter = iter(range(10**9))
        counter_lock = threading.Lock()

        def worker(w, dep, user, names):
            rng = random.Random(SEED * 1000 + w)
            drv = Driver(self.t, dep, stop_flag)
            k = 0
            while not stop_flag.is_set() and time.time() < deadline + CHURN_OVERRUN:
                if self.t.counts["creates"] >= CREATES and self.kills_done and self.injector_done:
                    break
                with counter_lock:
                    n = next(counter)
                try:
                    drv.cycle(rng, user, names[k % len(names)], n)
                except Exception as e:  # noqa: BLE001
                    self.t.note(f"worker {w}: {e!r}")
                k += 1

        self.kills_done = KILLS == 0
        self.injector_done = False
        workers = []
        w = 0
        for user in USERS:
            for i in range(3):
                workers.append(threading.Thread(target=worker, daemon=True,
                                                args=(w, self.a, user, [f"c{i}a", f"c{i}b"])))
                w += 1
        workers.append(threading.Thread(target=worker, daemon=True, args=(w, self.b, "carol", ["bc0", "bc1"])))
        for th in workers:
            th.start()
        killer = threading.Thread(target=self.killer, args=(t_start, deadline), daemon=True)
        killer.start()
        injector = threading.Thread(target=self.injector, args=(t_start, deadline), daemon=True)
        injector.start()
        while time.time() < deadline + CHURN_OVERRUN:
            if self.t.counts["creates"] >= CREATES and self.kills_done and self.injector_done:
                break
            time.sleep(1)
        stop_flag.set()
        for th in workers:
            th.join(60)
        killer.join(120)
        injector.join(60)
        self.proxy.fault = None
        log(f"churn done in {time.time() - t_start:.0f}s: {self.t.counts['creates']} creates, "
            f"{self.t.counts['stops']} stops, {len(self.kills)} kills")

    def killer(self, t_start, deadline):
        span = max(30, CHURN_SECONDS * 0.9)
        try:
            for k in range(KILLS):
                at = t_start + (k + self.rng.uniform(0.2, 0.8)) * span / max(1, KILLS)
                while time.time() < at:
                    time.sleep(0.1)
                if time.time() > deadline + CHURN_OVERRUN:
                    self.t.note(f"only {k} of {KILLS} kills fit into the churn (restarts too slow)")
                    break
                trigger = self.rng.choice(("create", "stop", "random"))
                if trigger != "random":
                    ev = self.t.events[trigger]
                    ev.clear()
                    ev.wait(5)
                time.sleep(self.rng.uniform(0, 0.3))
                self.kill_and_recover(trigger)
        finally:
            self.kills_done = True

    def kill_and_recover(self, trigger):
        t_kill = time.time()
        self.a.kill()
        try:
            self.a.up()
        except RuntimeError as e:
            self.problems.append(f"restart after kill: {e}")
            self.a.up()
        t_ready = time.time()
        rec = self.wait_reconciled(self.a, t_kill, 60)
        self.kills.append({"trigger": trigger, "at_s": round(t_kill - T0, 1), "down_s": round(t_ready - t_kill, 1),
                           "recovery_s": None if rec is None else round(max(0.0, rec - t_ready), 1),
                           "why_not": self.last_unreconciled if rec is None else None})
        log(f"kill {len(self.kills)}/{KILLS} ({trigger}): ready again after {t_ready - t_kill:.1f}s, "
            f"reconciled {'never' if rec is None else f'{max(0.0, rec - t_ready):.1f}s'} after that"
            f"{'' if rec is not None else f' (within 60 s; last seen: {self.last_unreconciled})'}")

    def reconciled(self, dep, since):
        """The deployment answers, and every active record of this run is fresh and agrees with Slurm."""
        return self.unreconciled(dep, since) is None

    def unreconciled(self, dep, since):
        """Why the deployment is not reconciled yet (the first record at odds, or that it does not answer); None once it is."""
        if not dep.ready():
            return "not ready"
        lst = dep.listing()
        if lst is None:
            return "no listing"
        sq = E.squeue(all_states=True)
        jobs = {j["id"]: j["state"] for j in sq}
        for s in lst:
            created = iso_to_epoch(s.get("createdAt")) or 0
            if s["state"] not in ACTIVE or created < T0:
                continue
            name = f"{s.get('user')}/{s.get('name') or s.get('server') or ''} job {s.get('jobId')}"
            if s.get("unknownSince"):
                return f"{name}: unknown since {s['unknownSince']} ({(s.get('message') or '')[:120]})"
            if s["state"] == "submitting" and created < since:
                return f"{name}: still submitting, created before the kill"
            job = jobs.get(str(s.get("jobId")))
            if s["state"] == "queued" and job not in (None, "PENDING"):
                return f"{name}: queued, Slurm says {job}"
            if s["state"] in ("starting", "running") and job not in ("RUNNING", "CONFIGURING"):
                return f"{name}: {s['state']}, Slurm says {job}"
        return None

    def wait_reconciled(self, dep, since, timeout):
        """When the deployment was reconciled (None: not within timeout; self.last_unreconciled then says why).
        Time while the injector serves bad listings does not count (records are rightly "unknown" then), up to 120 s."""
        end = time.time() + timeout
        latest = end + 120
        self.last_unreconciled = "never asked"
        faults = set()
        while time.time() < end:
            if self.proxy.fault:
                faults.add(self.proxy.fault)
                end = min(latest, end + 0.3)
            try:
                why = self.unreconciled(dep, since)
                if why is None:
                    return time.time()
                self.last_unreconciled = why
            except Exception as e:  # noqa: BLE001 - not yet
                self.last_unreconciled = f"{type(e).__name__}: {str(e)[:120]}"
            time.sleep(0.3)
        if faults:
            self.last_unreconciled += f" (bad listings injected meanwhile: {', '.join(sorted(faults))})"
        return None

    def injector(self, t_start, deadline):
        modes = list(BAD_LISTINGS)
        self.rng.shuffle(modes)
        span = max(30, CHURN_SECONDS * 0.8)
        for i, mode in enumerate(modes):
            at = t_start + (i + 0.5) * span / len(modes)
            while time.time() < at:
                time.sleep(0.2)
            if time.time() > deadline + CHURN_OVERRUN:
                break
            before = self.proxy.injected.get(mode, 0)
            self.proxy.fault = mode
            t_on = time.time()
            lasting = NO_JOBS_SECONDS if mode in ("null", "missing", "empty") else ERROR_SECONDS
            # for that long, and at least until three listings got it (the service may be down, killed)
            while time.time() < t_on + 60 and (
                    time.time() < t_on + lasting
                    or self.proxy.injected.get(mode, 0) - before < (1 if mode == "delay" else 3)):
                time.sleep(0.2)
            self.proxy.fault = None
            n = self.proxy.injected.get(mode, 0) - before
            self.bad.append({"mode": mode, "answers": n, "at_s": round(t_on - T0, 1),
                             "seconds": round(time.time() - t_on, 1)})
            log(f"bad listing {mode}: {n} answer(s) injected")
        self.injector_done = True

    def stop_all(self, via_hub=True, timeout=90):
        """Stops every active server of this run on both deployments; waits until their jobs ended."""
        if via_hub:
            for user in USERS:
                try:
                    for name, model in (self.hub.user(user).get("servers") or {}).items():
                        if model.get("pending") != "stop":
                            r = self.hub.stop(user, name)
                            self.t.stopped(self.a, user, name, "final")
                            if r.status_code == 400 and "pending" in r.text:
                                Driver(self.t, self.a, threading.Event()).stop(user, name, "final")
                except Exception as e:  # noqa: BLE001
                    self.problems.append(f"hub stop of {user}'s servers: {e!r}")
        for d in (self.a, self.b):
            drv = Driver(self.t, d, threading.Event())
            for s in d.listing() or []:
                if s["state"] in ACTIVE and s["state"] != "stopping":
                    drv.stop(s["user"], s["server"], "final")
        end = time.time() + timeout
        while time.time() < end:
            busy = [s for d in (self.a, self.b) for s in (d.listing() or [{"state": "submitting"}])
                    if s["state"] in ACTIVE]
            if not busy and not self.t.live_run_jobs():
                return True
            time.sleep(1)
        return False

    # --- phase 2: hub restarts with servers running and queued --------------------------------------------
    def hub_phase(self):
        if HUB_RESTARTS <= 0:
            return
        log("hub phase: stopping the churn's servers")
        self.stop_all(via_hub=False, timeout=60)
        plan = [("alice", "h1"), ("bob", "h2"), ("carol", "h3"), ("carol", "h4")]
        posts = []
        for user, name in plan:
            posts.append((user, name, self.hub.start_async(user, name, {"profile": "small"})))
            self.t.created(self.a, "hub")
            self.hub_servers.append((user, name))
            time.sleep(1.5)  # h1 and h2 take the node's two CPUs, h3 and h4 queue behind them
        running = [(u, n) for u, n in self.hub_servers if n in ("h1", "h2")]
        if not self.wait_hub_ready(running, 90):
            self.t.note(f"hub servers {running} not ready within 90 s before the hub restart")
        for user, name, post in posts:
            post.join(1)
            r = post.result
            if post.error or (r is not None and r.status_code not in (201, 202)):
                self.t.note(f"hub start {user}/{name}: {post.error!r}" if post.error
                            else f"hub start {user}/{name}: {r.status_code} {r.text[:300]}")
        for i in range(HUB_RESTARTS):
            t0 = time.time()
            try:
                E.restart_hub()
            except AssertionError as e:
                self.problems.append(f"hub restart {i + 1}: {str(e)[:400]}")
                try:
                    E.stack_script("hub-up.sh", timeout=240)
                except AssertionError as e2:
                    self.problems.append(f"hub-up after restart {i + 1}: {str(e2)[:400]}")
            t_up = time.time()
            ok = self.wait_hub_ready(running, 90, through_proxy=True)
            queued_ok = all(
                (self.hub.server(u, n) or {}).get("pending") == "spawn" for u, n in self.hub_servers
                if n in ("h3", "h4"))
            self.hub_restarts.append({"restart_s": round(t_up - t0, 1),
                                      "routes_back_s": round(ok - t_up, 1) if ok else None,
                                      "queued_still_pending": queued_ok})
            log(f"hub restart {i + 1}: hub up after {t_up - t0:.1f}s, running servers reachable "
                f"{'never' if not ok else f'{ok - t_up:.1f}s'} later, queued still pending: {queued_ok}")

    def wait_hub_ready(self, servers, timeout, through_proxy=False):
        end = time.time() + timeout
        while time.time() < end:
            try:
                ok = True
                for user, name in servers:
                    model = self.hub.server(user, name)
                    if not (model and model.get("ready")):
                        ok = False
                        break
                    if through_proxy:
                        r = requests.get(f"{E.PUBLIC_URL}/user/{user}/{name}/api", timeout=5, allow_redirects=False,
                                         headers={"Authorization": f"token {self.hub.user_token(user)}"})
                        if r.status_code != 200:
                            ok = False
                            break
                if ok:
                    return time.time()
            except (requests.RequestException, ValueError, AssertionError):
                pass
            time.sleep(0.5)
        return None

    # --- phase 3: outages -------------------------------------------------------------------------------------
    def outage_phase(self):
        if OUTAGE <= 0:
            return
        # running: A's hub server alice/h1 (or a straight one) and B's bob/brun; queued: the rest
        drv_b = Driver(self.t, self.b, threading.Event())
        drv_a = Driver(self.t, self.a, threading.Event())
        # Every hub server but alice/h1 ends first: the queued ones would take the freed CPU before brun.
        for user, name in [s for s in self.hub_servers if s != ("alice", "h1")]:
            self.t.stopped(self.a, user, name, (drv_a.status(user, name) or {}).get("state"))
            if self.hub.stop(user, name).status_code == 400:
                drv_a.stop(user, name, "queued")
            try:
                E.wait_for(lambda: (drv_a.status(user, name) or {}).get("state") in ENDED, 30,
                           f"{user}/{name} to end before the outages")
            except AssertionError as e:
                self.problems.append(str(e)[:300])
        self.make_running(drv_b, "bob", "brun")
        if ("alice", "h1") not in self.hub_servers:
            self.make_running(drv_a, "alice", "arun")
        drv_b.create("carol", "bq", f"chaos-{SEED}-B-bq")
        time.sleep(3)
        for name, daemon in (("slurmrestd", "slurmrestd"), ("slurmctld", "slurmctld")):
            log(f"outage: stopping {daemon} for {OUTAGE}s")
            t0 = time.time()
            stop_daemon(daemon)
            time.sleep(max(0, OUTAGE - (time.time() - t0)))
            t_back = time.time()
            try:
                slurm_up()
            except RuntimeError as e:
                self.problems.append(f"restarting {daemon}: {e}")
            t_up = time.time()
            rec = {}
            for d in (self.a, self.b):
                r = self.wait_reconciled(d, 0, 120)
                rec[d.label] = None if r is None else round(r - t_back, 1)
            self.outages[name] = {"seconds": round(t_back - t0), "restart_s": round(t_up - t_back, 1),
                                  "fresh_after_s": rec}
            log(f"outage {daemon}: {t_back - t0:.0f}s; records fresh again after {rec} s")

    def make_running(self, drv, user, name):
        s, err = drv.create(user, name, f"chaos-{SEED}-{drv.dep.label}-{name}")
        if s is None:
            self.problems.append(f"{drv.dep.label} {user}/{name}: {err}")
            return
        s = drv.wait_state(user, name, s["startId"], {"running"}, 180)
        if not s or s["state"] != "running":
            self.problems.append(f"{drv.dep.label} {user}/{name} not running before the outages: {s and s['state']}")

    # --- the verdict ----------------------------------------------------------------------------------------------
    def final_check(self):
        """Every server of the run: running and reachable, queued with its job pending, or ended with its job gone."""
        time.sleep(15)
        findings = {"unreachable": [], "ended_job_live": [], "orphans_before_stop": []}
        live = self.t.live_run_jobs()
        active_jobs = {}
        for d in (self.a, self.b):
            for s in d.listing() or []:
                created = iso_to_epoch(s.get("createdAt")) or 0
                if created < T0 - 5:
                    continue
                if s["state"] in ACTIVE and s.get("jobId"):
                    active_jobs[str(s["jobId"])] = (d.label, s)
                if s["state"] == "running":
                    via_hub = s["server"].startswith("h")
                    if via_hub:
                        ok = self.wait_hub_ready([(s["user"], s["server"])], 20, through_proxy=True) is not None
                    else:
                        ok = reachable(s) or (time.sleep(3) is None and reachable(s))
                    if not ok:
                        findings["unreachable"].append(f"{d.label} {s['user']}/{s['server']} {s['id']}")
                if s["state"] in ENDED and s.get("jobId") and str(s["jobId"]) in live:
                    findings["ended_job_live"].append(f"{d.label} {s['user']}/{s['server']} {s['id']} job {s['jobId']}")
        for jid, j in live.items():
            if jid not in active_jobs:
                findings["orphans_before_stop"].append(f"job {jid} {j['name']} ({j['user']}, {j['states'][-1][1]})")
        log("final check: " + json.dumps({k: len(v) for k, v in findings.items()}))
        log("stopping every server of the run")
        self.stop_all(via_hub=True, timeout=90)
        time.sleep(3)
        left = self.t.live_run_jobs()
        findings["orphans_after_stop"] = [f"job {jid} {j['name']} ({j['user']}, {j['states'][-1][1]})"
                                          for jid, j in left.items()]
        if left:
            E.scancel(*left.keys())
        return findings

    def verdict(self, findings):
        t = self.t
        with t.lock:
            records = dict(t.records)
            jobs = {k: dict(v) for k, v in t.jobs.items()}
        sid_owner = {sid: r.dep for sid, r in records.items()}
        # duplicate submits: more than one Slurm job for one server id (one start)
        by_sid = {}
        for jid, j in jobs.items():
            by_sid.setdefault(j["sid"], set()).add(jid)
        duplicates = {sid: sorted(js) for sid, js in by_sid.items() if len(js) > 1}
        # jobs of one deployment cancelled by the other: the other's log names the job in a cancel
        cancel_lines = {}
        for d in (self.a, self.b):
            ids = set()
            for line in d.log_text().splitlines():
                if "ancel" in line:
                    ids.update(re.findall(r"\bjob (\d+)\b", line))
            cancel_lines[d.label] = ids
        other_cancelled = []
        for jid, j in jobs.items():
            owner = sid_owner.get(j["sid"])
            ended_cancelled = any(st == "CANCELLED" for _, st in j["states"])
            if owner is None or not ended_cancelled:
                continue
            other = "B" if owner == "A" else "A"
            if jid in cancel_lines[other]:
                other_cancelled.append(f"{owner} job {jid} ({j['name']}) cancelled by {other}")
        # lost servers and running ones reported ended while the job ran
        other_ids = {x.split()[2] for x in other_cancelled}
        holding = LIVE_JOB - {"COMPLETING"}  # a COMPLETING job is already ending
        newest = {}
        for r in records.values():
            key = (r.dep, r.user, r.name)
            newest[key] = max(newest.get(key, 0), r.created_at or 0)
        lost, running_reported_stopped = [], []
        for sid, r in records.items():
            replaced = (r.created_at or 0) < newest[(r.dep, r.user, r.name)]  # one record per server name
            if r.first_ended is None and r.vanished is None:
                continue
            if r.first_ended is None and not replaced:
                lost.append(f"{r.dep} {r.user}/{r.name} {sid}: vanished from the listing while "
                            f"{r.states[-1][1] if r.states else 'unseen'}")
            stop_asked = t.stop_requested(r)
            t_end = r.first_ended or r.vanished
            was_running = any(st == "running" for _, st in r.states)
            for jid in sorted(r.job_ids | by_sid.get(sid, set())):
                if jid in other_ids:
                    continue  # counted as the other deployment's doing
                before = t.job_state_before(jid, t_end)
                after = t.job_state_at(jid, t_end + 3)
                after_state = after[1] if after else None
                # still holding its resources 3 s after the service said it ended, or cancelled by the
                # service itself afterwards (an orphan sweep of a server it had just given up)
                held = after_state in holding or (not stop_asked and after_state == "CANCELLED")
                if before in holding and held:
                    lost.append(f"{r.dep} {r.user}/{r.name} {sid}: reported "
                                f"{'ended' if r.first_ended else 'gone'} while job {jid} was {before} "
                                f"(then {after_state}){' after a stop' if stop_asked else ''}")
                    if was_running and before == "RUNNING":
                        running_reported_stopped.append(f"{r.dep} {r.user}/{r.name} {sid} job {jid}: "
                                                        f"{before} -> {after_state}")
        lost += [f"running but not reachable: {x}" for x in findings["unreachable"]]
        lost += [f"ended while its job is live: {x}" for x in findings["ended_job_live"]]
        orphans = sorted(set(findings["orphans_before_stop"]) | set(findings["orphans_after_stop"]))
        counts = {
            "orphaned": len(orphans),
            "lost": len({x.split(":")[0] for x in lost}),  # servers, not reasons
            "duplicate_submits": len(duplicates),
            "other_deployment_cancelled": len(other_cancelled),
            "running_reported_stopped": len(set(running_reported_stopped)),
        }
        details = {"orphaned": orphans, "lost": sorted(set(lost)), "duplicate_submits": duplicates,
                   "other_deployment_cancelled": other_cancelled,
                   "running_reported_stopped": sorted(set(running_reported_stopped))}
        return counts, details

    def report(self, counts, details, elapsed):
        def longest(values, why=()):
            """The longest of the recovery times, "never" when one did not recover (with the last reason seen)."""
            values = list(values)
            if any(v is None for v in values):
                reasons = [w for w in why if w]
                return (f"never ({sum(v is None for v in values)} of {len(values)}"
                        f"{': ' + reasons[-1][:160] if reasons else ''})")
            return f"{max(values or [0]):.1f} s"

        outage_txt = " / ".join(f"{n} {o['seconds']} s" for n, o in self.outages.items()) or "none"
        fresh = [v for o in self.outages.values() for v in o["fresh_after_s"].values()]
        ok = all(v == 0 for v in counts.values()) and not self.problems
        line = (f"chaos (seed {SEED}, {elapsed:.0f} s): {self.t.counts['creates']} creates, {self.t.counts['stops']} stops, "
                f"{len(self.kills)} kills (recovery max {longest((k['recovery_s'] for k in self.kills), (k['why_not'] for k in self.kills))}), "
                f"{len(self.hub_restarts)} hub restarts (routes back max "
                f"{longest(h['routes_back_s'] for h in self.hub_restarts)}), "
                f"outages {outage_txt} (fresh again max {longest(fresh)}), "
                f"{sum(b['answers'] for b in self.bad)} bad listings ({len(self.bad)} kinds); "
                f"orphaned {counts['orphaned']}, lost {counts['lost']}, duplicate submits {counts['duplicate_submits']}, "
                f"other deployment's jobs cancelled {counts['other_deployment_cancelled']}, "
                f"running reported stopped {counts['running_reported_stopped']}"
                f"{f', suite problems {len(self.problems)}' if self.problems else ''} -> {'PASS' if ok else 'FAIL'}")
        report = {
            "seed": SEED, "elapsed_s": round(elapsed, 1), "pass": ok, "counts": counts, "details": details,
            "config": {"creates": CREATES, "kills": KILLS, "outage_seconds": OUTAGE, "hub_restarts": HUB_RESTARTS,
                       "churn_seconds": CHURN_SECONDS},
            "done": {"creates": self.t.counts["creates"], "creates_by": self.t.counts["creates_by_dep"],
                     "stops": self.t.counts["stops"], "stops_by_state": self.t.counts["stop_phase"],
                     "servers_seen": len(self.t.records), "jobs_seen": len(self.t.jobs)},
            "kills": self.kills, "hub_restarts": self.hub_restarts, "outages": self.outages,
            "bad_listings": self.bad, "suite_problems": self.problems, "notes": self.t.notes[-200:],
            "summary": line,
        }
        path = E.STACK_DIR / "chaos-report.json"
        path.write_text(json.dumps(report, indent=1, sort_keys=True, default=str))
        for k, v in details.items():
            items = list(v.items()) if isinstance(v, dict) else list(v)
            for item in items[:10]:
                log(f"{k}: {item}")
            if len(items) > 10:
                log(f"{k}: ... {len(items) - 10} more in the report")
        for p in self.problems:
            log(f"suite problem: {p}")
        log(f"report: {path}")
        print(line, flush=True)
        return ok

    def teardown(self):
        if self.observer:
            self.observer.stop_flag.set()
        for step, fn in (("B down", self.b.down),
                         ("A back on slurmrestd", lambda: self.a.up(scheduler_url=False)),
                         ("proxy", lambda: self.proxy and self.proxy.close())):
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                log(f"teardown {step}: {e!r}")
        if os.environ.get("E2E_TEARDOWN", "0") == "1":
            for script in ("hub-down.sh", "service-down.sh", "slurm-down.sh"):
                try:
                    E.stack_script(script, timeout=180)
                except AssertionError as e:
                    log(f"teardown {script}: {e}")


def main():
    if os.geteuid() != 0:
        sys.exit("chaos: run as root (the stack starts Slurm daemons and runs jobs as alice/bob/carol)")
    chaos = Chaos()
    status = 2
    try:
        chaos.setup()
        chaos.churn()
        chaos.hub_phase()
        chaos.outage_phase()
        findings = chaos.final_check()
        counts, details = chaos.verdict(findings)
        status = 0 if chaos.report(counts, details, time.time() - T0) else 1
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        print(f"chaos (seed {SEED}): the suite could not run to the end (see above) -> ERROR", flush=True)
    finally:
        chaos.teardown()
    return status


if __name__ == "__main__":
    sys.exit(main())
