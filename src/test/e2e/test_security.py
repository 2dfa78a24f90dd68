"""Issue 8 on the real stack: the cluster's own users are the attackers (docs/security.md).

s1  root, the Slurm users, nobody and unknown names never get a job (slurmrestd runs a job as
    whichever name it is given)
s2  no secret (the server's hub API token, the start secret) on any command line while a server
    starts and runs, nor in what Slurm shows about the job
s3  a job output file replaced by a symlink to a root-only file: the researcher's failure message
    never shows the target's content
"""

import re
import threading
import time
import uuid

import pytest

import e2elib as E

CAROL_JUPYTER = E.Path("/home/carol/.jupyter")


def _create(service, user, server="sec"):
    return service.request("POST", f"/users/{user}/servers/{server}",
                           json={"startId": E.new_id(), "options": {"profile": "small"}, "environment": {}})


@pytest.mark.parametrize("user", ["root", "slurm", "slurmrestd", "nobody", "daemon", "ghost-e2e-unknown"])
def test_s1_system_accounts_and_unknown_names_get_no_job(stack, service, user):
    before = {j["id"] for j in E.squeue(all_states=True)}
    r = _create(service, user)
    assert r.status_code == 403, f"{user}: {r.status_code} {r.text}"
    err = r.json()
    assert err.get("error") == "user_not_allowed" and err.get("field") == "user", err
    assert user.split("-")[0] in err.get("message", "") or "no user" in err.get("message", ""), err
    time.sleep(1)
    new = [j for j in E.squeue(all_states=True) if j["id"] not in before]
    assert not new, f"a refused user got a job: {new}"
    assert service.status(user, "sec") is None, "a refused start left a record"


class CommandLines(threading.Thread):
    """Samples every process's command line (ps -eo args) until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.samples.append(E.run(["ps", "-eo", "args"], timeout=10).stdout)
            time.sleep(0.05)

    def stop(self):
        self.done.set()
        self.join(10)
        return "\n".join(self.samples)


def _server_token(user):
    """JUPYTERHUB_API_TOKEN from the environment of the user's running jupyterhub-singleuser."""
    pids = E.run(["pgrep", "-u", user, "-f", "jupyterhub-singleuser"], check=False).stdout.split()
    for pid in pids:
        try:
            env = E.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for entry in env:
            if entry.startswith(b"JUPYTERHUB_API_TOKEN="):
                return entry.split(b"=", 1)[1].decode()
    return None


def test_s2_no_secret_on_a_command_line_or_in_slurms_view(stack, hub):
    sampler = CommandLines()
    sampler.start()
    try:
        status = stack.spawn_ready("alice")
        time.sleep(1)
    finally:
        command_lines = sampler.stop()
    job = str(status["jobId"])
    script = E.slurm(["scontrol", "write", "batch_script", job, "-"]).stdout
    m = re.search(r"^hpcsp_secret='([0-9a-f]{64})'$", script, re.M)
    assert m, f"no start secret in the job's script:\n{script[:2000]}"
    start_secret = m.group(1)
    server_token = _server_token("alice")
    assert server_token, f"no JUPYTERHUB_API_TOKEN in alice's server environment\n{stack.diag()}"
    assert f"export JUPYTERHUB_API_TOKEN='{server_token}'" in script, "the hub token does not travel in the script"
    assert len(sampler.samples) > 10, f"too few ps samples: {len(sampler.samples)}"
    for name, secret in (("start secret", start_secret), ("server API token", server_token)):
        assert secret not in command_lines, f"the {name} appeared on a command line"
        slurm_view = E.slurm(["scontrol", "show", "job", "-dd", job]).stdout
        assert secret not in slurm_view, f"the {name} is in scontrol show job:\n{slurm_view}"
        squeue_view = E.slurm(["squeue", "-j", job, "-o", "%all"]).stdout
        assert secret not in squeue_view, f"the {name} is in squeue -o %all"
    # Only the job's user and root can read the script's copy on the node.
    assert "hub-secret" not in command_lines


@pytest.fixture
def slow_failing_carol():
    """carol's servers sleep 8 s, then exit: time to swap the job's output file."""
    marker = f"E2E-SLOW-FAIL-{uuid.uuid4().hex[:8]}"
    content = ("# written by the hpcspawner e2e suite (test_s3); safe to delete\n"
               f"import time\ntime.sleep(8)\nraise SystemExit('{marker}')\n")
    E.run(["runuser", "-u", "carol", "--", "bash", "-c",
           'mkdir -p "$D" && for f in jupyter_notebook_config.py jupyter_server_config.py; do '
           'printf "%s" "$E2E_CONTENT" > "$D/$f"; done'],
          env={"E2E_CONTENT": content, "D": str(CAROL_JUPYTER),
               "PATH": E.os.environ.get("PATH", "")})
    yield marker
    for f in ("jupyter_notebook_config.py", "jupyter_server_config.py"):
        (CAROL_JUPYTER / f).unlink(missing_ok=True)


@pytest.fixture
def root_only_secret():
    path = E.Path(f"/root/e2e-secret-{uuid.uuid4().hex[:8]}")
    secret = f"E2E-ROOT-ONLY-{uuid.uuid4().hex}"
    path.write_text(f"token={secret}\n")
    path.chmod(0o600)
    yield path, secret
    path.unlink(missing_ok=True)


def test_s3_a_symlinked_output_file_is_not_read_with_the_services_rights(stack, service, slow_failing_carol,
                                                                         root_only_secret):
    target, secret = root_only_secret
    r = _create(service, "carol", "leak")
    assert r.status_code == 202, r.text
    status = stack.wait_service_state("carol", "leak", {"starting"}, 30, pred=lambda s: s.get("jobId"))
    job = str(status["jobId"])
    out = E.Path(f"/home/carol/.hpcspawner-{E.job_name(status['id'])}.log")
    E.wait_for(lambda: out.exists(), 10, f"{out} to exist", stack.differ("carol", "leak"))
    # carol swaps her output file for a link to a file only root may read, then the job fails
    E.run(["runuser", "-u", "carol", "--", "ln", "-sfn", str(target), str(out)])
    assert out.is_symlink()
    final = stack.wait_service_state("carol", "leak", {"failed"}, 60)
    shown = final.get("message") or ""
    assert secret not in shown, f"the failure message shows a root-only file: {shown!r}"
    events, _, _ = service.events("carol", "leak", timeout=5)
    assert all(secret not in str(e) for e in events), events
    assert secret not in E.log_tail("service.log", 400), "the root-only file reached the service log"
    assert E.job_state(job) in (None, "FAILED", "COMPLETED"), E.scontrol_job(job)
