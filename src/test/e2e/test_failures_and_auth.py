"""A server that dies before it is ready (h), bad options and credentials (i)."""

import json
import textwrap
import uuid

import pytest
import requests

import e2elib as E

CAROL_JUPYTER = E.Path("/home/carol/.jupyter")


@pytest.fixture
def broken_carol_config():
    """carol's ~/.jupyter config makes every Jupyter server exit during start (written as carol).

    An ordinary exception in a config file is only logged by traitlets (the server starts
    anyway), so the file raises SystemExit, the exception that does end the process.
    """
    marker = f"E2E-BROKEN-CONFIG-{uuid.uuid4().hex[:8]}"
    content = textwrap.dedent(f"""\
        # written by the hpcspawner e2e suite (test_h_job_dies_before_ready); safe to delete
        raise SystemExit("{marker}: carol's Jupyter configuration is broken on purpose")
        """)
    E.run(["runuser", "-u", "carol", "--", "bash", "-c",
           'mkdir -p "$D" && for f in jupyter_notebook_config.py jupyter_server_config.py; do '
           'printf "%s" "$E2E_CONTENT" > "$D/$f"; done'],
          env={"E2E_CONTENT": content, "D": str(CAROL_JUPYTER), "PATH": E.os.environ.get("PATH", "")})
    files = [CAROL_JUPYTER / "jupyter_notebook_config.py", CAROL_JUPYTER / "jupyter_server_config.py"]
    for f in files:
        assert f.read_text() == content and f.owner() == "carol", f
    yield marker
    for f in files:
        f.unlink(missing_ok=True)


def test_h_job_dies_before_ready(stack, hub, service, broken_carol_config):
    """The hub reports the spawn failed and shows the user the tail of the job's output."""
    marker = broken_carol_config
    r = hub.start("carol", "", {"profile": "small"})
    if r.status_code in (201, 202):
        # slow to fail: the hub handed the spawn over to the pending page; wait for its end
        E.wait_for(lambda: not (hub.server("carol") or {}).get("pending"), 60,
                   "carol's pending spawn to end", stack.differ("carol"))
    else:
        assert r.status_code >= 400, r.text
        assert marker in r.text, f"the hub's spawn answer lacks the job output: {r.status_code} {r.text}"
    assert not (hub.server("carol") or {}).get("ready"), f"the broken server counts as ready\n{stack.diag('carol')}"

    events, code, _ = hub.progress("carol", "", timeout=10)
    assert code == 200 and events, f"hub progress: {code} {events}"
    final = events[-1]
    assert final.get("failed") is True, f"final progress event is not a failure: {events}"
    assert marker in final.get("message", ""), (
        f"the failure message the user sees lacks the job output (expected {marker!r}): {final}\n"
        f"{stack.diag('carol')}")

    status = stack.wait_service_state("carol", "", {"failed"}, 10)
    assert isinstance(status["exitCode"], int) and status["exitCode"] >= 1, E.pretty(status)
    assert marker in (status.get("message") or ""), E.pretty(status)
    stack.wait_hub_gone("carol", "", 20)
    assert not E.squeue("carol"), stack.diag("carol")
    assert E.job_state(status["jobId"]) in (None, "FAILED"), E.scontrol_job(status["jobId"])


def test_i1_bad_option_through_hub(stack, hub):
    """{"cpus": "lots"} through the hub: a 400 whose message names cpus, no job, no server."""
    r = hub.start("alice", "", {"profile": "small", "cpus": "lots"})
    assert r.status_code == 400, f"expected 400, got {r.status_code} {r.text}\n{stack.diag()}"
    message = r.json().get("message", "")
    assert "cpus" in message and "lots" in message, f"message does not name cpus: {message!r}"
    assert hub.server("alice") is None, stack.diag()
    assert not E.squeue("alice"), stack.diag()


def _body(**changes):
    body = {"startId": E.new_id(), "options": {"profile": "small"}, "environment": {}}
    body.update(changes)
    return json.dumps(body)


BAD_CREATES = {
    # case: (raw body, expected error code, expected field or None, text the message must contain)
    "unknown_top_level_field": pytest.param(lambda: _body(surprise=1), "bad_request", "surprise", "surprise"),
    "body_not_an_object": pytest.param(lambda: "[]", "bad_request", None, ""),
    "bad_cpus": pytest.param(
        lambda: _body(options={"profile": "small", "cpus": "lots"}), "invalid_option", "options.cpus", "cpus"),
    "unknown_option": pytest.param(
        lambda: _body(options={"profile": "small", "gpus": "4"}), "invalid_option", None, "gpus"),
    "unknown_profile": pytest.param(
        lambda: _body(options={"profile": "huge"}), "invalid_option", "options.profile", "huge"),
    "malformed_json": pytest.param(lambda: '{"startId": "e2e-xyz12345", ', "bad_request", None, ""),
    "missing_start_id": pytest.param(
        lambda: json.dumps({"options": {"profile": "small"}, "environment": {}}), "bad_request", "startId",
        "startId"),
    "body_over_256k": pytest.param(
        lambda: _body(environment={"BIG": "x" * 300_000}), "payload_too_large", None, "256"),
    # docs/api.md: bodies over 1 MiB are cut off by the HTTP layer with 413 (no JSON body)
    "body_over_1m": pytest.param(lambda: _body(environment={"BIG": "x" * 2_000_000}), 413, None, None),
}


@pytest.mark.parametrize("make_body,code,field,text", list(BAD_CREATES.values()), ids=list(BAD_CREATES))
def test_i2_service_rejects_bad_create(stack, service, make_body, code, field, text):
    """Directly against the service: a bad create body -> 400 with a JSON error naming the problem."""
    r = service.request("POST", "/users/alice/server", data=make_body(),
                        headers={"Content-Type": "application/json"})
    try:
        if isinstance(code, int):
            assert r.status_code == code, f"{r.status_code} {r.headers} {r.text[:500]}"
            return
        assert r.status_code == 400, f"{r.status_code} {r.headers} {r.text[:500]}"
        assert r.headers.get("Content-Type", "").startswith("application/json"), f"{r.headers} {r.text[:200]!r}"
        err = r.json()
        assert err.get("error") == code, err
        assert isinstance(err.get("message"), str) and err["message"] and text in err["message"], err
        if field:
            assert err.get("field") == field, err
    finally:
        assert not E.squeue("alice"), f"a rejected create submitted a job\n{stack.diag()}"
        assert service.status("alice") is None or service.status("alice")["state"] in E.ENDED_SERVICE_STATES


def test_i3_user_token_scoped_to_its_user(stack, hub):
    """A JupyterHub token of bob reads bob's server on the service but gets 403 on alice's."""
    status = stack.spawn_ready("bob")
    bob = E.Service(token=hub.user_token("bob"))

    r = bob.request("GET", "/users/bob/server")
    assert r.status_code == 200, f"bob reading his server: {r.status_code} {r.text}"
    assert r.json()["user"] == "bob" and r.json()["jobId"] == status["jobId"], r.text
    r = bob.request("GET", "/users/bob/servers")
    assert r.status_code == 200 and [s["user"] for s in r.json()] and all(s["user"] == "bob" for s in r.json()), r.text

    for method, path in (("GET", "/users/alice/server"), ("GET", "/users/alice/servers"),
                         ("DELETE", "/users/alice/server"), ("GET", "/servers")):
        r = bob.request(method, path)
        assert r.status_code == 403, f"bob {method} {path}: {r.status_code} {r.text}"
        assert r.json().get("error") == "forbidden", r.text
    r = bob.request("POST", "/users/alice/server",
                    json={"startId": E.new_id(), "options": {"profile": "small"}, "environment": {}})
    assert r.status_code == 403, f"bob starting alice's server: {r.status_code} {r.text}"
    assert not E.squeue("alice"), stack.diag()

    for token in (None, "not-a-valid-token-" + uuid.uuid4().hex):
        h = {"Authorization": f"Bearer {token}"} if token else {}
        r = requests.get(f"{E.SERVICE_API}/users/bob/server", headers=h, timeout=10)
        assert r.status_code == 401 and r.json().get("error") == "unauthorized", f"token {token!r}: {r.status_code} {r.text}"


def test_i4_user_token_without_the_service_scope_gets_403(stack, hub):
    """bob's JupyterHub token without the service's scope (what a notebook's own token carries)
    is refused with 403 naming the scope and how to grant it, on every call; no job is submitted.
    The same user's token with the scope is accepted."""
    plain = E.Service(token=hub.user_token("bob", scopes=E.NOTEBOOK_TOKEN_SCOPES))
    calls = (("GET", "/users/bob/servers", None), ("GET", "/users/bob/server", None),
             ("GET", "/users/bob/options-form", None), ("DELETE", "/users/bob/server", None),
             ("POST", "/users/bob/server", {"startId": E.new_id(), "options": {"profile": "small"}, "environment": {}}))
    for method, path, body in calls:
        r = plain.request(method, path, json=body)
        assert r.status_code == 403, f"bob's token without the scope, {method} {path}: {r.status_code} {r.text}"
        err = r.json()
        assert err.get("error") == "missing_scope", err
        assert E.SERVICE_SCOPE in err["message"] and "load_roles" in err["message"], err
    assert not E.squeue("bob"), stack.diag("bob")

    scoped = E.Service(token=hub.user_token("bob"))
    r = scoped.request("GET", "/users/bob/servers")
    assert r.status_code == 200, f"bob's token with the scope: {r.status_code} {r.text}"
