"""Issue 8, secret hygiene: after the whole end-to-end run (this file runs last), what this run wrote
to the logs of every
component of the stack, the service's store, the job output files and the process list hold
none of the secrets the run used.

Secrets checked: the service's hub token, the hub's admin token, the proxy's API token, the
Keycloak client secrets and the token-encryption key of the service, a user's JupyterHub API
token, and the start secret and server API token of a server started and stopped here.
Not checked: users' Keycloak refresh tokens (the hub keeps them encrypted in its database; the
service keeps them sealed, see UserLoginsTest): their plaintext never reaches this test.
"""

import json
import re
import time

import e2elib as E


def _properties(path):
    props = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            props[k.strip()] = v.strip()
    return props


def _files_to_sweep():
    files = [p for p in E.STACK_DIR.rglob("*.log") if p.is_file() and p.name != "keycloak.log"]
    store = E.SERVICE_STORE
    logins = E.STACK_DIR / "service" / "logins"
    for d in (store, logins):
        if d.is_dir():
            files += [p for p in d.rglob("*") if p.is_file()]
    for home in E.Path("/home").iterdir():
        try:
            files += [p for p in home.glob(".hpcspawner-*.log") if p.is_file() and not p.is_symlink()]
        except OSError:
            continue
    return files


def test_zz_no_secret_in_logs_store_job_output_or_process_list(stack, hub):
    # a server started and stopped here: its start secret and its hub API token
    status = stack.spawn_ready("bob")
    job = str(status["jobId"])
    script = E.slurm(["scontrol", "write", "batch_script", job, "-"]).stdout
    start_secret = re.search(r"^hpcsp_secret='([0-9a-f]{64})'$", script, re.M).group(1)
    server_token = re.search(r"^export JUPYTERHUB_API_TOKEN='([^']+)'$", script, re.M).group(1)
    user_token = hub.user_token("bob")
    # the token is used against the service once, as a tool would
    r = E.Service(token=user_token).request("GET", "/users/bob/servers")
    assert r.status_code in (200, 403), r.text
    assert hub.stop("bob").status_code in (202, 204)
    stack.wait_hub_gone("bob", "", 30)
    time.sleep(1)

    secrets = {
        "service hub token": E.service_hub_token(),
        "hub admin token": E.hub_admin_token(),
        "start secret": start_secret,
        "server API token": server_token,
        "bob's JupyterHub token": user_token,
    }
    proxy_token = E.STACK_DIR / "hub" / "proxy-auth-token"
    if proxy_token.exists():
        secrets["proxy API token"] = proxy_token.read_text().strip()
    props_file = E.STACK_DIR / "service" / "hpcspawner.properties"
    if props_file.exists():
        props = _properties(props_file)
        for key in ("hpcspawner.keycloak.user-client.secret", "hpcspawner.keycloak.service-client.secret",
                    "hpcspawner.keycloak.token-encryption-key"):
            if props.get(key):
                secrets[key] = props[key]
    secrets = {k: v for k, v in secrets.items() if v and len(v) >= 16}

    files = _files_to_sweep()
    assert any(f.name == "service.log" for f in files), f"no service.log among {files}"
    # scripts/e2e.sh notes where each log stood when this run began: earlier runs' lines are not ours
    offsets_file = E.STACK_DIR / "run" / "e2e-log-offsets.json"
    offsets = json.loads(offsets_file.read_text()) if offsets_file.exists() else {}
    leaks = []
    for f in files:
        with open(f, "rb") as fh:
            start = offsets.get(str(f), 0)
            fh.seek(start if start <= f.stat().st_size else 0)
            text = fh.read().decode("utf-8", errors="replace")
        leaks += [f"{name} in {f}" for name, value in secrets.items() if value in text]
    processes = E.run(["ps", "-eo", "args"]).stdout
    leaks += [f"{name} on a command line" for name, value in secrets.items() if value in processes]
    print(f"secret hygiene: {len(secrets)} secrets, {len(files)} files and {len(processes.splitlines())}"
          f" command lines swept, {len(leaks)} leaks")
    assert not leaks, "\n".join(leaks)
