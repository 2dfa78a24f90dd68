"""The end-to-end health check on the real stack: the service starts carol's server "healthcheck"
through the hub, the plugin, Slurm and the proxy, reaches it, stops it, and reports each step; the
CLI script prints the same and exits 0; the metrics keep the result; no job is left behind."""

import os
import subprocess
import sys

import requests

import e2elib as E

CHECK = "/admin/health-check"
STEPS = ["hub took the start", "submitted", "allocated", "server ready", "reached through the proxy", "stopped"]


def follow(service, timeout=200):
    def done():
        r = service.request("GET", CHECK)
        assert r.status_code == 200, f"GET {CHECK}: {r.status_code} {r.text}"
        body = r.json()
        return body if body["state"] != "running" else None
    return E.wait_for(done, timeout, "the end-to-end check to end", interval=1)


def no_check_running(service):
    """An earlier check (one a failed test left behind) ends before the next starts: one at a time."""
    def idle():
        r = service.request("GET", CHECK)
        return r.status_code == 404 or r.json()["state"] != "running"
    E.wait_for(idle, 200, "no end-to-end check to be running", interval=1)


def test_zy_the_end_to_end_check_passes_through_the_whole_path_and_leaves_nothing(stack, service, hub):
    no_check_running(service)
    r = service.request("POST", CHECK)
    assert r.status_code == 202, f"POST {CHECK}: {r.status_code} {r.text}"
    assert r.json()["state"] == "running"
    again = service.request("POST", CHECK)
    assert again.status_code == 409 and again.json()["error"] == "health_check_running", again.text

    result = follow(service)

    assert result["state"] == "passed", E.pretty(result)
    assert [s["name"] for s in result["steps"]] == STEPS, E.pretty(result)
    details = {s["name"]: s["detail"] for s in result["steps"]}
    assert details["submitted"].startswith("job "), details
    assert details["reached through the proxy"].endswith("HTTP 200"), details
    job = details["submitted"].split()[1]
    E.wait_for(lambda: E.job_state(job) not in ("PENDING", "CONFIGURING", "RUNNING", "COMPLETING"), 60,
               f"the check's job {job} to end")
    assert not (hub.server("carol", "healthcheck") or {}).get("ready"), "the check's server still runs"
    metrics = requests.get(E.MANAGEMENT_URL + "/q/metrics", timeout=10).text
    assert "hpcspawner_health_check_passed 1.0" in metrics, [l for l in metrics.splitlines() if "health_check" in l]


def test_zy_the_cli_prints_each_step_and_exits_0(stack, service):
    no_check_running(service)
    env = dict(os.environ, HPCSPAWNER_URL=E.SERVICE_URL, HPCSPAWNER_TOKEN=service.token)
    p = subprocess.run([sys.executable, str(E.REPO_DIR / "scripts" / "health-check.py")], env=env,
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "end-to-end check of carol/healthcheck: PASSED" in p.stdout, p.stdout
    for step in STEPS:
        assert step in p.stdout, p.stdout
    assert service.token not in p.stdout + p.stderr
