"""Helpers shared by the end-to-end suite (conftest.py) and scripts/bench/spawn_latency.py.

Everything here talks to the real local stack started by scripts/stack/*.sh: JupyterHub
through configurable-http-proxy, the hpcspawner service, Slurm (squeue/scontrol/sbatch).
``STACK_SLURM`` selects the cluster as it does for the stack scripts: 22.05 (default, Debian 12's
Slurm on this machine) or 24.11 (Debian 13's, in the chroot of scripts/stack/trixie.sh); every
Slurm command goes through ``slurm()``, which runs it where that cluster's programs live.
No mocks. Every wait is a bounded poll that fails with a message carrying the hub's user
model, the service's status and the user's Slurm jobs.
"""

import json
import os
import re
import subprocess
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests

# --- where things are ----------------------------------------------------------------------------
REPO_DIR = Path(__file__).resolve().parents[3]
STACK_SCRIPTS = REPO_DIR / "scripts" / "stack"
STACK_DIR = Path(os.environ.get("STACK_DIR", "/tmp/hpcspawner-stack"))
HOST = os.environ.get("STACK_HOST", "127.0.0.1")
PROXY_PORT = int(os.environ.get("PROXY_PORT", "8000"))
SERVICE_PORT = int(os.environ.get("SPAWNER_SERVICE_PORT", "8090"))
# health, metrics and OpenAPI are served only on the service's management interface
MANAGEMENT_PORT = int(os.environ.get("SPAWNER_MANAGEMENT_PORT", "9000"))
PUBLIC_URL = f"http://{HOST}:{PROXY_PORT}"
HUB_API = f"{PUBLIC_URL}/hub/api"
SERVICE_URL = f"http://{HOST}:{SERVICE_PORT}"
SERVICE_API = f"{SERVICE_URL}/api/v1"
MANAGEMENT_URL = f"http://{HOST}:{MANAGEMENT_PORT}"
HUB_PASSWORD = os.environ.get("HUB_DEMO_PASSWORD", "hpcspawner")
JOB_PREFIX = os.environ.get("HPCSPAWNER_JOB_PREFIX", "hpcsp")
# The Slurm cluster under test (scripts/stack/lib.sh: STACK_SLURM, TRIXIE_ROOT, the cluster's directory).
SLURM_VERSION = os.environ.get("STACK_SLURM", "22.05")
TRIXIE_ROOT = os.environ.get("TRIXIE_ROOT", "/var/lib/hpcspawner/trixie")
SLURM_DIR = STACK_DIR / ("slurm-24.11" if SLURM_VERSION == "24.11" else "slurm")
# The service keeps one store per cluster (scripts/stack/service-up.sh): its deployment id and records.
SERVICE_STORE = STACK_DIR / "service" / ("store-24.11" if SLURM_VERSION == "24.11" else "store")
TEST_USERS = ("alice", "bob", "carol")
# Slurm states in which a job still holds (or waits for) resources
ACTIVE_JOB_STATES = {
    "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED",
    "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "REQUEUE_HOLD", "REQUEUE_FED",
}
ENDED_SERVICE_STATES = {"stopped", "failed"}
# The scope the service requires on users' JupyterHub tokens (hpcspawner.auth.required-scope; the
# stack's hub defines it and grants it to every user, scripts/stack/jupyterhub_config.py).
SERVICE_SCOPE = "custom:hpcspawner:servers"
# A user's token for the tests: reaches the user's servers through the proxy and on the service.
USER_TOKEN_SCOPES = ("access:servers!user", f"{SERVICE_SCOPE}!user")
# What a single-user server's own token carries: no access to the service.
NOTEBOOK_TOKEN_SCOPES = ("access:servers!user", "users:activity!user")

# runuser, slurmd & co live in sbin, which a non-login root shell may lack on PATH
for _d in ("/usr/sbin", "/sbin"):
    if _d not in os.environ.get("PATH", "").split(":"):
        os.environ["PATH"] = os.environ.get("PATH", "") + ":" + _d



def deployment_id():
    """The id of the stack's service deployment, kept in its store (hpcspawner.store.directory)."""
    return json.loads((SERVICE_STORE / "deployment.identity").read_text())["id"]


def job_name(server_id):
    """The Slurm job name of a start: <prefix>-<deployment id>-<server id>."""
    return f"{JOB_PREFIX}-{deployment_id()}-{server_id}"


def read_secret(path, env=None):
    if env and os.environ.get(env):
        return os.environ[env].strip()
    return Path(path).read_text().strip()


def hub_admin_token():
    return read_secret(STACK_DIR / "hub-admin-token", "HUB_ADMIN_TOKEN")


def service_hub_token():
    return read_secret(STACK_DIR / "service" / "hub-token", "HPCSPAWNER_TOKEN")


def pretty(obj):
    try:
        return json.dumps(obj, indent=1, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(obj)


class WaitTimeout(AssertionError):
    pass


def wait_for(predicate, timeout, what, diag=None, interval=0.2):
    """Poll ``predicate()`` until it returns a truthy value (returned) or ``timeout`` seconds pass.

    On timeout raise an AssertionError naming ``what``, the last value seen and ``diag()``.
    Exceptions of the predicate count as "not yet" (the last one is reported).
    """
    deadline = time.monotonic() + timeout
    last, last_exc = None, None
    while True:
        try:
            last = predicate()
            last_exc = None
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - reported on timeout
            last_exc = e
        if time.monotonic() >= deadline:
            detail = f"last exception: {last_exc!r}" if last_exc else f"last value: {last!r}"
            extra = ""
            if diag is not None:
                try:
                    extra = "\n" + diag()
                except Exception as e:  # noqa: BLE001
                    extra = f"\n(diagnostics failed: {e!r})"
            raise WaitTimeout(f"timed out after {timeout}s waiting for {what}; {detail}{extra}")
        time.sleep(interval)


def parse_ts(text):
    """ISO-8601 with up to nanoseconds and Z -> aware datetime."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$", text)
    if not m:
        raise ValueError(f"not a timestamp: {text!r}")
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    frac = (m.group(2) or "0")[:6].ljust(6, "0")
    tz = m.group(3) or "Z"
    dt = base.replace(microsecond=int(frac), tzinfo=timezone.utc)
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        hh, mm = int(tz[1:3]), int(tz[-2:])
        dt = dt - sign * (datetime(1970, 1, 1, hh, mm) - datetime(1970, 1, 1))
    return dt


def transition_times(status):
    """{state: datetime} of the first time the service status entered each state."""
    out = {}
    for t in (status or {}).get("transitions") or []:
        out.setdefault(t["state"], parse_ts(t["at"]))
    return out


# --- Server-Sent Events -------------------------------------------------------------------------------
def read_sse(url, headers, timeout, until=None, on_event=None):
    """Read ``data:`` events (JSON-decoded when possible) from ``url`` for at most ``timeout`` s.

    Stops after an event for which ``until(event)`` is true, when the stream ends, or at the
    deadline. Returns ``(events, http_status, ended_reason)``.
    """
    deadline = time.monotonic() + timeout
    events = []
    try:
        with requests.get(url, headers=headers, stream=True,
                          timeout=(5, max(0.5, min(timeout, 30)))) as r:
            if r.status_code != 200:
                return [r.text], r.status_code, "http"
            data = []
            for raw in r.iter_lines(decode_unicode=True):
                line = raw if isinstance(raw, str) else raw.decode()
                if line == "":
                    if data:
                        text = "\n".join(data)
                        data = []
                        try:
                            ev = json.loads(text)
                        except ValueError:
                            ev = text
                        events.append(ev)
                        if on_event:
                            on_event(ev)
                        if until and until(ev):
                            return events, 200, "until"
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" ") if line.startswith("data: ") else line[5:])
                if time.monotonic() >= deadline:
                    return events, 200, "deadline"
            return events, 200, "eof"
    except requests.exceptions.RequestException as e:
        return events, None, f"error: {e!r}"


class SSECollector(threading.Thread):
    """Reads an SSE stream in the background; ``events`` fills as they arrive."""

    def __init__(self, url, headers, timeout, until=None):
        super().__init__(daemon=True)
        self.url, self.headers, self.timeout, self.until = url, headers, timeout, until
        self.events = []
        self.status = None
        self.ended = None
        self.start()

    def run(self):
        _, self.status, self.ended = read_sse(
            self.url, self.headers, self.timeout, self.until, on_event=self.events.append
        )

    def messages(self):
        return [e.get("message", "") if isinstance(e, dict) else str(e) for e in self.events]


# --- JupyterHub ------------------------------------------------------------------------------------------
def _server_path(user, name=""):
    return f"/users/{user}/servers/{name}" if name else f"/users/{user}/server"


class Hub:
    """JupyterHub REST API through the proxy, with the admin token."""

    def __init__(self, token=None):
        self.token = token or hub_admin_token()
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"token {self.token}"
        self._user_tokens = {}

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 30)
        return self.s.request(method, HUB_API + path, **kw)

    def version(self):
        return requests.get(HUB_API, timeout=10).json()["version"]

    def up(self):
        try:
            return self.request("GET", "/users/alice", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def user(self, user):
        r = self.request("GET", f"/users/{user}")
        r.raise_for_status()
        return r.json()

    def server(self, user, name=""):
        """The hub's model of one server (None when the hub lists none)."""
        return (self.user(user).get("servers") or {}).get(name)

    def start(self, user, name="", options=None, timeout=60):
        """POST the spawn; answers after the hub's slow_spawn_timeout (10 s) at most."""
        return self.request("POST", _server_path(user, name), json=options or {}, timeout=timeout)

    def start_async(self, user, name="", options=None):
        """POST the spawn in a background thread; returns the thread (``.result``/``.error``)."""
        return Background(self.start, user, name, options)

    def stop(self, user, name=""):
        return self.request("DELETE", _server_path(user, name))

    def user_token(self, user, scopes=USER_TOKEN_SCOPES):
        """A JupyterHub API token of ``user`` with ``scopes`` (created once per process and scopes
        through the admin API). By default it reaches the user's servers through the proxy and
        carries the hpcspawner service's scope; pass e.g. ``NOTEBOOK_TOKEN_SCOPES`` for a token
        the service must refuse."""
        key = (user, tuple(scopes))
        if key not in self._user_tokens:
            r = self.request("POST", f"/users/{user}/tokens",
                             json={"note": "hpcspawner e2e", "expires_in": 7200, "scopes": list(scopes)})
            assert r.status_code in (200, 201), f"creating a token for {user}: {r.status_code} {r.text}"
            self._user_tokens[key] = r.json()["token"]
        return self._user_tokens[key]

    def progress_url(self, user, name=""):
        return HUB_API + _server_path(user, name) + "/progress"

    def progress(self, user, name="", timeout=20, until=None):
        def stop_at(ev):
            if until and until(ev):
                return True
            return isinstance(ev, dict) and (ev.get("ready") or ev.get("failed"))
        return read_sse(self.progress_url(user, name), dict(self.s.headers), timeout, stop_at)


class Background(threading.Thread):
    """Runs ``fn(*args)`` in a daemon thread; ``join_result(timeout)`` returns its result."""

    def __init__(self, fn, *args, **kw):
        super().__init__(daemon=True)
        self.fn, self.args, self.kw = fn, args, kw
        self.result = None
        self.error = None
        self.started_at = time.monotonic()
        self.finished_at = None
        self.start()

    def run(self):
        try:
            self.result = self.fn(*self.args, **self.kw)
        except Exception as e:  # noqa: BLE001 - handed to the caller
            self.error = e
        finally:
            self.finished_at = time.monotonic()

    def join_result(self, timeout):
        self.join(timeout)
        assert not self.is_alive(), f"{self.fn.__name__}{self.args} still running after {timeout}s"
        if self.error:
            raise self.error
        return self.result


def spawn_request_answer(post, hub_version, timeout=30):
    """The answer to a spawn POST (a ``Background`` of ``Hub.start``) whose start was then stopped
    while queued; None when JupyterHub 5.1+ left it unanswered. That happens when the hub's own
    DELETE interrupts the start before slow_spawn_timeout (10 s): the hub cancels the spawn and
    never finishes the request (docs/hub-plugin.md). Any other hub must answer."""
    post.join(timeout)
    if post.is_alive():
        assert hub_version >= (5, 1), f"JupyterHub {hub_version} left the spawn request unanswered for {timeout} s"
        return None
    if post.error:
        raise post.error
    return post.result


# --- the hpcspawner service -------------------------------------------------------------------------------
class Service:
    """The service's REST API (api/v1) with the hub token, or another bearer token."""

    def __init__(self, token=None):
        self.token = token or service_hub_token()
        self.s = requests.Session()
        if self.token:
            self.s.headers["Authorization"] = f"Bearer {self.token}"

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 30)
        return self.s.request(method, SERVICE_API + path, **kw)

    def up(self):
        try:
            return requests.get(MANAGEMENT_URL + "/q/health/ready", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def status(self, user, name=""):
        """The server's status JSON, or None on 404."""
        r = self.request("GET", _server_path(user, name))
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return r.json()

    def servers(self, user):
        r = self.request("GET", f"/users/{user}/servers")
        r.raise_for_status()
        return r.json()

    def delete(self, user, name=""):
        return self.request("DELETE", _server_path(user, name))

    def events_url(self, user, name=""):
        return SERVICE_API + _server_path(user, name) + "/events"

    def events(self, user, name="", timeout=10, until=None):
        return read_sse(self.events_url(user, name), dict(self.s.headers), timeout, until)


# --- Slurm ------------------------------------------------------------------------------------------------
def run(cmd, timeout=60, check=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(
            f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\nstdout: {p.stdout}\nstderr: {p.stderr}"
        )
    return p


def slurm_command(cmd):
    """``cmd`` (a Slurm client, or ``runuser -u USER -- <Slurm client>``) as it runs for the cluster
    under test: unchanged for 22.05, in the trixie chroot with the cluster's SLURM_CONF for 24.11."""
    if SLURM_VERSION != "24.11":
        return list(cmd)
    return ["chroot", TRIXIE_ROOT, "/usr/bin/env", f"SLURM_CONF={SLURM_DIR / 'slurm.conf'}",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", *cmd]


def slurm(cmd, timeout=60, check=True, **kw):
    """Run a Slurm command (see ``slurm_command``) with ``run``."""
    return run(slurm_command(cmd), timeout=timeout, check=check, **kw)


def squeue(user=None, all_states=False):
    """Jobs as dicts: id, name, user, state, reason. Only active ones unless ``all_states``."""
    cmd = ["squeue", "-h", "-o", "%i|%j|%u|%T|%r"]
    if all_states:
        cmd += ["-t", "all"]
    if user:
        cmd += ["-u", user]
    out = slurm(cmd, timeout=20).stdout
    jobs = []
    for line in out.splitlines():
        if not line.strip():
            continue
        jid, name, u, state, reason = line.split("|", 4)
        jobs.append({"id": jid.strip(), "name": name, "user": u, "state": state, "reason": reason})
    if not all_states:
        jobs = [j for j in jobs if j["state"] in ACTIVE_JOB_STATES]
    return jobs


def scontrol_job(job_id):
    """``scontrol show job -o`` as a dict, or None when Slurm no longer knows the job."""
    p = slurm(["scontrol", "show", "job", "-o", str(job_id)], timeout=20, check=False)
    if p.returncode != 0:
        if "Invalid job id" in p.stderr or "Invalid job id" in p.stdout:
            return None
        raise AssertionError(f"scontrol show job {job_id} failed: {p.stderr}")
    fields = {}
    for tok in p.stdout.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            fields.setdefault(k, v)
    return fields


def job_state(job_id):
    info = scontrol_job(job_id)
    return None if info is None else info.get("JobState")


def sbatch_as(user, *args):
    """Submit a batch job as ``user`` (runuser); returns the job id."""
    p = slurm(["runuser", "-u", user, "--", "sbatch", "--parsable", "-D", "/tmp", "-o", "/dev/null",
               *args], timeout=30)
    return p.stdout.strip().split(";")[0]


def scancel(*job_ids, user=None):
    cmd = ["scancel"]
    if user:
        cmd += ["-u", user]
    cmd += [str(j) for j in job_ids]
    slurm(cmd, timeout=30, check=False)


def node_cpus():
    out = slurm(["sinfo", "-h", "-N", "-o", "%c"], timeout=20).stdout.split()
    return int(out[0]) if out else 2


# --- the stack scripts ------------------------------------------------------------------------------------
def stack_script(name, *args, timeout=180):
    env = dict(os.environ, STACK_DIR=str(STACK_DIR))
    t0 = time.monotonic()
    p = subprocess.run([str(STACK_SCRIPTS / name), *args], capture_output=True, text=True,
                       timeout=timeout, env=env)
    if p.returncode != 0:
        raise AssertionError(
            f"{name} {' '.join(args)} failed ({p.returncode}) after {time.monotonic() - t0:.1f}s\n"
            f"stdout: {p.stdout}\nstderr: {p.stderr}"
        )
    return time.monotonic() - t0


def restart_service(kill=True):
    """kill -9 (or stop) the service and start it again; returns the seconds it took."""
    t = stack_script("service-down.sh", *(["--kill"] if kill else []))
    return t + stack_script("service-up.sh")


def restart_hub():
    """Stop only the hub (the proxy and its routes stay) and start it again; returns seconds."""
    t = stack_script("hub-down.sh", "--keep-proxy")
    return t + stack_script("hub-up.sh")


def log_tail(name, lines=40):
    path = STACK_DIR / name
    try:
        return "".join(path.read_text(errors="replace").splitlines(True)[-lines:])
    except OSError as e:
        return f"({path}: {e})"


def new_id(prefix="e2e"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
