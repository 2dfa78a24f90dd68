"""Extra resilience scenarios beyond the brief's list: the job starts while the service is down,
and a job ended behind the hub's back."""

import time

import e2elib as E


def test_x1_job_starts_while_service_down(stack, hub, service):
    """The service is down exactly when the job starts (its ready callback cannot arrive): after
    the restart the service must still find the server (the READY line in the job output)."""
    filler, post, status = stack.start_queued()
    job_id = str(status["jobId"])

    t0 = time.monotonic()
    marks = {}
    E.stack_script("service-down.sh", "--kill")
    try:
        E.scancel(filler)
        E.wait_for(lambda: E.job_state(job_id) == "RUNNING", 15, f"job {job_id} to run while the service is down",
                   stack.differ(logs=False))
        # give the batch script time to start the server and fail its callback
        E.wait_for(lambda: any("HPCSPAWNER_READY" in p.read_text(errors="replace")
                               for p in E.Path("/home/alice").glob(f".hpcspawner-*{status['id']}*")),
                   20, "the job to print its HPCSPAWNER_READY line", stack.differ(logs=False))
        marks["ready line"] = time.monotonic() - t0
    finally:
        E.stack_script("service-up.sh")
        marks["service up"] = time.monotonic() - t0

    final = stack.wait_service_state("alice", "", {"running"}, 20)
    marks["service running"] = time.monotonic() - t0
    assert str(final["jobId"]) == job_id and final["host"] and final["port"], E.pretty(final)
    stack.wait_hub_ready("alice", "", 60)
    marks["hub ready"] = time.monotonic() - t0
    stack.assert_reachable("alice")
    assert [j["id"] for j in stack.spawner_jobs("alice")] == [job_id], stack.diag()
    post.join(5)
    print("seconds after the kill:", {k: round(v, 1) for k, v in marks.items()})


def test_x2_job_cancelled_behind_the_hubs_back(stack, hub, service):
    """An admin scancels the running job: the service says so and the hub drops the server at
    its next poll (poll_interval 10 s); the user can start again."""
    status = stack.spawn_ready("alice")
    job_id = str(status["jobId"])
    t0 = time.monotonic()
    E.scancel(job_id)

    ended = stack.wait_service_state("alice", "", E.ENDED_SERVICE_STATES, 20)
    t_service = time.monotonic() - t0
    assert str(ended["jobId"]) == job_id, E.pretty(ended)
    stack.wait_hub_gone("alice", "", 25)
    print(f"after scancel: service ended in {t_service:.1f}s, hub dropped the server in {time.monotonic() - t0:.1f}s")
    r = stack.get_through_proxy("alice")
    assert r.status_code != 200, f"the cancelled server still answers: {r.status_code}"

    again = stack.spawn_ready("alice")
    assert str(again["jobId"]) != job_id, E.pretty(again)
    stack.assert_reachable("alice")
