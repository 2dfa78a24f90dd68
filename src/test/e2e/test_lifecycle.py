"""Start, reach and stop single-user servers through JupyterHub (scenarios a, b, c)."""

import e2elib as E


def test_a_spawn_default_server(stack, hub):
    """alice's default server starts as a Slurm job and answers through the proxy."""
    r = hub.start("alice", "", {"profile": "small"})
    assert r.status_code in (201, 202), f"hub POST answered {r.status_code} {r.text}\n{stack.diag()}"
    model = stack.wait_hub_ready("alice", "", 30)
    assert model["url"] == "/user/alice/", stack.diag()

    body = stack.assert_reachable("alice")
    assert isinstance(body["version"], str) and body["version"], body

    status = stack.wait_service_state("alice", "", {"running"}, 10)
    assert status["host"] and isinstance(status["port"], int) and status["port"] > 0, E.pretty(status)
    assert status["url"] == f"http://{status['host']}:{status['port']}", E.pretty(status)
    assert status["user"] == "alice" and status["server"] == "" and status["profile"] == "small", E.pretty(status)
    assert status["startId"] == model["state"].get("start_id"), (
        f"hub's start_id and the service's startId differ\n{stack.diag()}")

    jobs = stack.spawner_jobs("alice")
    assert len(jobs) == 1, f"expected exactly one job of alice: {jobs}\n{stack.diag()}"
    job = jobs[0]
    assert job["state"] == "RUNNING", f"{job}\n{stack.diag()}"
    assert job["name"] == E.job_name(status["id"]), f"{job} vs {E.pretty(status)}"
    assert job["id"] == str(status["jobId"]), f"{job} vs {E.pretty(status)}"


def test_b_stop_through_hub(stack, hub):
    """DELETE through the hub: the hub reports it stopped, the job is cancelled, the service says stopped."""
    status = stack.spawn_ready("alice")
    job_id = status["jobId"]
    stack.assert_reachable("alice")

    r = hub.stop("alice")
    assert r.status_code in (202, 204), f"hub DELETE answered {r.status_code} {r.text}\n{stack.diag()}"
    stack.wait_hub_gone("alice", "", 30)

    final = stack.wait_job_ended(job_id, 20, states=("CANCELLED",))
    assert final in (None, "CANCELLED"), f"job {job_id} ended as {final}"
    assert not stack.spawner_jobs("alice"), stack.diag()

    status = stack.wait_service_state("alice", "", {"stopped"}, 10)
    assert status["jobId"] == job_id, E.pretty(status)
    assert status["exitCode"] == 0, f"a stop on request must give exitCode 0: {E.pretty(status)}"

    r = stack.get_through_proxy("alice")
    assert r.status_code != 200, f"the stopped server still answers through the proxy: {r.status_code} {r.text}"


def test_c_two_named_servers(stack, hub):
    """Two named servers of alice at once, each its own job and route; both stop."""
    starts = [hub.start_async("alice", name, {"profile": "small"}) for name in ("one", "two")]
    for name, t in zip(("one", "two"), starts):
        r = t.join_result(40)
        assert r.status_code in (201, 202), f"hub POST {name}: {r.status_code} {r.text}\n{stack.diag('alice', name)}"
    statuses = {}
    for name in ("one", "two"):
        model = stack.wait_hub_ready("alice", name, 30)
        assert model["url"] == f"/user/alice/{name}/", stack.diag("alice", name)
        stack.assert_reachable("alice", name)
        statuses[name] = stack.wait_service_state("alice", name, {"running"}, 10)
        assert statuses[name]["server"] == name, E.pretty(statuses[name])

    jobs = {j["id"]: j for j in stack.spawner_jobs("alice")}
    ids = {name: str(s["jobId"]) for name, s in statuses.items()}
    assert ids["one"] != ids["two"], f"both servers report the same job: {ids}"
    assert set(ids.values()) == set(jobs), f"service jobs {ids} vs squeue {list(jobs.values())}"
    for name, jid in ids.items():
        assert jobs[jid]["state"] == "RUNNING", jobs[jid]
        assert jobs[jid]["name"] == E.job_name(statuses[name]["id"]), (jobs[jid], statuses[name])
    assert statuses["one"]["url"] != statuses["two"]["url"], E.pretty(statuses)

    for name in ("one", "two"):
        r = hub.stop("alice", name)
        assert r.status_code in (202, 204), f"hub DELETE {name}: {r.status_code} {r.text}"
    for name in ("one", "two"):
        stack.wait_hub_gone("alice", name, 30)
        stack.wait_job_ended(ids[name], 20)
        stack.wait_service_state("alice", name, {"stopped"}, 10)
    assert not stack.spawner_jobs("alice"), stack.diag()
