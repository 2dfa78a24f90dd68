"""Queued jobs, and restarts of the service and the hub around them (scenarios d, e, f, g)."""

import time
from datetime import datetime

import e2elib as E


def test_d_queued_then_stopped(stack, hub, service, hub_version):
    """A full node: the status says queued with the reason, the user sees it, the stop cancels the job."""
    filler, post, status = stack.start_queued()
    job_id = str(status["jobId"])

    # Slurm says Priority/None for up to one scheduler pass, then Resources
    status = stack.wait_service_state("alice", "", {"queued"}, 15,
                                      pred=lambda s: s.get("pendingReason") == "Resources")
    assert "Resources" in (status.get("message") or ""), E.pretty(status)
    # Slurm's estimated start: its backfill may have none yet, so only that the field and the message agree
    estimate = status.get("estimatedStart")
    assert ("Slurm expects it to start at" in (status.get("message") or "")) == bool(estimate), E.pretty(status)
    if estimate:
        datetime.fromisoformat(estimate.replace("Z", "+00:00"))  # ISO-8601

    model = hub.server("alice")
    assert model and model["pending"] == "spawn" and not model["ready"], (
        f"hub should show a pending spawn while queued\n{stack.diag()}")

    # what the user sees: the hub's progress stream (the spawn-pending page reads it)
    progress = E.SSECollector(hub.progress_url("alice"), dict(hub.s.headers), 15,
                              until=lambda ev: "Resources" in str(ev))
    progress.join(16)
    assert any("Resources" in m for m in progress.messages()), (
        f"hub progress events never mention the pending reason: {progress.events} "
        f"(http {progress.status}, {progress.ended})\n{stack.diag()}")
    # and the service's own event stream
    events, code, _ = service.events("alice", "", 10, until=lambda ev: "Resources" in str(ev))
    assert code == 200 and any("Resources" in str(e) for e in events), f"service events: {code} {events}"

    # stop while queued
    r = hub.stop("alice")
    if hub_version >= (5, 1):
        assert r.status_code in (202, 204), f"hub DELETE while queued: {r.status_code} {r.text}\n{stack.diag()}"
    else:
        # JupyterHub < 5.1 refuses to stop a pending spawn ("is pending spawn, please wait"):
        # the admin's way out is the service's DELETE; the hub must then drop the pending spawn.
        assert r.status_code == 400 and "pending" in r.text, f"{r.status_code} {r.text}"
        r = service.delete("alice")
        assert r.status_code == 202, f"service DELETE while queued: {r.status_code} {r.text}"
        assert r.json()["state"] in ("stopping", "stopped"), r.text

    stack.wait_job_ended(job_id, 20, states=("CANCELLED",))
    assert not E.squeue("alice"), f"something left pending for alice\n{stack.diag()}"
    stack.wait_service_state("alice", "", {"stopped"}, 10)
    stack.wait_hub_gone("alice", "", 20)
    answer = E.spawn_request_answer(post, hub_version)
    assert answer is None or answer.status_code != 201, (
        f"the hub's spawn request claims success: {answer.status_code} {answer.text}")
    assert E.job_state(filler) == "RUNNING", "bob's job must not be touched"


def test_d2_a_queued_start_says_how_many_jobs_are_ahead_of_it(stack, hub, service):
    """Bob holds the node and has one more job waiting, submitted first: alice's start is second in the
    partition's queue, the status and the message say so, and once bob's waiting job is gone she is next."""
    filler = stack.fill_node("bob")
    ahead = E.sbatch_as("bob", "-c", "1", "-J", "e2e-ahead", "--wrap", "sleep 600")
    E.wait_for(lambda: E.job_state(ahead) == "PENDING", 15, f"bob's second job {ahead} to wait")
    hub.start_async("alice", "", {"profile": "small"})
    status = stack.wait_service_state("alice", "", {"queued"}, 30, pred=lambda s: s.get("queuePosition") == 2)
    assert "1 job is ahead of it in its partition's queue" in status["message"], E.pretty(status)
    E.scancel(ahead)
    status = stack.wait_service_state("alice", "", {"queued"}, 30, pred=lambda s: s.get("queuePosition") == 1)
    assert "It is next in its partition's queue" in status["message"], E.pretty(status)
    E.scancel(filler)
    status = stack.wait_service_state("alice", "", {"starting", "running"}, 60)
    assert "queuePosition" not in status, E.pretty(status)


def test_e_service_killed_while_queued(stack, hub, service):
    """kill -9 of the service while the job is queued: after the restart the same job starts, the
    server comes up through the hub and the proxy, and there is exactly one job."""
    filler, post, status = stack.start_queued()
    job_id = str(status["jobId"])

    took = E.restart_service(kill=True)
    after = stack.wait_service_state("alice", "", {"queued"}, 15)
    assert str(after["jobId"]) == job_id and after["id"] == status["id"], (
        f"the restarted service lost or replaced the start: before {E.pretty(status)}\n after {E.pretty(after)}")

    E.scancel(filler)
    stack.wait_hub_ready("alice", "", 60)
    stack.assert_reachable("alice")
    final = stack.wait_service_state("alice", "", {"running"}, 10)
    assert str(final["jobId"]) == job_id, E.pretty(final)
    jobs = stack.spawner_jobs("alice")
    assert [j["id"] for j in jobs] == [job_id], f"expected only job {job_id}: {jobs}\n{stack.diag()}"
    all_alice = [j for j in E.squeue("alice", all_states=True) if j["state"] in E.ACTIVE_JOB_STATES]
    assert len(all_alice) == 1, f"orphan or duplicate jobs of alice: {all_alice}"
    answer = post.join_result(30)
    assert answer.status_code in (201, 202), f"{answer.status_code} {answer.text}"
    print(f"service restart took {took:.1f}s")


def test_f_service_killed_while_running(stack, hub, service):
    """kill -9 of the service while the server runs: nothing the user notices changes."""
    status = stack.spawn_ready("alice")
    job_id = str(status["jobId"])
    stack.assert_reachable("alice")

    took = E.restart_service(kill=True)
    after = stack.wait_service_state("alice", "", {"running"}, 10)
    for key in ("id", "jobId", "host", "port", "url", "startId"):
        assert after[key] == status[key], f"{key} changed across the restart: {E.pretty(status)}\n{E.pretty(after)}"
    assert stack.hub.server("alice")["ready"], stack.diag()
    stack.assert_reachable("alice", timeout=5)

    # stays so across the service's slow watch interval (10 s) and one hub poll (poll_interval 10 s)
    end = time.monotonic() + 12
    while time.monotonic() < end:
        s = service.status("alice")
        assert s and s["state"] == "running" and str(s["jobId"]) == job_id, f"after restart: {stack.diag()}"
        model = hub.server("alice")
        assert model and model["ready"], f"the hub dropped the server after the service restart\n{stack.diag()}"
        jobs = stack.spawner_jobs("alice")
        assert [(j["id"], j["state"]) for j in jobs] == [(job_id, "RUNNING")], f"{jobs}\n{stack.diag()}"
        time.sleep(1)
    stack.assert_reachable("alice", timeout=5)
    print(f"service restart took {took:.1f}s")


def test_g_hub_restarted_while_queued(stack, hub, service):
    """The hub restarts (proxy kept) while the job is queued: it adopts the server once it runs."""
    filler, post, status = stack.start_queued()
    job_id = str(status["jobId"])
    token = hub.user_token("alice")  # created before the restart (the hub DB keeps it)

    took = E.restart_hub()
    post.join(5)  # the old hub's request died with it
    s = service.status("alice")
    assert s["state"] == "queued" and str(s["jobId"]) == job_id, f"hub restart changed the start\n{stack.diag()}"

    E.scancel(filler)
    stack.wait_hub_ready("alice", "", 60)
    stack.assert_reachable("alice")
    final = stack.wait_service_state("alice", "", {"running"}, 10)
    assert str(final["jobId"]) == job_id and final["startId"] == status["startId"], E.pretty(final)
    jobs = stack.spawner_jobs("alice")
    assert [j["id"] for j in jobs] == [job_id], f"{jobs}\n{stack.diag()}"
    assert token
    print(f"hub restart took {took:.1f}s")
