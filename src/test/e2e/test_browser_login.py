"""A browser-less walk through the hub's pages as alice (scenario j)."""

import re

import requests

import e2elib as E


def test_j_login_form_spawn(stack, hub):
    """Login, the service's options form on /hub/spawn, submit it, and reach /user/alice/."""
    s = requests.Session()
    r = s.get(f"{E.PUBLIC_URL}/hub/login", timeout=10)
    assert r.status_code == 200, r.status_code
    form = {"username": "alice", "password": E.HUB_PASSWORD}
    if s.cookies.get("_xsrf"):  # JupyterHub >= 4.1 checks it on form posts
        form["_xsrf"] = s.cookies["_xsrf"]
    r = s.post(f"{E.PUBLIC_URL}/hub/login", data=form, timeout=10)
    assert r.status_code == 200 and "jupyterhub-session-id" in s.cookies, (
        f"login failed: {r.status_code} {r.url} cookies {list(s.cookies.keys())}")

    r = s.get(f"{E.PUBLIC_URL}/hub/spawn", timeout=30)
    assert r.status_code == 200 and r.url.endswith("/hub/spawn"), f"{r.status_code} {r.url}"
    m = re.search(r'<form[^>]*id="spawn_form".*?</form>', r.text, re.S)
    assert m, f"no spawn form on /hub/spawn:\n{r.text[:2000]}"
    html = m.group(0)
    radios = re.findall(r'<input[^>]*type="radio"[^>]*name="profile"[^>]*value="([^"]+)"', html)
    assert "small" in radios and len(radios) >= 2, f"profile radio inputs: {radios}\n{html}"
    assert "Small" in html, html
    # what a browser submits: every named field of the form, the untouched ones empty
    names = re.findall(r'<input[^>]*name="([^"]+)"', html)
    fields = {n: (None, "") for n in names}
    fields["profile"] = (None, "small")
    if s.cookies.get("_xsrf"):
        fields["_xsrf"] = (None, s.cookies["_xsrf"])
    r = s.post(f"{E.PUBLIC_URL}/hub/spawn", files=fields, timeout=60)  # multipart, as the form says
    assert r.status_code == 200, f"{r.status_code} {r.url}\n{r.text[:1000]}"
    assert "/hub/spawn-pending/alice" in r.url or "/user/alice/" in r.url, (
        f"after submitting the form: {r.url}\n{stack.diag()}")
    # the spawn form's error (spawn-error-msg) or the failed-spawn page; not the hidden
    # "ajax-error alert-danger" box that JupyterHub 5 has on every page
    if "Spawn failed" in r.text or "spawn-error-msg" in r.text:
        raise AssertionError(f"the spawn page shows an error:\n{r.text[:3000]}")

    # the spawn-pending page is JavaScript: poll the API as the page would, with the session cookie
    def ready():
        # JupyterHub blocks cookie-authenticated API calls without a same-origin Referer
        rr = s.get(f"{E.HUB_API}/users/alice", timeout=10,
                   headers={"Referer": f"{E.PUBLIC_URL}/hub/spawn-pending/alice"})
        assert rr.status_code == 200, f"cookie API access: {rr.status_code} {rr.text}"
        return (rr.json().get("servers") or {}).get("", {}).get("ready")
    E.wait_for(ready, 30, "alice's server ready (polled with the browser session)", stack.differ())

    r = s.get(f"{E.PUBLIC_URL}/user/alice/", timeout=30)  # OAuth with the hub, then the notebook UI
    assert r.status_code == 200, f"{r.status_code} {r.url} {[h.url for h in r.history]}"
    assert r.url.startswith(f"{E.PUBLIC_URL}/user/alice/"), f"ended at {r.url} via {[h.url for h in r.history]}"
    assert "Jupyter" in r.text, r.text[:1000]

    status = stack.wait_service_state("alice", "", {"running"}, 5)
    assert status["options"]["profile"] == "small", E.pretty(status)
    assert len(stack.spawner_jobs("alice")) == 1, stack.diag()
