# jupyterhub_config.py of the hpcspawner chart: a static file that reads the chart's values from
# hub-values.json (mounted from the release's Secret); secrets come from the environment.
import json
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)
c.JupyterHub.services = []
c.JupyterHub.load_roles = []

values = json.loads(Path(os.environ["HPCSPAWNER_CHART_VALUES"]).read_text())

c.JupyterHub.base_url = values["baseUrl"]
c.JupyterHub.hub_bind_url = "http://:8081"
# The proxy's /hub/ route and the service's calls use the hub Service; JupyterHub takes the
# proxy's hub route from hub_connect_url, so a public URL here would loop through the proxy.
c.JupyterHub.hub_connect_url = values["hubUrl"]
if values["nodesHubUrl"]:
    # The hub as compute nodes reach it: the servers' JUPYTERHUB_API_URL is <this>/hub/api.
    c.Spawner.hub_connect_url = values["nodesHubUrl"]

# The proxy runs in its own pod: the hub restarts without cutting users off.
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = values["proxyApiUrl"]  # token: CONFIGPROXY_AUTH_TOKEN
# Servers are Slurm jobs that outlive the hub; a restarted proxy gets its routes back within this.
c.JupyterHub.cleanup_servers = False
c.JupyterHub.last_activity_interval = 60

if values["db"]["type"] == "sqlite-pvc":
    c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
else:
    c.JupyterHub.db_url = "sqlite:///:memory:"
c.JupyterHub.pid_file = "/tmp/jupyterhub.pid"

c.JupyterHub.spawner_class = "hpcspawner.HPCSpawner"
c.HPCSpawner.service_url = values["spawnerUrl"]  # token: HPCSPAWNER_TOKEN
# the page with a server's job output, linked from a failed start's message (hpcspawner.log_page)
c.JupyterHub.extra_handlers = [(r"/hpcspawner/log/([^/]+)/?([^/]*)", "hpcspawner.log_page.JobLogHandler")]

# Prometheus scrapes /hub/metrics with the token of this service (metrics-token of the Secret).
c.JupyterHub.services.append({"name": "metrics", "api_token": os.environ["HPCSPAWNER_METRICS_TOKEN"]})
c.JupyterHub.load_roles.append({"name": "metrics", "scopes": ["read:metrics"], "services": ["metrics"]})

keycloak = values["keycloak"]
if keycloak["enabled"]:
    # Log in with Keycloak (oauthenticator's entry point); the plugin passes each user's tokens
    # (auth_state, encrypted with JUPYTERHUB_CRYPT_KEY) to the service, which acts as the user.
    c.JupyterHub.authenticator_class = "generic-oauth"
    oauth = c.GenericOAuthenticator
    oauth.client_id = keycloak["clientId"]
    oauth.client_secret = os.environ["KEYCLOAK_HUB_CLIENT_SECRET"].strip()  # a file may end with a newline
    oauth.authorize_url = keycloak["authorizeUrl"]
    oauth.token_url = keycloak["tokenUrl"]
    oauth.userdata_url = keycloak["userdataUrl"]
    oauth.oauth_callback_url = keycloak["callbackUrl"]
    oauth.scope = keycloak["scopes"]
    oauth.username_claim = keycloak["usernameClaim"]
    if keycloak["allowedGroups"]:
        oauth.allowed_groups = keycloak["allowedGroups"]
    if keycloak["adminGroups"]:
        oauth.admin_groups = keycloak["adminGroups"]
    oauth.enable_auth_state = True
    # fresh tokens before every start, so the service gets a usable refresh token
    oauth.refresh_pre_spawn = True
    c.HPCSpawner.pass_login = True

cull = values["cull"]
if cull["enabled"]:
    # Stops servers (ends their jobs) idle for longer than timeout; the hub starts it and gives it a
    # token with only the scopes below.
    command = [
        sys.executable, "-m", "jupyterhub_idle_culler",
        f"--timeout={cull['timeout']}",
        f"--cull-every={cull['every']}",
        f"--concurrency={cull['concurrency']}",
        f"--max-age={cull['maxAge']}",
        f"--cull-admin-users={str(cull['adminUsers']).lower()}",
    ]
    scopes = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
    if cull["users"]:
        command.append("--cull-users")
        scopes.append("admin:users")
    if cull["removeNamedServers"]:
        command.append("--remove-named-servers")
    c.JupyterHub.services.append({"name": "jupyterhub-idle-culler", "command": command})
    c.JupyterHub.load_roles.append({"name": "jupyterhub-idle-culler", "scopes": scopes, "services": ["jupyterhub-idle-culler"]})

for section, settings in sorted(values["config"].items()):
    if not section[:1].isupper():
        raise SystemExit(
            f"hub.config.{section}: hub.config takes configurable class names "
            "(JupyterHub, GenericOAuthenticator, ...); is this key in the wrong place?"
        )
    for name, value in settings.items():
        c[section][name] = value

for name, source in sorted(values["extraConfig"].items()):
    exec(compile(source, f"hub.extraConfig.{name}", "exec"))

health_check = values["healthCheck"]
if health_check["enabled"]:
    # The service's end-to-end check (healthCheck.*): its token may start, read, reach and stop the
    # check user's servers, nothing else. GET /hub/api/users/<user> needs only read:servers.
    check_user = health_check["user"]
    c.JupyterHub.services.append({"name": "hpcspawner-health-check", "api_token": os.environ["HPCSPAWNER_HEALTH_CHECK_TOKEN"]})
    c.JupyterHub.load_roles.append({
        "name": "hpcspawner-health-check",
        "scopes": [f"{scope}!user={check_user}" for scope in ("servers", "read:servers", "access:servers")],
        "services": ["hpcspawner-health-check"],
    })
    # The hub creates allowed users in its database at start, so the check user exists without ever
    # logging in. Added last, to each authenticator section that sets allowed_users (a subclass's
    # setting hides Authenticator's), so hub.config and extraConfig cannot drop it.
    authenticators = [section for section in list(c) if section.endswith("Authenticator")]
    if not any(c[a].get("allowed_users") or "allow_existing_users" in c[a] for a in authenticators):
        # JupyterHub 5 lets every user of its database in once allowed_users is set (the default of
        # allow_existing_users): keep it off, so users removed from Keycloak's groups stay out.
        c.Authenticator.allow_existing_users = False
    for section in [a for a in authenticators if "allowed_users" in c[a]] or ["Authenticator"]:
        c[section].allowed_users = sorted(set(c[section].get("allowed_users", ())) | {check_user})
