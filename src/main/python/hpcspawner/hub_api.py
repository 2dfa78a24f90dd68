"""A route of the hub for stopping a start that still waits in the queue.

JupyterHub before 5.1 refuses ``DELETE /hub/api/users/{name}/server`` while a spawn is pending
("pending spawn, please wait"), so a start queued for an hour could not be stopped from the hub.
Importing :mod:`hpcspawner` adds ``POST /hub/api/hpcspawner/users/{name}/server/cancel`` (and
``.../servers/{server}/cancel``) to the hub's API, the way batchspawner adds its own route. It
needs the same ``delete:servers`` scope as the hub's own stop, so a user's browser login or API
token (or an admin's) may use it. It works in JupyterHub 3.x to 5.x.
"""

from jupyterhub.apihandlers import default_handlers
from jupyterhub.apihandlers.base import APIHandler
from jupyterhub.scopes import needs_scope
from tornado import web

#: path of the route under the hub's API prefix (/hub/api/)
CANCEL_PATH = r"/api/hpcspawner/users/([^/]+)/servers?/?([^/]*)/cancel"


class CancelStartHandler(APIHandler):
    """POST: stop a start the hub still shows as pending (queued or starting); 202 when asked."""

    @needs_scope("delete:servers")
    async def post(self, user_name, server_name=""):
        user = self.find_user(user_name)
        if user is None:
            raise web.HTTPError(404, f"No such user: {user_name}")
        server_name = server_name or ""
        if server_name not in user.orm_spawners:
            raise web.HTTPError(404, f"{user_name} has no server named {server_name!r}")
        spawner = user.spawners[server_name]
        cancel = getattr(spawner, "cancel_start", None)
        if cancel is None:
            raise web.HTTPError(400, f"{spawner._log_name} is not started by hpcspawner")
        if spawner.pending not in ("spawn", "check"):
            raise web.HTTPError(
                400,
                f"{spawner._log_name} is not starting ({spawner.pending or 'not pending'}); "
                "stop a running server with DELETE /hub/api/users/{name}/server",
            )
        await cancel()
        self.set_status(202)
        self.finish()


def install():
    """Add the route to the hub's API handlers (once; before the hub builds its application)."""
    if not any(entry[1] is CancelStartHandler for entry in default_handlers):
        default_handlers.append((CANCEL_PATH, CancelStartHandler))
