"""HPCSpawner: a thin JupyterHub Spawner that forwards everything to the hpcspawner REST service.

The service (docs/api.md) owns the batch jobs and is the source of truth for every server,
keyed by (user, server name) and a per-start ``startId``. This class only translates the
JupyterHub Spawner contract (JupyterHub 3.x to 5.x, guarded for 6.x) into service calls.
"""

import asyncio
import html
import inspect
import json
import os
import time
import uuid
from datetime import datetime
from urllib.parse import urlparse

from jupyterhub.spawner import Spawner
from tornado import web
from traitlets import Bool, Float, Integer, Unicode, default

from .client import ServiceClient, ServiceError
from .events import EventFeed, is_terminal
from .log_page import log_url

try:  # JupyterHub 6.0+
    from jupyterhub.spawner import SpawnException as _SpawnException
except ImportError:  # JupyterHub 3.x - 5.x
    _SpawnException = None

#: service states in which the server is starting or alive (poll() answers None)
ACTIVE_STATES = frozenset({"submitting", "queued", "starting", "running", "stopping"})
#: service states still waiting for the ready signal
STARTING_STATES = frozenset({"submitting", "queued", "starting"})
ENDED_STATES = frozenset({"stopped", "failed"})


def parse_instant(text):
    """An ISO-8601 instant of the service (``2026-01-02T03:04:05.123Z``) as epoch seconds, or None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        # more than 6 fraction digits (Java writes nanoseconds)
        head, _, rest = text.partition(".")
        try:
            return datetime.fromisoformat(head + "+00:00").timestamp()
        except ValueError:
            return None

OPTIONS_FORM_ERROR_HTML = (
    '<div class="alert alert-warning" role="alert">'
    "The server options could not be loaded right now. "
    "Reload this page to try again, or start with the default options."
    "</div>"
)


def server_gone(e):
    """Only the service's own ``404 server_not_found`` means the server is gone.

    Any other 404 (a wrong service URL, an ingress's default backend, a proxy in between) is no
    evidence about the server, and must never make the hub drop a live one.
    """
    return e.status == 404 and e.code == "server_not_found"


class HPCSpawnError(web.HTTPError):
    """A start failure with a clean user-facing message (JupyterHub 3.x-5.x).

    ``str()`` is the plain message (the spawn form shows it), and ``jupyterhub_message`` /
    ``jupyterhub_html_message`` are what the progress page prints after "Spawn failed: ".
    The HTTP status (400 for bad options, 500 otherwise) is what the hub's REST API answers.
    """

    def __init__(self, message, status_code=500, html_message=None, code=None, field=None):
        super().__init__(status_code, message or "The server could not be started")
        self.message = message or "The server could not be started"
        self.jupyterhub_message = self.message
        self.jupyterhub_html_message = html_message or ""
        self.code = code
        self.field = field

    def __str__(self):
        return self.message


def spawn_error(message, status_code=500, html_message=None, code=None, field=None):
    """Build the exception start() raises: JupyterHub 6's SpawnException when present."""
    if _SpawnException is not None:
        try:
            params = inspect.signature(_SpawnException).parameters
            wanted = {
                "message_html": html_message,
                "html_message": html_message,
                "status_code": status_code,
                "log_message": message,
            }
            kwargs = {k: v for k, v in wanted.items() if k in params and v is not None}
            exc = _SpawnException(message, **kwargs)
            for attr, value in (
                ("jupyterhub_message", message),
                ("jupyterhub_html_message", html_message or ""),
                ("code", code),
                ("field", field),
            ):
                if not hasattr(exc, attr) or attr in ("code", "field"):
                    setattr(exc, attr, value)
            return exc
        except Exception:  # unknown signature: fall back to our own exception
            pass
    return HPCSpawnError(message, status_code, html_message, code=code, field=field)


async def service_options_form(spawner):
    """Default ``options_form``: the HTML form the service renders for this user."""
    return await spawner.fetch_options_form()


def unpack_form_options(formdata):
    """Form data (a dict of lists of strings) to options: one-item lists become plain strings.

    Fields whose name starts with ``_`` are JupyterHub's own (``_xsrf``, which JupyterHub 4.1+
    adds to the spawn form), never server options: they are dropped here.
    """
    options = {}
    for key, value in formdata.items():
        if key.startswith("_"):
            continue
        if isinstance(value, (list, tuple)):
            options[key] = value[0] if len(value) == 1 else list(value)
        else:
            options[key] = value
    return options


class HPCSpawner(Spawner):
    """Spawner that starts single-user servers as batch jobs through the hpcspawner service."""

    service_url = Unicode(
        help="Base URL of the spawner service (without /api/v1). Default: $HPCSPAWNER_URL "
        "or http://127.0.0.1:8090.",
    ).tag(config=True)

    @default("service_url")
    def _default_service_url(self):
        return os.environ.get("HPCSPAWNER_URL") or "http://127.0.0.1:8090"

    service_token = Unicode(
        help="Bearer token for the spawner service (the hub token). Default: $HPCSPAWNER_TOKEN. "
        "Never logged.",
    ).tag(config=True)

    @default("service_token")
    def _default_service_token(self):
        return os.environ.get("HPCSPAWNER_TOKEN", "")

    request_timeout = Float(
        30.0, help="Timeout in seconds of one JSON call to the service."
    ).tag(config=True)

    connect_retries = Integer(
        3,
        help="How often a JSON call is retried after a transient error (no connection, "
        "timeout, 5xx) before giving up on that call.",
    ).tag(config=True)

    retry_delay = Float(
        0.5, help="First delay in seconds between retries (doubles up to 5 s, with jitter; a "
        "longer Retry-After of the service wins, up to 30 s)."
    ).tag(config=True)

    validate_cert = Bool(True, help="Verify the service's TLS certificate.").tag(config=True)

    ca_certs = Unicode(
        "", help="CA bundle file for the service's TLS certificate ('' = system CAs)."
    ).tag(config=True)

    http_max_clients = Integer(
        200,
        help="Maximum concurrent connections to the service from this hub (event streams "
        "of pending starts included).",
    ).tag(config=True)

    stop_timeout = Float(
        60.0, help="How long stop() waits (seconds) for the service to report the server ended."
    ).tag(config=True)

    stop_poll_interval = Float(
        0.5, help="Interval in seconds of the status checks while stop() waits."
    ).tag(config=True)

    stream_reconnect_interval = Float(
        60.0,
        help="Longest life in seconds of one event-stream connection; it is then resumed "
        "with Last-Event-ID. Bounds how long an abandoned or stalled stream lingers.",
    ).tag(config=True)

    pass_login = Bool(
        False,
        help="Send the user's Keycloak tokens (from the authenticator's auth_state) to the "
        "service with every start and before every stop. Needed for backends that act as the "
        "user (FirecREST); requires Authenticator.enable_auth_state. Tokens are never logged.",
    ).tag(config=True)

    auth_state_access_token_key = Unicode(
        "access_token", help="Key of the user's access token in the auth_state."
    ).tag(config=True)

    auth_state_refresh_token_key = Unicode(
        "refresh_token", help="Key of the user's refresh token in the auth_state."
    ).tag(config=True)

    start_timeout_slack = Float(
        60.0,
        help="Seconds the hub's start timeout exceeds the service's deadline for a start (the "
        "profile's queue-timeout), so the service gives up first, with its own message and its "
        "job cancelled, and the hub never abandons a start the service still runs.",
    ).tag(config=True)

    queue_progress_interval = Float(
        60.0,
        help="While a start waits in the queue, the progress repeats the queue message with the "
        "time waited so far at this interval (seconds).",
    ).tag(config=True)

    start_id = Unicode(
        "", help="startId of the current (or last) start; kept in the spawner state."
    )

    @default("start_timeout")
    def _default_start_timeout(self):
        # queue time counts against start_timeout
        return 300

    @default("http_timeout")
    def _default_http_timeout(self):
        return 60

    @default("env_keep")
    def _default_env_keep(self):
        # The hub's own PATH, PYTHONPATH and virtualenv mean nothing on a compute node, and the
        # service refuses variables that run code in the job (PYTHONPATH, LD_*, ...): keep only
        # the locale and the choice of server application.
        return ["LANG", "LC_ALL", "JUPYTERHUB_SINGLEUSER_APP"]

    @default("options_form")
    def _default_options_form(self):
        return service_options_form

    @default("options_from_form")
    def _default_hpc_options_from_form(self):
        return unpack_form_options

    # internal bookkeeping (plain attributes, not traits)
    _feed = None
    _start_running = False
    _stop_generation = 0
    _client_obj = None

    # helpers ------------------------------------------------------------------------------

    @property
    def client(self):
        """The :class:`ServiceClient` built from this spawner's configuration."""
        if self._client_obj is None:
            self._client_obj = ServiceClient(
                self.service_url,
                self.service_token,
                request_timeout=self.request_timeout,
                connect_retries=self.connect_retries,
                retry_delay=self.retry_delay,
                validate_cert=self.validate_cert,
                ca_certs=self.ca_certs,
                max_clients=self.http_max_clients,
                log=self.log,
            )
        return self._client_obj

    @property
    def _user_name(self):
        return self.user.name

    def _group_names(self):
        """The user's JupyterHub group names: the service offers a profile restricted to groups
        only to their members (and honours the names only from the hub)."""
        return sorted({g.name for g in (getattr(self.user, "groups", None) or [])})

    def _now(self):
        return time.monotonic()

    def _stop_requested(self, generation):
        return self._stop_generation != generation

    def _check_stop(self, generation):
        if self._stop_requested(generation):
            raise spawn_error("The server was stopped while it was starting.", code="stopped")

    def _retry(self, deadline, generation=None):
        """The retry policy of a call of this spawner until ``deadline`` (on ``_now``).

        With ``generation``, its waits end early when stop() is called.
        """

        async def sleep(seconds):
            await self._sleep(seconds, generation)

        return self.client.retry(deadline=deadline, sleep=sleep, clock=self._now)

    async def _sleep(self, seconds, generation=None):
        """Sleep, waking early when stop() is called."""
        end = self._now() + max(0.0, seconds)
        while True:
            if generation is not None and self._stop_requested(generation):
                return
            left = end - self._now()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.25))

    def _with_base_url(self, url):
        """The service's URL with this server's base path (the form JupyterHub stores)."""
        server = self.server
        if not url or server is None:
            return url
        parts = urlparse(url)
        return f"{parts.scheme}://{parts.netloc}{server.base_url}"

    async def _login(self):
        """The user's tokens for the service (``{"accessToken", "refreshToken"}``) or None.

        None when ``pass_login`` is off, or when the auth_state holds no refresh token (auth
        state disabled, or a login from before it was enabled): the service then tells the
        user to log in again.
        """
        if not self.pass_login:
            return None
        try:
            auth_state = await self.user.get_auth_state()
        except Exception as e:
            self.log.warning("Could not read the auth_state of %s: %s", self._log_name, type(e).__name__)
            return None
        if not isinstance(auth_state, dict):
            self.log.warning(
                "%s has no auth_state: enable Authenticator.enable_auth_state so the user's "
                "tokens reach the spawner service", self._log_name,
            )
            return None
        refresh_token = auth_state.get(self.auth_state_refresh_token_key)
        if not isinstance(refresh_token, str) or not refresh_token:
            self.log.warning(
                "The auth_state of %s has no %r; the user must log in again",
                self._log_name, self.auth_state_refresh_token_key,
            )
            return None
        login = {"refreshToken": refresh_token}
        access_token = auth_state.get(self.auth_state_access_token_key)
        if isinstance(access_token, str) and access_token:
            login["accessToken"] = access_token
        return login

    # state --------------------------------------------------------------------------------

    def load_state(self, state):
        super().load_state(state)
        start_id = state.get("start_id") if isinstance(state, dict) else None
        if isinstance(start_id, str):
            self.start_id = start_id

    def get_state(self):
        state = super().get_state()
        if self.start_id:
            state["start_id"] = self.start_id
        return state

    def clear_state(self):
        super().clear_state()
        self.start_id = ""
        self._feed = None

    # options ------------------------------------------------------------------------------

    async def fetch_options_form(self):
        """GET the service's options form for this user: its ``html`` ('' means no form)."""
        try:
            answer = await self.client.get_options_form(self._user_name, self._group_names())
        except ServiceError as e:
            if e.status == 404:
                return ""
            self.log.warning("Could not load the options form for %s: %s", self._log_name, e)
            return OPTIONS_FORM_ERROR_HTML
        except Exception:
            self.log.exception("Could not load the options form for %s", self._log_name)
            return OPTIONS_FORM_ERROR_HTML
        form = answer.get("html") if isinstance(answer, dict) else None
        return form if isinstance(form, str) else ""

    # start --------------------------------------------------------------------------------

    async def start(self):
        """Submit the start to the service and wait until the server's URL is known."""
        generation = self._stop_generation
        start_id = uuid.uuid4().hex
        self.start_id = start_id
        feed = self._feed = EventFeed(start_id)
        self._start_running = True
        deadline = self._now() + self.start_timeout
        try:
            status = await self._submit(start_id, deadline, generation)
            if self._stop_requested(generation):
                # stop() ran while the create call was in flight: make sure the job goes away
                await self._cancel_quietly()
                self._check_stop(generation)
            deadline = self._deadline_of(status, deadline)
            url = status.get("url") if status.get("state") == "running" else None
            if url:
                feed.push({"progress": 100, "message": f"Server ready at {url}", "ready": True, "url": url})
                self.log.info("%s is running at %s", self._log_name, url)
                return url
            terminal = await self._follow_events(deadline, generation, feed.push)
            return await self._finish_start(terminal)
        finally:
            self._start_running = False
            feed.close()

    def _deadline_of(self, status, default=None):
        """The monotonic deadline of a start: the service's ``startDeadline`` plus a slack.

        The service gives up a start (and cancels its job) at its profile's queue-timeout; the
        plugin follows it until then. Without a deadline from the service: ``default``, or
        ``start_timeout`` from now.
        """
        at = parse_instant(status.get("startDeadline")) if isinstance(status, dict) else None
        if at is None:
            return default if default is not None else self._now() + self.start_timeout
        return self._now() + max(0.0, at - time.time()) + self.start_timeout_slack

    async def run_pre_spawn_hook(self):
        """The configured ``pre_spawn_hook``, then the hub's start timeout from the profile.

        JupyterHub reads ``start_timeout`` right after this hook (before ``start()`` runs), so
        this is where the profile's queue-timeout (from the service's options form) becomes the
        hub's timeout: a start may wait in the queue as long as its profile allows.
        """
        result = super().run_pre_spawn_hook()
        if inspect.isawaitable(result):
            result = await result
        await self._apply_queue_timeout()
        return result

    async def _apply_queue_timeout(self):
        try:
            answer = await self.client.get_options_form(self._user_name, self._group_names())
        except Exception as e:
            self.log.warning("Could not read the profiles' queue timeouts for %s (%s); start_timeout stays %s s",
                             self._log_name, e, self.start_timeout)
            return
        profiles = answer.get("profiles") if isinstance(answer, dict) else None
        if not isinstance(profiles, list):
            return
        wanted = (self.user_options or {}).get("profile")
        chosen = None
        for p in profiles:
            if not isinstance(p, dict):
                continue
            if (wanted and p.get("key") == wanted) or (not wanted and p.get("first")):
                chosen = p
                break
        seconds = chosen.get("queueTimeoutSeconds") if chosen else None
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0:
            self.start_timeout = int(seconds + self.start_timeout_slack)
            self.log.info("%s: profile %s may wait %s s in the queue; start_timeout %s s",
                          self._log_name, chosen.get("key"), int(seconds), self.start_timeout)

    async def _submit(self, start_id, deadline, generation):
        """POST the create call (idempotent per startId); adopt an already active start."""
        options = dict(self.user_options or {})
        try:
            json.dumps(options)
        except (TypeError, ValueError):
            raise spawn_error(
                "The server options must be plain values (strings, numbers, lists).",
                status_code=400,
                code="invalid_option",
            ) from None
        environment = self.get_env()
        login = await self._login()
        groups = self._group_names()
        attempts_409 = 0
        self.log.info("Submitting start %s of %s to %s", start_id, self._log_name, self.client.base_url)

        async def create():
            nonlocal attempts_409
            while True:
                self._check_stop(generation)
                try:
                    status = await self.client.create_server(
                        self._user_name, self.name, start_id, options, environment, retries=0,
                        login=login, groups=groups,
                    )
                    return status if isinstance(status, dict) else {}
                except ServiceError as e:
                    # only server_active means an earlier start the hub forgot; server_limit and
                    # the like are the user's to act on and are shown at once
                    if not (e.code == "server_active" or (e.status == 409 and not e.code)):
                        raise
                    replaced = await self._replace_active_start(generation)
                    if replaced == "wait" and self._now() + self.stop_poll_interval < deadline:
                        # the previous server is still stopping: create again once it is gone
                        await self._sleep(self.stop_poll_interval, generation)
                        continue
                    attempts_409 += 1
                    if attempts_409 >= 3:
                        raise self._error_for(e) from None

        def on_retry(e, wait):
            self.log.warning("Creating %s failed (%s); retrying in %.1fs", self._log_name, e, wait)

        retry = self._retry(deadline, generation)
        try:
            return await retry.run(create, on_retry)
        except ServiceError as e:
            if not e.transient:
                raise self._error_for(e) from None
            raise spawn_error(
                f"The spawner service could not be reached: {e}", status_code=503, code=e.code,
            ) from None

    async def _replace_active_start(self, generation):
        """After 409 server_active: the service still runs an earlier start the hub forgot.

        The hub starts a server only when it believes none runs, and the earlier start carries
        an API token the hub may have revoked since; so it is stopped (its job cancelled) and
        this start is created afresh. Returns ``"wait"`` while the earlier start is going away,
        or ``None`` when nothing active is left (create again).
        """
        try:
            status = await self.client.get_server(self._user_name, self.name)
        except ServiceError as e:
            if server_gone(e):
                return None  # it ended meanwhile: create again
            raise self._error_for(e) from None
        if not isinstance(status, dict) or status.get("state") in ENDED_STATES:
            return None
        if status.get("state") != "stopping":
            self.log.warning(
                "%s has an earlier start %s (%s) on the service that the hub does not know; "
                "stopping it before starting anew.",
                self._log_name, status.get("startId"), status.get("state"),
            )
            try:
                await self.client.delete_server(self._user_name, self.name)
            except ServiceError as e:
                if not server_gone(e):
                    raise self._error_for(e) from None
        return "wait"

    async def _finish_start(self, terminal):
        if terminal.get("ready"):
            url = terminal.get("url")
            if not url:
                status = await self.client.get_server(self._user_name, self.name)
                url = status.get("url") if isinstance(status, dict) else None
            if not url:
                raise spawn_error("The spawner service reported the server ready without a URL.")
            self.log.info("%s is running at %s", self._log_name, url)
            return url
        message = terminal.get("message")
        if not isinstance(message, str) or not message:
            message = (
                "The server was stopped before it was ready."
                if terminal.get("stopped")
                else "The server failed to start."
            )
        html_message = terminal.get("html_message")
        if not isinstance(html_message, str):
            html_message = None
        self.log.warning("Start of %s ended without a server: %s", self._log_name, message)
        if terminal.get("failed") and terminal.get("code") == "scheduler_unavailable":
            # the cluster could not be reached, nothing ran: the hub answers 503, not 500
            raise spawn_error(message, status_code=503, html_message=html_message, code=terminal["code"])
        if not terminal.get("failed"):
            raise spawn_error(message, html_message=html_message, code="stopped")
        message, html_message = self._with_log_link(message, html_message)
        raise spawn_error(message, html_message=html_message, code="failed")

    def _with_log_link(self, message, html_message):
        """The failure message, ending with the link to the job's whole output (log_page)."""
        url = log_url(self.hub.base_url, self.user.name, self.name)
        shown = html_message or html.escape(message).replace("\n", "<br>")
        return (
            f"{message}\nThe job's whole output: {url}",
            f'{shown}<br><a href="{html.escape(url)}">The job\'s whole output</a>',
        )

    async def job_log(self, lines=None):
        """The output of this server's job (:class:`~hpcspawner.client.JobLog`), read by the service as the user."""
        return await self.client.get_log(self._user_name, self.name, lines=lines)

    def _error_for(self, e):
        """Translate a non-transient ServiceError of a start into the user-facing exception."""
        if e.code == "invalid_option" or (e.status == 400 and e.field):
            field = e.field or ""
            name = field[len("options."):] if field.startswith("options.") else field
            message = e.message
            if name and name not in message:
                message = f"Invalid server option {name}: {message}"
            elif name:
                message = f"Invalid server option: {message}"
            return spawn_error(message, status_code=400, code=e.code, field=e.field)
        if e.status == 400:
            return spawn_error(
                f"The start request was rejected: {e.message}",
                status_code=400, code=e.code, field=e.field,
            )
        if e.code in ("user_not_allowed", "server_limit", "denied_environment"):
            # about this user or this start, not the hub's credentials: the user sees why
            return spawn_error(e.message, status_code=e.status, code=e.code, field=e.field)
        if e.status in (401, 403):
            self.log.error(
                "The spawner service refused the hub's credentials (%s %s): check "
                "HPCSpawner.service_token", e.status, e.code,
            )
            return spawn_error(
                "The hub is not allowed to use the spawner service; please contact the administrators.",
                code=e.code,
            )
        return spawn_error(f"The spawner service failed: {e.message}", code=e.code)

    async def _follow_events(self, deadline, generation, on_event=None):
        """Follow the start's events (resuming with Last-Event-ID) until a terminal event.

        Transient errors (service unreachable, stream dropped, 5xx) are retried until
        ``deadline``; returns the terminal event's data.
        """
        last_id = None
        retry = self._retry(deadline, generation)
        not_found = 0
        while True:
            self._check_stop(generation)
            remaining = deadline - self._now()
            if remaining <= 0:
                raise spawn_error(
                    f"The server did not become ready within {self.start_timeout} seconds.",
                    code="timeout",
                )
            got_event = False
            try:
                async for event in self.client.events(
                    self._user_name,
                    self.name,
                    last_event_id=last_id,
                    timeout=min(remaining, self.stream_reconnect_interval),
                ):
                    if event.id:
                        last_id = event.id
                    try:
                        data = json.loads(event.data)
                    except ValueError:
                        self.log.debug("Ignoring a non-JSON event for %s", self._log_name)
                        continue
                    if not isinstance(data, dict):
                        continue
                    got_event = True
                    not_found = 0
                    retry.reset()
                    if on_event is not None:
                        on_event(data)
                    if is_terminal(data):
                        return data
                    self._check_stop(generation)
                # the stream ended without a terminal event: resume after the last event
                if got_event:
                    continue
                await retry.sleep(retry.wait_within_deadline())
            except ServiceError as e:
                if server_gone(e):
                    not_found += 1
                    if not_found > 5:
                        raise spawn_error(
                            "The spawner service no longer knows this server.", code=e.code
                        ) from None
                elif e.status is not None and e.status < 500:
                    raise self._error_for(e) from None
                wait = retry.wait_within_deadline(e)
                if not server_gone(e):
                    self.log.warning(
                        "Event stream of %s: %s; resuming after event %s in %.1fs",
                        self._log_name, e, last_id, wait,
                    )
                await retry.sleep(wait)

    # poll / stop --------------------------------------------------------------------------

    async def poll(self):
        """None while the service reports the server starting or alive, else its exit status.

        Only a definite answer of the service ends a server: transient errors, and
        credential problems, answer None (and are logged) instead of "stopped".
        """
        if self._start_running:
            return None
        try:
            status = await self.client.get_server(self._user_name, self.name)
        except ServiceError as e:
            if server_gone(e):
                return 0
            if e.status in (401, 403):
                self.log.error(
                    "Polling %s: the spawner service refused the hub's credentials (%s); "
                    "assuming the server is still running", self._log_name, e.status,
                )
            else:
                self.log.warning(
                    "Polling %s failed (%s); assuming the server is still running",
                    self._log_name, e,
                )
            return None
        except Exception:
            self.log.exception("Polling %s failed; assuming the server is still running", self._log_name)
            return None
        if isinstance(status, dict) and self.start_id and status.get("startId") not in (None, self.start_id):
            # the service holds another start of this server: the one the hub knows has ended
            self.log.info("%s: the service now runs start %s, not %s; the hub's server has ended",
                          self._log_name, status.get("startId"), self.start_id)
            return 0
        return self._exit_status(status)

    def _exit_status(self, status):
        if not isinstance(status, dict):
            self.log.warning("Unexpected status answer for %s; assuming running", self._log_name)
            return None
        state = status.get("state")
        exit_code = status.get("exitCode")
        if not isinstance(exit_code, int) or isinstance(exit_code, bool):
            exit_code = None
        if state in ACTIVE_STATES:
            return None
        if state == "stopped":
            return exit_code if exit_code is not None else 0
        if state == "failed":
            return exit_code or 1
        self.log.warning("Unknown state %r of %s; assuming running", state, self._log_name)
        return None

    async def _refresh_login(self):
        """Hand the service the user's current tokens, so it can cancel the job as the user.

        Best effort: without it the service still tries with the login it kept from the start.
        """
        login = await self._login()
        if login is None:
            return
        try:
            await self.client.put_login(self._user_name, login)
        except ServiceError as e:
            self.log.warning("Passing the login of %s to the service failed: %s", self._log_name, e)

    async def _cancel_quietly(self):
        try:
            await self.client.delete_server(self._user_name, self.name)
        except ServiceError as e:
            if not server_gone(e):
                self.log.warning("Cancelling %s failed: %s", self._log_name, e)

    async def cancel_start(self):
        """Stop a start the hub still shows as pending (queued or starting).

        Cancels it at the service (its job goes away) and wakes ``start()`` (or, after a hub
        restart, the check in ``get_url``), which then ends; the hub drops the server. This is
        what the hub's ``.../cancel`` route calls (see :mod:`hpcspawner.hub_api`): JupyterHub
        before 5.1 refuses its own stop while a spawn is pending.
        """
        self.log.info("Cancelling the pending start of %s", self._log_name)
        await self._refresh_login()
        try:
            await self.client.delete_server(self._user_name, self.name)
        except ServiceError as e:
            if not server_gone(e):
                raise web.HTTPError(e.status if e.status and e.status < 500 else 502,
                                    f"The start could not be cancelled: {e.message}") from None
        self._stop_generation += 1

    async def stop(self, now=False):
        """DELETE the server (cancels the job in every state) and wait until it has ended.

        Idempotent: 404 means there is nothing left to stop. Also ends a pending start().
        """
        self._stop_generation += 1
        deadline = self._now() + self.stop_timeout
        self.log.info("Stopping %s", self._log_name)
        await self._refresh_login()

        def on_retry(e, wait):
            self.log.warning("Stopping %s failed (%s); retrying in %.1fs", self._log_name, e, wait)

        try:
            status = await self._retry(deadline).run(
                lambda: self.client.delete_server(self._user_name, self.name), on_retry
            )
        except ServiceError as e:
            if server_gone(e):
                self.log.info("%s is already gone", self._log_name)
                return
            raise spawn_error(f"The server could not be stopped: {e.message}", code=e.code) from None
        while True:
            state = status.get("state") if isinstance(status, dict) else None
            if state in ENDED_STATES:
                self.log.info("%s has %s", self._log_name, state)
                return
            if self._now() + self.stop_poll_interval > deadline:
                self.log.warning(
                    "%s still in state %s after %.0fs; the service goes on cancelling it (%s)",
                    self._log_name, state, self.stop_timeout,
                    status.get("message", "") if isinstance(status, dict) else "",
                )
                return
            await asyncio.sleep(self.stop_poll_interval)
            try:
                status = await self.client.get_server(self._user_name, self.name, retries=0)
            except ServiceError as e:
                if server_gone(e):
                    return
                self.log.debug("Status of stopping %s unavailable: %s", self._log_name, e)

    # progress -----------------------------------------------------------------------------

    async def progress(self):
        """Replay the start's service events as JupyterHub progress events; never raises.

        The events are the ones start() reads from the service's event stream (one stream per
        start), so this also works when called before the create call has completed.
        """
        try:
            feed = self._feed
            deadline = self._now() + self.start_timeout
            while feed is None:
                if self._now() >= deadline:
                    return
                await asyncio.sleep(0.1)
                feed = self._feed
            queued_since = None
            last = None
            async for data in feed.follow(tick=self.queue_progress_interval):
                if data is None:
                    if queued_since is not None and last is not None:
                        yield self._queue_wait_event(last, self._now() - queued_since)
                    continue
                state = data.get("state")
                if state == "queued":
                    if queued_since is None:
                        queued_since = self._now()
                    last = data
                elif state is not None:
                    queued_since = None
                event = self._progress_event(data)
                if event:
                    yield event
        except Exception:
            self.log.warning("Progress events of %s ended with an error", self._log_name, exc_info=True)

    @staticmethod
    def _queue_wait_event(queued, waited):
        """The last queue message again, with how long the start has waited in the queue."""
        minutes = int(waited // 60)
        wait = f"{minutes} min" if minutes else f"{int(waited)} s"
        message = queued.get("message") if isinstance(queued.get("message"), str) else "Waiting in the queue"
        return {"message": f"Waiting in the queue for {wait}. {message}"}

    @staticmethod
    def _progress_event(data):
        event = {}
        progress = data.get("progress")
        if isinstance(progress, (int, float)) and not isinstance(progress, bool):
            event["progress"] = max(0, min(100, int(progress)))
        message = data.get("message")
        if not isinstance(message, str) or not message:
            if data.get("ready") and isinstance(data.get("url"), str):
                message = f"Server ready at {data['url']}"
            else:
                message = None
        if message is not None:
            event["message"] = message
        html_message = data.get("html_message")
        if isinstance(html_message, str) and html_message:
            event["html_message"] = html_message
        if "progress" not in event and "message" not in event:
            return None
        event.setdefault("message", "")
        return event

    # url ----------------------------------------------------------------------------------

    async def get_url(self):
        """The server's URL as the service knows it (JupyterHub awaits this at startup).

        A running server answers at once. A server still queued or starting (the hub restarted
        meanwhile) is followed until it is ready, at most until the service's deadline for the
        start (``startDeadline``; ``start_timeout`` when the service names none). Either way the
        server's proxy route is put back as soon as the hub's check of it ends (see
        :meth:`_restore_route`). Falls back to the stored URL on errors.
        """
        generation = self._stop_generation
        try:
            status = await self.client.get_server(self._user_name, self.name)
            state = status.get("state") if isinstance(status, dict) else None
            url = status.get("url") if state == "running" else None
            if state in STARTING_STATES:
                self.log.info("%s is %s on the service; waiting until it is ready", self._log_name, state)
                if isinstance(status.get("startId"), str) and status["startId"]:
                    self.start_id = status["startId"]
                terminal = await self._follow_events(self._deadline_of(status), generation)
                if terminal.get("ready"):
                    url = terminal.get("url")
                    if not url:
                        status = await self.client.get_server(self._user_name, self.name)
                        url = status.get("url") if isinstance(status, dict) else None
            if url:
                self._restore_route()
                return self._with_base_url(url)
            self.log.warning("The service has no URL for %s (state %s)", self._log_name, state)
        except Exception as e:
            self.log.warning("Could not get the URL of %s from the service: %s", self._log_name, e)
        return await super().get_url()

    def _restore_route(self):
        """Put this server's proxy route back once the hub's start-up check of it has ended.

        JupyterHub (3.x to 5.x) adds the routes of the servers it found running in one sweep,
        either when it starts serving (after ``init_spawners_timeout``) or once the checks of
        *all* servers have ended, which waits for every server still queued across the restart.
        So a running server whose check ends after the first sweep, and a queued one that comes
        up later, would stay unreachable until all queued servers are up (or the hub's
        five-minute route check). This adds the route itself as soon as this server is ready.
        """
        proxy = getattr(self.user, "settings", {}).get("proxy") if self.user is not None else None
        if proxy is None or getattr(self, "_check_pending", False) is False:
            return  # not a start-up check (or no proxy to talk to)
        task = asyncio.ensure_future(self._route_when_checked(proxy))
        self._route_task = task  # keep a reference so the task is not collected

    async def _route_when_checked(self, proxy):
        # the hub ends the check by waiting for the server's HTTP answer (http_timeout at most)
        end = self._now() + self.http_timeout + 30
        while self._check_pending and self._now() < end:
            await asyncio.sleep(0.1)
        if not self.ready:
            return
        try:
            await proxy.add_user(self.user, self.name)
            self.log.info("Restored the proxy route of %s after the hub's restart", self._log_name)
        except Exception as e:  # the hub's own periodic route check retries
            self.log.warning("Could not restore the proxy route of %s: %s", self._log_name, e)
