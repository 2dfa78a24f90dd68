"""Issue 13: the whole output of a failed start's job, on the hub page its failure message links."""

import requests

import e2elib as E
from test_failures_and_auth import broken_carol_config  # noqa: F401 (a fixture)


def hub_session(user):
    """A browser-like session logged in to the hub as ``user`` (the stack's demo password)."""
    s = requests.Session()
    s.get(f"{E.PUBLIC_URL}/hub/login", timeout=10)
    form = {"username": user, "password": E.HUB_PASSWORD}
    if s.cookies.get("_xsrf"):  # JupyterHub >= 4.1 checks it on form posts
        form["_xsrf"] = s.cookies["_xsrf"]
    r = s.post(f"{E.PUBLIC_URL}/hub/login", data=form, timeout=10)
    assert r.status_code == 200 and "jupyterhub-session-id" in s.cookies, (
        f"login of {user} failed: {r.status_code} {r.url} cookies {list(s.cookies.keys())}")
    return s


def test_h2_the_failed_starts_whole_output_is_linked_and_only_its_user_reads_it(
        stack, hub, service, broken_carol_config):  # noqa: F811
    marker = broken_carol_config
    r = hub.start("carol", "", {"profile": "small"})
    if r.status_code in (201, 202):
        E.wait_for(lambda: not (hub.server("carol") or {}).get("pending"), 60,
                   "carol's pending spawn to end", stack.differ("carol"))
    events, code, _ = hub.progress("carol", "", timeout=10)
    assert code == 200 and events and events[-1].get("failed") is True, f"hub progress: {code} {events}"
    link = "/hub/hpcspawner/log/carol"
    assert events[-1].get("message", "").rstrip().endswith(link), (
        f"the failure message does not end with the link to the job's log: {events[-1]}")
    status = stack.wait_service_state("carol", "", {"failed"}, 10)

    r = hub_session("carol").get(f"{E.PUBLIC_URL}{link}", timeout=30)
    assert r.status_code == 200, f"carol's own log: {r.status_code} {r.text[:1000]}\n{stack.diag('carol')}"
    assert r.headers["Content-Type"].startswith("text/plain"), r.headers
    assert marker in r.text, f"the job's output (job {status['jobId']}) lacks {marker!r}:\n{r.text[-2000:]}"

    r = hub_session("bob").get(f"{E.PUBLIC_URL}{link}", timeout=30)
    assert r.status_code in (403, 404), f"bob read carol's log: {r.status_code}"
    assert marker not in r.text, "bob's answer shows carol's job output"

    r = requests.get(f"{E.SERVICE_API}/users/carol/server/log",
                     headers={"Authorization": f"token {hub.user_token('bob')}"}, timeout=30)
    assert r.status_code == 403 and marker not in r.text, f"bob's token on the service: {r.status_code} {r.text}"
