"""The FirecREST path end to end: real JupyterHub + plugin, the service's FirecREST v2 adapter,
a real Keycloak issuing the users' and the service account's tokens, and the FirecREST
simulator (scripts/stack/firecrest-up.sh) that runs the jobs on this machine, checks every
token's signature and validates every exchange against the official FirecREST OpenAPI document.
"""

import json
import time
import re

import requests

import e2elib as E

SIM_URL = f"http://{E.HOST}:{E.os.environ.get('FIRECREST_SIM_PORT', '8280')}"
KEYCLOAK_URL = f"http://{E.HOST}:{E.os.environ.get('KEYCLOAK_PORT', '8180')}"
KEYCLOAK_PASSWORDS = {"alice": "alice-test-password", "bob": "bob-test-password"}
LOG_AGAIN = "log out and log in again"


def sim_stats():
    r = requests.get(f"{SIM_URL}/__sim/stats", timeout=10)
    r.raise_for_status()
    return r.json()


def sim_jobs(user):
    return [j for j in sim_stats()["jobs"] if j["user"] == user]


def hub_login(user, password):
    """Log in through the hub's login form: a browser session (cookies)."""
    s = requests.Session()
    s.get(f"{E.PUBLIC_URL}/hub/login", timeout=10)
    form = {"username": user, "password": password}
    if s.cookies.get("_xsrf"):
        form["_xsrf"] = s.cookies["_xsrf"]
    r = s.post(f"{E.PUBLIC_URL}/hub/login", data=form, timeout=30)
    assert r.status_code == 200 and "jupyterhub-session-id" in s.cookies, (
        f"login of {user} failed: {r.status_code} {r.url}\n{E.log_tail('hub.log', 20)}")
    return s


def spawn_from_form(session, user, profile):
    """GET /hub/spawn, check the profile is offered, and submit the form with it."""
    r = session.get(f"{E.PUBLIC_URL}/hub/spawn", timeout=30)
    assert r.status_code == 200, f"{r.status_code} {r.url}"
    html = re.search(r'<form[^>]*id="spawn_form".*?</form>', r.text, re.S).group(0)
    radios = re.findall(r'<input[^>]*type="radio"[^>]*name="profile"[^>]*value="([^"]+)"', html)
    assert profile in radios, f"profile {profile} not offered: {radios}"
    fields = {n: (None, "") for n in re.findall(r'<input[^>]*name="([^"]+)"', html)}
    fields["profile"] = (None, profile)
    if session.cookies.get("_xsrf"):
        fields["_xsrf"] = (None, session.cookies["_xsrf"])
    return session.post(f"{E.PUBLIC_URL}/hub/spawn", files=fields, timeout=60)


def end_keycloak_sessions(user):
    """What an admin or a logout elsewhere does: Keycloak ends every session of ``user``."""
    password = (E.STACK_DIR / "keycloak" / "admin-password").read_text().strip()
    r = requests.post(f"{KEYCLOAK_URL}/realms/master/protocol/openid-connect/token", timeout=10, data={
        "grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": password})
    r.raise_for_status()
    admin = {"Authorization": f"Bearer {r.json()['access_token']}"}
    users = requests.get(f"{KEYCLOAK_URL}/admin/realms/hpcspawner/users", params={"username": user, "exact": "true"},
                         headers=admin, timeout=10).json()
    r = requests.post(f"{KEYCLOAK_URL}/admin/realms/hpcspawner/users/{users[0]['id']}/logout", headers=admin, timeout=10)
    assert r.status_code == 204, f"Keycloak logout of {user}: {r.status_code} {r.text}"


def no_token_in(path):
    text = path.read_text(errors="replace") if path.exists() else ""
    # every Keycloak token is a JWT, and every JWT starts with the base64 of '{"'
    return [line for line in text.splitlines() if re.search(r"eyJ[A-Za-z0-9_-]{10,}\.", line)]


def test_firecrest_spawn_with_the_users_keycloak_login(stack, hub, service):
    """alice logs in with her Keycloak password, picks the FirecREST profile on the spawn form,
    sees the queue in the progress, reaches her server, and stops it; the simulator saw the
    user's token for submit and cancel, the service account's for polling, and nothing the
    official FirecREST document does not allow."""
    before = sim_stats()
    session = hub_login("alice", KEYCLOAK_PASSWORDS["alice"])
    r = spawn_from_form(session, "alice", "daint")
    assert r.status_code == 200 and ("/hub/spawn-pending/alice" in r.url or "/user/alice/" in r.url), (
        f"after the form: {r.status_code} {r.url}\n{stack.diag()}")
    progress = E.SSECollector(hub.progress_url("alice"), dict(hub.s.headers), 60,
                              until=lambda ev: isinstance(ev, dict) and (ev.get("ready") or ev.get("failed")))

    stack.wait_hub_ready("alice", "", 60)
    status = stack.wait_service_state("alice", "", {"running"}, 10)
    assert status["system"] == "daint" and status["profile"] == "daint", E.pretty(status)
    jobs = sim_jobs("alice")
    assert [j["id"] for j in jobs if j["state"] == "RUNNING"] == [status["jobId"]], E.pretty(jobs)

    progress.join(30)
    messages = progress.messages()
    assert any("queue" in m.lower() for m in messages), messages
    r = session.get(f"{E.PUBLIC_URL}/user/alice/", timeout=30)
    assert r.status_code == 200 and "Jupyter" in r.text, f"{r.status_code} {r.url}"

    assert hub.stop("alice").status_code in (202, 204)
    stack.wait_hub_gone("alice", "", 60)
    E.wait_for(lambda: all(j["state"] == "CANCELLED" for j in sim_jobs("alice") if j["id"] == status["jobId"]),
               20, "the simulator to report alice's job cancelled", lambda: E.pretty(sim_stats()))

    stats = sim_stats()
    assert stats["violations"] == [], "FirecREST calls outside the official document:\n" + "\n".join(stats["violations"])
    assert stats["refusals"] == [], "tokens FirecREST would refuse:\n" + "\n".join(stats["refusals"])
    calls = {k: v - before["calls"].get(k, 0) for k, v in stats["calls"].items()}
    assert calls.get("POST /compute/{system}/jobs as user", 0) == 1, calls
    # the stop cancels as alice; the watcher may repeat it while the job is still ending
    assert calls.get("DELETE /compute/{system}/jobs/{jobId} as user", 0) >= 1, calls
    assert calls.get("GET /compute/{system}/jobs as service", 0) >= 1, calls
    assert not [k for k in calls if k.endswith(" as none")], calls

    health = requests.get(f"{E.MANAGEMENT_URL}/q/health/group/systems", timeout=30).json()
    systems = next(c for c in health["checks"] if c["name"] == "systems")
    assert health["status"] == "UP" and systems["data"]["daint"].startswith("healthy"), health

    logins = list((E.STACK_DIR / "service" / "logins").glob("*"))
    assert logins, "the service kept no login"
    for f in logins:
        assert not no_token_in(f), f"a token in clear in {f}"
    assert not no_token_in(E.STACK_DIR / "service.log"), "a token in the service's log"
    assert not no_token_in(E.STACK_DIR / "hub.log"), "a token in the hub's log"


def test_an_ended_keycloak_session_says_log_in_again(stack, hub):
    """bob's Keycloak session ends after he logged in to the hub: his FirecREST start fails
    with the 'log in again' message on the progress page, and no job is submitted."""
    logged_in = time.monotonic()
    hub_login("bob", KEYCLOAK_PASSWORDS["bob"])
    end_keycloak_sessions("bob")
    # The access token the hub got at the login (the realm's 60 s) stays valid after the session
    # ends, and the service uses it while it has more than min-token-validity + token-margin
    # (45 s) left; past that, the service must refresh, and Keycloak says the login is over.
    time.sleep(max(0.0, logged_in + 16 - time.monotonic()))
    jobs_before = len(sim_jobs("bob"))

    r = hub.start("bob", "", {"profile": "daint"})
    events = []
    if r.status_code in (201, 202):
        events, _, _ = hub.progress("bob", timeout=30)
    text = r.text + json.dumps(events)
    assert LOG_AGAIN in text, f"hub answered {r.status_code} {r.text}; progress {events}\n{stack.diag('bob')}"
    assert "Traceback" not in text and "Exception" not in text, text
    E.wait_for(lambda: hub.server("bob") is None or not hub.server("bob").get("pending"), 30,
               "the hub to give up bob's start", stack.differ("bob"))
    assert len(sim_jobs("bob")) == jobs_before, E.pretty(sim_stats()["jobs"])


def test_a_firecrest_start_without_a_keycloak_login_is_refused_clearly(stack, hub):
    """carol logged in with the demo password (no Keycloak tokens): the FirecREST profile tells
    her to log in again instead of submitting anything."""
    r = hub.start("carol", "", {"profile": "daint"})
    events = []
    if r.status_code in (201, 202):
        events, _, _ = hub.progress("carol", timeout=20)
    assert LOG_AGAIN in r.text + json.dumps(events), f"{r.status_code} {r.text} {events}"
    assert not sim_jobs("carol")
