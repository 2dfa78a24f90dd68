"""Fixtures of the end-to-end suite: the real stack (Slurm + slurmrestd, the hpcspawner service,
JupyterHub with hpcspawner.HPCSpawner behind configurable-http-proxy), started by scripts/e2e.sh.

- ``hub``: JupyterHub REST API (http://127.0.0.1:8000/hub/api) with the admin token
- ``service``: the service API (http://127.0.0.1:8090/api/v1) with the hub token
- ``stack``: both plus waits, diagnostics, Slurm helpers and restarts
- ``clean`` (autouse): before and after every test, stops every server of alice/bob/carol
  through the hub, cancels their leftover jobs and waits until the service has ended them all
"""

import time

import pytest
import requests

import e2elib as E


def pytest_report_header(config):
    return [f"hpcspawner e2e: hub {E.PUBLIC_URL}, service {E.SERVICE_URL}, stack dir {E.STACK_DIR}"]


class Stack:
    def __init__(self, hub, service):
        self.hub = hub
        self.service = service

    # --- diagnostics ---------------------------------------------------------------------------
    def diag(self, user="alice", name="", logs=True):
        parts = []
        try:
            parts.append(f"hub user model of {user}: {E.pretty(self.hub.user(user))}")
        except Exception as e:  # noqa: BLE001
            parts.append(f"hub user model of {user}: unavailable ({e!r})")
        try:
            parts.append(f"service status of {user}/{name!r}: {E.pretty(self.service.status(user, name))}")
        except Exception as e:  # noqa: BLE001
            parts.append(f"service status of {user}/{name!r}: unavailable ({e!r})")
        try:
            parts.append(f"squeue (all users, all states): {E.pretty(E.squeue(all_states=True))}")
        except Exception as e:  # noqa: BLE001
            parts.append(f"squeue: unavailable ({e!r})")
        if logs:
            parts.append("--- service.log (tail) ---\n" + E.log_tail("service.log", 15))
            parts.append("--- hub.log (tail) ---\n" + E.log_tail("hub.log", 15))
        return "\n".join(parts)

    def differ(self, user="alice", name="", logs=True):
        return lambda: self.diag(user, name, logs)

    # --- hub -----------------------------------------------------------------------------------
    def wait_hub_ready(self, user="alice", name="", timeout=30):
        return E.wait_for(
            lambda: (lambda s: s if s and s.get("ready") else None)(self.hub.server(user, name)),
            timeout, f"the hub to report {user}'s server {name!r} ready", self.differ(user, name),
        )

    def wait_hub_gone(self, user="alice", name="", timeout=30):
        E.wait_for(lambda: self.hub.server(user, name) is None, timeout,
                   f"the hub to report {user}'s server {name!r} stopped (gone from its model)",
                   self.differ(user, name))

    def spawn_ready(self, user="alice", name="", options=None, timeout=30):
        """Start through the hub API and wait until the hub says ready; returns the service status."""
        options = {"profile": "small"} if options is None else options
        r = self.hub.start(user, name, options)
        assert r.status_code in (201, 202), (
            f"hub POST {user}/{name!r} answered {r.status_code} {r.text}\n{self.diag(user, name)}")
        self.wait_hub_ready(user, name, timeout)
        status = self.wait_service_state(user, name, {"running"}, 10)
        return status

    # --- proxy -----------------------------------------------------------------------------------
    def server_api_url(self, user="alice", name=""):
        return f"{E.PUBLIC_URL}/user/{user}/{name + '/' if name else ''}api"

    def get_through_proxy(self, user="alice", name="", token=None):
        token = token or self.hub.user_token(user)
        return requests.get(self.server_api_url(user, name),
                            headers={"Authorization": f"token {token}"}, timeout=10,
                            allow_redirects=False)

    def assert_reachable(self, user="alice", name="", timeout=10):
        """The single-user server answers GET /user/<u>/[<name>/]api with 200 + JSON version."""
        def ok():
            r = self.get_through_proxy(user, name)
            if r.status_code == 200 and "version" in r.json():
                return r
            return None
        r = E.wait_for(ok, timeout, f"{self.server_api_url(user, name)} to answer 200 with a JSON version "
                       "through the proxy", self.differ(user, name))
        return r.json()

    # --- service ---------------------------------------------------------------------------------
    def wait_service_state(self, user="alice", name="", states=("running",), timeout=20, pred=None):
        states = set(states)

        def check():
            s = self.service.status(user, name)
            if s and s.get("state") in states and (pred is None or pred(s)):
                return s
            return None
        return E.wait_for(check, timeout,
                          f"the service status of {user}/{name!r} to be {sorted(states)}"
                          + (" (with extra condition)" if pred else ""),
                          self.differ(user, name))

    # --- slurm -----------------------------------------------------------------------------------
    def spawner_jobs(self, user="alice"):
        """Active jobs of ``user`` submitted by the service (name prefix hpcsp-)."""
        return [j for j in E.squeue(user) if j["name"].startswith(E.JOB_PREFIX + "-")]

    def fill_node(self, user="bob", minutes=None):
        """Occupy every CPU of the node with a job of ``user``; returns its id once RUNNING.
        With ``minutes``, the job's time limit (so that Slurm can estimate when the node frees up)."""
        cpus = E.node_cpus()
        limit = ["-t", str(minutes)] if minutes else []
        job = E.sbatch_as(user, "-c", str(cpus), *limit, "-J", "e2e-fill", "--wrap", "sleep 600")
        E.wait_for(lambda: E.job_state(job) == "RUNNING", 15,
                   f"{user}'s node-filling job {job} to run", self.differ(user, logs=False))
        return job

    def start_queued(self, user="alice", name=""):
        """Fill the node with a job of bob, start ``user``'s server through the hub (in the
        background) and wait until the service says queued. Returns (filler job id, POST thread, status)."""
        filler = self.fill_node("bob")
        post = self.hub.start_async(user, name, {"profile": "small"})
        status = self.wait_service_state(user, name, {"queued"}, 15, pred=lambda s: s.get("jobId"))
        jobs = self.spawner_jobs(user)
        assert [j["id"] for j in jobs] == [str(status["jobId"])], f"{jobs}\n{self.diag(user, name)}"
        assert jobs[0]["state"] == "PENDING", f"{jobs}\n{self.diag(user, name)}"
        return filler, post, status

    def wait_job_ended(self, job_id, timeout=20, states=("CANCELLED",)):
        """The job is in one of ``states`` or gone from slurmctld; returns its final state (or None)."""
        def ended():
            st = E.job_state(job_id)
            if st is None or st in states:
                return st or "GONE"
            return None
        st = E.wait_for(ended, timeout, f"job {job_id} to end in {states} (or disappear)",
                        lambda: f"scontrol: {E.scontrol_job(job_id)}")
        return None if st == "GONE" else st

    # --- reset -------------------------------------------------------------------------------------
    def ensure_up(self):
        if not self.service.up():
            E.stack_script("service-up.sh")
        if not self.hub.up():
            E.stack_script("hub-up.sh")

    def reset(self, users=E.TEST_USERS):
        """Stop every server of ``users`` through the hub, cancel their jobs, wait until all ended."""
        self.ensure_up()
        for user in users:
            for name, model in (self.hub.user(user).get("servers") or {}).items():
                if model.get("pending") == "stop":
                    continue
                r = self.hub.stop(user, name)
                if r.status_code == 400 and "pending" in r.text:
                    # JupyterHub 3.0 refuses to stop a pending spawn: cancel it at the service,
                    # which makes the plugin's start() fail and the hub drop the server.
                    self.service.delete(user, name)
        for user in users:
            E.wait_for(lambda: not (self.hub.user(user).get("servers") or {}), 90,
                       f"cleanup: the hub to list no server of {user}", self.differ(user))
        for user in users:
            if E.squeue(user):
                E.scancel(user=user)
        for user in users:
            E.wait_for(lambda: not E.squeue(user), 30, f"cleanup: no active Slurm job of {user}",
                       self.differ(user, logs=False))
            E.wait_for(
                lambda: all(s.get("state") in E.ENDED_SERVICE_STATES for s in self.service.servers(user)),
                40, f"cleanup: the service to report every server of {user} ended",
                lambda: E.pretty(self.service.servers(user)))


@pytest.fixture(scope="session")
def hub():
    return E.Hub()


@pytest.fixture(scope="session")
def service():
    return E.Service()


@pytest.fixture(scope="session")
def stack(hub, service):
    s = Stack(hub, service)
    s.ensure_up()
    return s


@pytest.fixture(scope="session")
def hub_version(hub):
    return tuple(int(x) for x in hub.version().split(".")[:2])


def remove_carol_config():
    for f in ("jupyter_notebook_config.py", "jupyter_server_config.py"):
        p = E.Path("/home/carol/.jupyter") / f
        try:
            if "hpcspawner e2e" in p.read_text():
                p.unlink()
        except OSError:
            pass


@pytest.fixture(autouse=True)
def clean(stack, request):
    t0 = time.monotonic()
    remove_carol_config()
    stack.reset()
    t1 = time.monotonic()
    yield
    t2 = time.monotonic()
    remove_carol_config()
    stack.reset()
    request.node.user_properties.append(("cleanup_s", round(time.monotonic() - t2 + t1 - t0, 2)))
