# jupyterhub_config.py of the hpcspawner chart: a static file that reads the chart's values from
# hub-values.json (mounted from the release's Secret); secrets come from the environment.
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

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
