"""The hub's page with the output of a server's job, linked from the message of a failed start.

``/hub/hpcspawner/log/{user}`` (the default server) and ``/hub/hpcspawner/log/{user}/{server}``
answer the job's output as plain text, fetched from the spawner service, which reads it as the
cluster user. Only a logged-in user reaches it, for their own servers; admins for anyone's. A site
adds it with (the class named by its import path, so the config loads without the package)::

    c.JupyterHub.extra_handlers = [(r"/hpcspawner/log/([^/]+)/?([^/]*)", "hpcspawner.log_page.JobLogHandler")]

It works in JupyterHub 3.x to 5.x.
"""

from urllib.parse import quote

from jupyterhub.handlers.base import BaseHandler
from tornado import web

from .client import ServiceError

#: the page's path under the hub's prefix (/hub/): the user, then the server's name (if any)
LOG_PATH = r"/hpcspawner/log/([^/]+)/?([^/]*)"


def log_url(hub_base_url, user_name, server_name=""):
    """The page's URL for a server, under the hub's base URL (e.g. ``/hub/``)."""
    url = f"{hub_base_url.rstrip('/')}/hpcspawner/log/{quote(user_name, safe='')}"
    return f"{url}/{quote(server_name, safe='')}" if server_name else url


def _status_for(e):
    """The page's answer to a failed fetch: the service's own for the user's errors, else 502/503."""
    if e.status in (400, 403, 404, 409):
        return e.status
    return 503 if e.transient else 502


class JobLogHandler(BaseHandler):
    """GET: the output of the server's job as text (``?lines=N``: its last N lines, up to 10000)."""

    @web.authenticated
    async def get(self, user_name, server_name=""):
        me = self.current_user
        if me.name != user_name and not me.admin:
            raise web.HTTPError(403, "%s", "Only your own servers' logs are shown here.")
        user = self.find_user(user_name)
        server_name = server_name or ""
        if user is None or server_name not in user.orm_spawners:
            raise web.HTTPError(404, "%s", f"{user_name} has no server named {server_name!r}.")
        job_log = getattr(user.spawners[server_name], "job_log", None)
        if job_log is None:
            raise web.HTTPError(404, "%s", "This server is not started by hpcspawner.")
        lines = self.get_argument("lines", None)
        if lines is not None and not lines.isdigit():
            raise web.HTTPError(400, "%s", "lines must be a number from 1 to 10000.")
        try:
            log = await job_log(lines=int(lines) if lines else None)
        except ServiceError as e:
            raise web.HTTPError(_status_for(e), "%s", e.message) from None
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Log-Truncated", "true" if log.truncated else "false")
        if log.truncated:
            self.write("[earlier lines are not shown; ask for more with ?lines=N, up to 10000]\n")
        self.finish(log.text)
