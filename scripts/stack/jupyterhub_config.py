# JupyterHub configuration for the local HPC test stack (started by hub-up.sh): JupyterHub 3.0
# (Debian 12) or 5.2 (Debian 13 root, STACK_HUB_VERSION=5.2); each major version has its own database.
#
# Environment (all optional; hub-up.sh sets the first ones):
#   STACK_DIR               state folder (default /tmp/hpcspawner-stack); DB + cookie secret in $STACK_DIR/hub
#   CONFIGPROXY_AUTH_TOKEN  token of the separately running configurable-http-proxy (hub-up.sh)
#   HUB_ADMIN_TOKEN         API token with admin rights (service "stack-admin"); hub-up.sh
#                           generates one into $STACK_DIR/hub-admin-token when unset
#   HUB_DEMO_PASSWORD       DummyAuthenticator password for alice, bob, carol (default "hpcspawner")
#   HPCSPAWNER_URL          spawner service base URL (default http://127.0.0.1:8090)
#   HPCSPAWNER_TOKEN        token the plugin sends to the spawner service
#   HUB_SPAWNER_CLASS       override the spawner, e.g. "simple" or "localprocess" to check the
#                           hub + proxy without the hpcspawner plugin (default hpcspawner.HPCSpawner)
#   HUB_START_PROXY=1       let the hub start/stop the proxy itself (default: the proxy runs
#                           separately, as in production, and survives hub restarts)
#   HUB_CONNECT_URL         URL the single-user servers use to reach the hub (default http://127.0.0.1:8081)
#   HUB_KEYCLOAK_ISSUER, HUB_KEYCLOAK_CLIENT_ID, HUB_KEYCLOAK_CLIENT_SECRET
#                           a Keycloak realm (keycloak-up.sh): a login with the user's Keycloak
#                           password then keeps their tokens in auth_state, which the plugin
#                           passes to the service (pass_login); needs JUPYTERHUB_CRYPT_KEY
import os
import sys
from pathlib import Path

import jupyterhub

c = get_config()  # noqa: F821 (provided by JupyterHub)

STACK_DIR = os.environ.get("STACK_DIR", "/tmp/hpcspawner-stack")
HUB_DIR = os.path.join(STACK_DIR, "hub")
HOST = os.environ.get("STACK_HOST", "127.0.0.1")
PROXY_PORT = int(os.environ.get("PROXY_PORT", "8000"))
PROXY_API_PORT = int(os.environ.get("PROXY_API_PORT", "8001"))
HUB_PORT = int(os.environ.get("HUB_PORT", "8081"))
SPAWNER_SERVICE_PORT = int(os.environ.get("SPAWNER_SERVICE_PORT", "8090"))

# The hpcspawner package lives in the repository: <repo>/src/main/python/hpcspawner.
# hub-up.sh also puts it on PYTHONPATH; this covers starting jupyterhub by hand.
_PY_SRC = Path(__file__).resolve().parent.parent.parent / "src" / "main" / "python"
if _PY_SRC.is_dir() and str(_PY_SRC) not in sys.path:
    sys.path.insert(0, str(_PY_SRC))

# --- network ------------------------------------------------------------------------------
c.JupyterHub.bind_url = f"http://{HOST}:{PROXY_PORT}"  # public URL (the proxy)
c.JupyterHub.hub_bind_url = f"http://{HOST}:{HUB_PORT}"
# what the single-user servers (Slurm jobs on the compute node) use to reach the hub API
c.JupyterHub.hub_connect_url = os.environ.get("HUB_CONNECT_URL", f"http://{HOST}:{HUB_PORT}")

# --- state (restartable: the DB keeps servers, which are adopted after a restart) ------------------
# One database per major version: 5.x upgrades the schema, which 3.0 could then no longer read.
_HUB_MAJOR = int(jupyterhub.__version__.split(".")[0])
c.JupyterHub.db_url = f"sqlite:///{HUB_DIR}/jupyterhub{'' if _HUB_MAJOR == 3 else '-' + str(_HUB_MAJOR)}.sqlite"
c.JupyterHub.cookie_secret_file = os.path.join(HUB_DIR, "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = False  # servers (Slurm jobs) outlive a hub restart
c.JupyterHub.allow_named_servers = True

# --- proxy -------------------------------------------------------------------------------------------
_CHP = os.path.join(STACK_DIR, "node", "node_modules", ".bin", "configurable-http-proxy")
c.ConfigurableHTTPProxy.command = [_CHP]  # Debian's one fails under Node 20 here
c.ConfigurableHTTPProxy.api_url = f"http://{HOST}:{PROXY_API_PORT}"
if os.environ.get("HUB_START_PROXY", "0") == "1":
    c.ConfigurableHTTPProxy.should_start = True
    c.JupyterHub.cleanup_proxy = True
else:
    # Started by hub-up.sh with the same CONFIGPROXY_AUTH_TOKEN; keeps routes across hub restarts.
    c.ConfigurableHTTPProxy.should_start = False
    c.JupyterHub.cleanup_proxy = False
if os.environ.get("CONFIGPROXY_AUTH_TOKEN"):
    c.ConfigurableHTTPProxy.auth_token = os.environ["CONFIGPROXY_AUTH_TOKEN"]

# --- spawner -----------------------------------------------------------------------------------------
SPAWNER_CLASS = os.environ.get("HUB_SPAWNER_CLASS") or "hpcspawner.HPCSpawner"
c.JupyterHub.spawner_class = SPAWNER_CLASS
c.HPCSpawner.service_url = os.environ.get(
    "HPCSPAWNER_URL", f"http://{HOST}:{SPAWNER_SERVICE_PORT}"
)
if os.environ.get("HPCSPAWNER_TOKEN"):
    c.HPCSpawner.service_token = os.environ["HPCSPAWNER_TOKEN"]
# the page with a server's job output, linked from a failed start's message (hpcspawner.log_page)
c.JupyterHub.extra_handlers = [(r"/hpcspawner/log/([^/]+)/?([^/]*)", "hpcspawner.log_page.JobLogHandler")]
c.Spawner.start_timeout = 300  # the plugin replaces it at each start by the profile's queue-timeout
c.Spawner.http_timeout = 60
c.Spawner.poll_interval = 10  # short, for tests
# jupyter_server 1.23 has no web UI here (no JupyterLab in Debian): use the classic notebook
c.Spawner.environment = {"JUPYTERHUB_SINGLEUSER_APP": "notebook.notebookapp.NotebookApp"}
if SPAWNER_CLASS in ("simple", "jupyterhub.spawner.SimpleLocalProcessSpawner"):
    # runs the server as the hub's user, i.e. root here
    c.Spawner.args = ["--allow-root"]
    c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(HUB_DIR, "simple-homes", "{username}")

# --- users ---------------------------------------------------------------------------------------------
from jupyterhub.auth import DummyAuthenticator  # noqa: E402


class StackAuthenticator(DummyAuthenticator):
    """The stack's demo password for everyone; or, when a Keycloak realm is configured, the
    user's Keycloak password (resource-owner password grant), which keeps the user's Keycloak
    tokens in auth_state as an OAuth authenticator would. Test stack only: production hubs use
    an OAuth authenticator (e.g. oauthenticator's GenericOAuthenticator) against the realm."""

    async def authenticate(self, handler, data):
        issuer = os.environ.get("HUB_KEYCLOAK_ISSUER")
        if issuer and data.get("password") and data.get("password") != self.password:
            tokens = await self._keycloak_password_grant(issuer, data["username"], data["password"])
            if tokens:
                return {
                    "name": data["username"],
                    "auth_state": {
                        "access_token": tokens["access_token"],
                        "refresh_token": tokens["refresh_token"],
                    },
                }
        return await super().authenticate(handler, data)

    async def _keycloak_password_grant(self, issuer, username, password):
        import json
        from urllib.parse import urlencode

        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        body = urlencode({
            "grant_type": "password",
            "client_id": os.environ.get("HUB_KEYCLOAK_CLIENT_ID", "jupyterhub"),
            "client_secret": os.environ.get("HUB_KEYCLOAK_CLIENT_SECRET", ""),
            "username": username,
            "password": password,
            "scope": "openid",
        })
        request = HTTPRequest(f"{issuer}/protocol/openid-connect/token", method="POST", body=body,
                              request_timeout=10)
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
        if response.code != 200:
            self.log.info("Keycloak refused the login of %s (HTTP %s)", username, response.code)
            return None
        return json.loads(response.body)


c.JupyterHub.authenticator_class = StackAuthenticator
c.DummyAuthenticator.password = os.environ.get("HUB_DEMO_PASSWORD", "hpcspawner")
if os.environ.get("JUPYTERHUB_CRYPT_KEY"):
    c.Authenticator.enable_auth_state = True
    c.HPCSpawner.pass_login = True
c.Authenticator.allowed_users = {"alice", "bob", "carol"}
c.Authenticator.admin_users = {"alice"}

# --- the spawner service's scope ----------------------------------------------------------------------
# The service accepts a user's JupyterHub API token only when it carries this scope (plain, or
# filtered to that user: `!user` expands to `!user=<name>`), so a notebook's own token or an
# identify-only OAuth token cannot start or stop the user's servers. hpcspawner.auth.required-scope
# names it on the service's side. Tokens created without "scopes" inherit it from the role.
HPCSPAWNER_SCOPE = "custom:hpcspawner:servers"  # the default of hpcspawner.auth.required-scope
c.JupyterHub.custom_scopes = {
    HPCSPAWNER_SCOPE: {
        "description": "Start, stop and watch your own servers through the hpcspawner service",
    },
}
_roles = [
    {
        "name": "hpcspawner-users",
        "description": "use the hpcspawner service for one's own servers",
        "scopes": [f"{HPCSPAWNER_SCOPE}!user"],
        # a site grants it to everyone with "groups": [...] or by adding the scope to the 'user' role
        "users": sorted(c.Authenticator.allowed_users),
    }
]

# --- admin API token for tests (JupyterHub 3.0: a service + a role granting it admin scopes) -------------
_admin_token = os.environ.get("HUB_ADMIN_TOKEN")
if not _admin_token:
    _token_file = os.path.join(STACK_DIR, "hub-admin-token")
    if os.path.exists(_token_file):
        with open(_token_file) as f:
            _admin_token = f.read().strip()
if _admin_token:
    c.JupyterHub.services = [{"name": "stack-admin", "api_token": _admin_token}]
    _roles.append(
        {
            "name": "stack-admin",
            "description": "admin API access for the local test stack",
            # the scopes of JupyterHub 3.0's built-in 'admin' role
            "scopes": [
                "admin-ui",
                "admin:users",
                "admin:servers",
                "tokens",
                "admin:groups",
                "list:services",
                "read:services",
                "read:hub",
                "proxy",
                "shutdown",
                "access:services",
                "access:servers",
                "read:roles",
                "read:metrics",
            ],
            "services": ["stack-admin"],
        }
    )
c.JupyterHub.load_roles = _roles
