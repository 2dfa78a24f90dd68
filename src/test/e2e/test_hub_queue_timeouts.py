"""The hub's side of long queues (issue 9 items 10 and 11): a hub restart with servers running and
queued, and stopping a queued start from the hub (JupyterHub 3.0 refuses its own stop then)."""

import time

import requests

import e2elib as E


def through_proxy_ok(stack, user, name=""):
    try:
        r = stack.get_through_proxy(user, name)
        return r.status_code == 200 and "version" in r.json()
    except (requests.RequestException, ValueError):
        return False


def test_h_hub_restart_routes_running_servers_at_once_whatever_is_queued(stack, hub, service):
    """2 servers fill the node, 2 more queue; hub AND proxy restart (the proxy forgets every
    route). The running servers answer through the proxy within seconds of the hub being up; the
    queued ones survive and come up through the hub once the running ones are stopped."""
    running = [("alice", ""), ("bob", "")]
    queued = [("carol", ""), ("alice", "q1")]
    for user, name in running:
        stack.spawn_ready(user, name)
    for user, _ in running + queued:
        hub.user_token(user)  # made before the restart (the hub DB keeps them)
    posts = [hub.start_async(user, name, {"profile": "small"}) for user, name in queued]
    for user, name in queued:
        stack.wait_service_state(user, name, {"queued"}, 30, pred=lambda s: s.get("jobId"))
    for post in posts:
        post.join(20)

    E.stack_script("hub-down.sh")  # the proxy too: every route is gone
    E.stack_script("hub-up.sh")
    up = time.monotonic()
    took = {}
    deadline = up + 150
    while time.monotonic() < deadline and len(took) < len(running):
        for user, name in running:
            if (user, name) not in took and through_proxy_ok(stack, user, name):
                took[(user, name)] = time.monotonic() - up
        time.sleep(0.2)
    print(f"running servers reachable after the hub was up: "
          f"{ {f'{u}/{n}': round(t, 1) for (u, n), t in took.items()} }")
    assert len(took) == len(running), f"not reachable after 150 s: {took}\n{stack.diag()}"
    assert max(took.values()) <= 10, f"running servers took {took} s to be reachable again\n{stack.diag()}"
    for user, name in queued:
        s = service.status(user, name)
        assert s and s["state"] == "queued", f"{user}/{name} after the hub restart: {E.pretty(s)}"

    # room for the queued ones, one at a time: each comes up through the hub and the proxy within
    # seconds, although the other one still waits in the queue (the hub's check of it still runs)
    waiting = list(queued)
    for user, name in running:
        r = hub.stop(user, name)
        assert r.status_code in (202, 204), f"{r.status_code} {r.text}"
        up_now = E.wait_for(
            lambda: [q for q in waiting if (service.status(*q) or {}).get("state") == "running"],
            90, f"one of {waiting} to run", stack.differ(*waiting[0]))
        quser, qname = up_now[0]
        waiting.remove((quser, qname))
        t0 = time.monotonic()
        E.wait_for(lambda: through_proxy_ok(stack, quser, qname), 60,
                   f"{quser}/{qname} reachable through the proxy", stack.differ(quser, qname))
        took_q = time.monotonic() - t0
        print(f"{quser}/{qname} reachable {took_q:.1f} s after the service reported it running "
              f"({len(waiting)} still queued)")
        assert took_q <= 20, f"{quser}/{qname} took {took_q:.1f} s to be reachable\n{stack.diag(quser, qname)}"
        assert hub.server(quser, qname)["ready"], stack.diag(quser, qname)


def test_i_a_queued_start_is_stopped_from_the_hub(stack, hub, service):
    """The user stops a queued start through the hub (the plugin's cancel route, which JupyterHub
    3.0 needs): the job is cancelled, the hub drops the server; the progress says when the start
    would be given up."""
    filler, post, status = stack.start_queued()
    job_id = str(status["jobId"])
    status = stack.wait_service_state("alice", "", {"queued"}, 15, pred=lambda s: s.get("startDeadline"))
    events, _, _ = hub.progress("alice", timeout=10, until=lambda ev: "given up at" in str(ev))
    assert any("given up at" in str(e) for e in events), f"progress: {events}\n{stack.diag()}"

    token = hub.user_token("alice", scopes=("delete:servers!user", "read:servers!user"))
    r = requests.post(f"{E.HUB_API}/hpcspawner/users/alice/server/cancel",
                      headers={"Authorization": f"token {token}"}, timeout=30)
    assert r.status_code == 202, f"{r.status_code} {r.text}\n{stack.diag()}"
    stack.wait_job_ended(job_id, 30, states=("CANCELLED",))
    stack.wait_service_state("alice", "", {"stopped"}, 20)
    stack.wait_hub_gone("alice", "", 30)
    answer = post.join_result(30)
    assert answer.status_code != 201, f"{answer.status_code} {answer.text}"
    assert E.job_state(filler) == "RUNNING", "bob's job must not be touched"

    # another user's token may not
    other = hub.user_token("bob", scopes=("delete:servers!user",))
    r = requests.post(f"{E.HUB_API}/hpcspawner/users/alice/server/cancel",
                      headers={"Authorization": f"token {other}"}, timeout=30)
    assert r.status_code in (403, 404), f"{r.status_code} {r.text}"


def test_i2_the_hubs_own_stop_of_a_queued_start(stack, hub, service, hub_version):
    """JupyterHub 5.1+ lets the hub's own DELETE stop a pending start: it cancels start() and
    calls stop(), so the queued job is cancelled and the server dropped. JupyterHub 3.0 refuses
    it with "pending spawn" (which is why the plugin adds its cancel route, test i): both as
    docs/hub-plugin.md says."""
    filler, post, status = stack.start_queued()
    job_id = str(status["jobId"])
    r = hub.stop("alice", "")
    if hub_version < (5, 1):
        assert r.status_code == 400 and "pending" in r.text, f"{r.status_code} {r.text}"
        stack.service.delete("alice", "")  # what the e2e reset does on 3.0
    else:
        assert r.status_code in (202, 204), f"JupyterHub {hub_version}: {r.status_code} {r.text}\n{stack.diag()}"
    stack.wait_job_ended(job_id, 30, states=("CANCELLED",))
    stack.wait_service_state("alice", "", {"stopped"}, 20)
    stack.wait_hub_gone("alice", "", 30)
    answer = E.spawn_request_answer(post, hub_version)
    assert answer is None or answer.status_code != 201, f"{answer.status_code} {answer.text}"
    assert E.job_state(filler) == "RUNNING", "bob's job must not be touched"


def test_j_a_start_is_given_up_at_its_profiles_queue_timeout_not_the_hubs(stack, hub, service):
    """The stack's whole-node profile may wait 45 s in the queue (its queue-timeout): the service
    gives the start up then, with its message, and cancels the job; the hub shows that message
    (not its own "Timeout"); the status carried the deadline."""
    filler = stack.fill_node("bob")
    t0 = time.monotonic()
    post = hub.start_async("alice", "", {"profile": "whole-node"})
    status = stack.wait_service_state("alice", "", {"queued"}, 20, pred=lambda s: s.get("jobId"))
    assert status.get("startDeadline"), E.pretty(status)
    job_id = str(status["jobId"])
    events, _, _ = hub.progress("alice", timeout=90)
    took = time.monotonic() - t0
    failed = [e for e in events if isinstance(e, dict) and e.get("failed")]
    assert failed and "did not start within 45s" in failed[-1].get("message", ""), (
        f"progress: {events}\n{stack.diag()}")
    assert 40 <= took <= 90, f"given up after {took:.0f} s"
    stack.wait_job_ended(job_id, 20, states=("CANCELLED",))
    final = service.status("alice")
    assert final["state"] == "failed" and "did not start within 45s" in final["message"], E.pretty(final)
    stack.wait_hub_gone("alice", "", 30)
    post.join(30)
    assert E.job_state(filler) == "RUNNING", "bob's job must not be touched"
    print(f"start given up {took:.0f} s after the request (queue-timeout 45 s)")
