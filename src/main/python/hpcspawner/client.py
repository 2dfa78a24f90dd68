"""Small asynchronous client for the hpcspawner REST service (API version 1, see docs/api.md).

It uses only tornado (which JupyterHub already depends on): JSON calls with retries on transient
errors, error answers mapped to :class:`ServiceError`, and the Server-Sent Events stream of a
start with ``Last-Event-ID`` resume.
"""

import asyncio
import json
import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlencode

from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.iostream import StreamClosedError
from tornado.simple_httpclient import HTTPTimeoutError, SimpleAsyncHTTPClient

from .events import SSEParser
from .retry import Retry

API_PREFIX = "/api/v1"

#: error codes for failures that never reached the service or got no answer
UNREACHABLE = "unreachable"
TIMEOUT = "timeout"


class ServiceError(Exception):
    """An error answer from the spawner service, or no answer at all.

    ``status`` is the HTTP status (``None`` when the service could not be reached or timed out),
    ``code`` the service's error code (``invalid_option``, ``server_active``, ...), ``message``
    its human-readable message, ``field`` the offending input field, if any, and
    ``retry_after`` the seconds the service asked to wait (``Retry-After``), if it did.
    """

    def __init__(self, message, status=None, code=None, field=None, retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.retry_after = retry_after

    @property
    def transient(self):
        """True for errors worth retrying: no answer, timeouts, 5xx answers, and ``409 record_changed``
        (another replica of the service wrote the record meanwhile; the service says repeating is safe)."""
        return self.status is None or self.status >= 500 or (self.status == 409 and self.code == "record_changed")

    def __str__(self):
        return self.message


class JobLog:
    """The output of a server's job: ``text``, whether earlier lines were left out, the job's id."""

    def __init__(self, text, truncated=False, job_id=None):
        self.text = text
        self.truncated = truncated
        self.job_id = job_id


class _ServiceHTTPClient(SimpleAsyncHTTPClient):
    """The HTTP client for the service: one per IOLoop, separate from the hub's shared client.

    JupyterHub may configure the global AsyncHTTPClient to use pycurl, a small connection
    limit, or internal-SSL client certificates; long-lived event streams and the service's
    TLS settings must not depend on (or interfere with) any of that.
    """


def _quote(segment):
    return quote(segment, safe="")


def parse_retry_after(value, now=None):
    """Seconds from a ``Retry-After`` header (delay seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if at is None or at.tzinfo is None:
        return None
    return max(0.0, at.timestamp() - (time.time() if now is None else now))


def _error_from_response(status, body, what, headers=None):
    code = field = message = None
    try:
        payload = json.loads(body.decode("utf-8")) if body else None
    except (ValueError, UnicodeDecodeError):
        payload = None
    if isinstance(payload, dict):
        code = payload.get("error") if isinstance(payload.get("error"), str) else None
        message = payload.get("message") if isinstance(payload.get("message"), str) else None
        field = payload.get("field") if isinstance(payload.get("field"), str) else None
    if not message:
        message = f"spawner service answered HTTP {status} to {what}"
    retry_after = parse_retry_after(headers.get("Retry-After")) if headers is not None else None
    return ServiceError(message, status=status, code=code, field=field, retry_after=retry_after)


def _error_from_exception(exc, base_url, what):
    if isinstance(exc, HTTPTimeoutError):
        return ServiceError(
            f"spawner service at {base_url} did not answer {what} in time", code=TIMEOUT
        )
    if isinstance(exc, HTTPClientError) and exc.code != 599 and exc.response is not None:
        return _error_from_response(exc.code, exc.response.body, what, exc.response.headers)
    reason = str(exc) or type(exc).__name__
    return ServiceError(
        f"spawner service at {base_url} is unreachable ({reason})", code=UNREACHABLE
    )


_NETWORK_ERRORS = (HTTPClientError, StreamClosedError, OSError)


class ServiceClient:
    """Calls of the spawner service's API on behalf of the hub (``Authorization: Bearer``).

    The token is only ever put into the Authorization header; request bodies (which contain the
    single-user server's environment, i.e. secrets) are never logged.
    """

    def __init__(
        self,
        base_url,
        token="",
        request_timeout=30.0,
        connect_retries=3,
        retry_delay=0.5,
        validate_cert=True,
        ca_certs=None,
        max_clients=200,
        log=None,
    ):
        base_url = base_url.rstrip("/")
        if base_url.endswith(API_PREFIX):
            base_url = base_url[: -len(API_PREFIX)]
        self.base_url = base_url
        self._token = token
        self.request_timeout = request_timeout
        self.connect_retries = connect_retries
        self.retry_delay = retry_delay
        self.validate_cert = validate_cert
        self.ca_certs = ca_certs or None
        self.max_clients = max_clients
        self.log = log or logging.getLogger(__name__)

    def __repr__(self):
        return f"ServiceClient({self.base_url!r})"

    @property
    def http(self):
        return _ServiceHTTPClient(max_clients=self.max_clients)

    # paths --------------------------------------------------------------------------------

    @staticmethod
    def server_path(user, server_name=""):
        """``/users/{user}/server`` for the default server, ``/users/{user}/servers/{name}`` else."""
        if server_name:
            return f"/users/{_quote(user)}/servers/{_quote(server_name)}"
        return f"/users/{_quote(user)}/server"

    def _url(self, path):
        return f"{self.base_url}{API_PREFIX}{path}"

    def _headers(self, accept="application/json"):
        headers = {"Accept": accept}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    # JSON calls ---------------------------------------------------------------------------

    async def request(self, method, path, body=None, retries=None):
        """One JSON call; retries transient errors ``retries`` times (default ``connect_retries``).

        Returns the decoded JSON answer (``None`` for an empty body); raises :class:`ServiceError`.
        """
        retry = self.retry(attempts=1 + max(0, self.connect_retries if retries is None else retries))

        def on_retry(e, wait):
            self.log.debug(
                "%s %s failed (%s), retry %d/%d in %.1fs",
                method, path, e, retry.tries, retry.attempts - 1, wait,
            )

        return await retry.run(lambda: self._request_once(method, path, body), on_retry)

    def retry(self, **kwargs):
        """The :class:`~hpcspawner.retry.Retry` of one call with this client's ``retry_delay``."""
        return Retry(self.retry_delay, **kwargs)

    async def _request_once(self, method, path, body):
        what = f"{method} {API_PREFIX}{path}"
        response = await self._send(method, path, body, what)
        if not response.body:
            return None
        try:
            return json.loads(response.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise ServiceError(
                f"spawner service sent an invalid JSON answer to {what}",
                status=response.code,
                code="bad_response",
            ) from None

    async def _send(self, method, path, body, what, accept="application/json"):
        """One call; returns the 2xx response, raises :class:`ServiceError` for anything else."""
        headers = self._headers(accept)
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            payload = ""
        request = HTTPRequest(
            self._url(path),
            method=method,
            headers=headers,
            body=payload,
            connect_timeout=self.request_timeout,
            request_timeout=self.request_timeout,
            follow_redirects=False,
            validate_cert=self.validate_cert,
            ca_certs=self.ca_certs,
        )
        try:
            response = await self.http.fetch(request, raise_error=False)
        except _NETWORK_ERRORS as e:
            raise _error_from_exception(e, self.base_url, what) from None
        if 200 <= response.code < 300:
            return response
        raise _error_from_response(response.code, response.body, what, response.headers)

    async def create_server(
        self, user, server_name, start_id, options, environment, retries=None, login=None, groups=None
    ):
        """``POST .../server``: start (or re-attach to the same ``startId``); returns the status.

        ``login`` (``{"accessToken", "refreshToken"}``) passes the user's Keycloak tokens;
        ``groups`` the user's JupyterHub group names (profiles may be open to some groups only).
        """
        body = {"startId": start_id, "options": options, "environment": environment}
        if login:
            body["login"] = login
        if groups:
            body["groups"] = list(groups)
        return await self.request("POST", self.server_path(user, server_name), body, retries=retries)

    async def get_server(self, user, server_name="", retries=None):
        """``GET .../server``: the status of the server (``ServiceError`` 404 when none)."""
        return await self.request("GET", self.server_path(user, server_name), retries=retries)

    async def delete_server(self, user, server_name="", retries=None):
        """``DELETE .../server``: stop/cancel; returns the status (``ServiceError`` 404 when none)."""
        return await self.request("DELETE", self.server_path(user, server_name), retries=retries)

    async def put_login(self, user, login, retries=None):
        """``PUT /users/{user}/login``: the user's current Keycloak tokens (204)."""
        return await self.request("PUT", f"/users/{_quote(user)}/login", login, retries=retries)

    async def get_options_form(self, user, groups=None, retries=None):
        """``GET /users/{user}/options-form``: ``{"html": ..., "profiles": [...], "systems": [...]}``.

        ``groups``: the user's JupyterHub group names, sent as ``?group=a&group=b``.
        """
        query = "?" + urlencode([("group", g) for g in groups]) if groups else ""
        return await self.request("GET", f"/users/{_quote(user)}/options-form{query}", retries=retries)

    async def get_log(self, user, server_name="", lines=None, retries=None):
        """``GET .../server/log``: the last ``lines`` lines of the output of the server's job.

        Returns a :class:`JobLog`; raises :class:`ServiceError` (404 server_not_found, 409
        no_job_output, 403 log_unreadable with the reason, 503 scheduler_unavailable).
        """
        path = self.server_path(user, server_name) + "/log"
        if lines is not None:
            path += f"?lines={int(lines)}"
        what = f"GET {API_PREFIX}{path}"
        retry = self.retry(attempts=1 + max(0, self.connect_retries if retries is None else retries))
        response = await retry.run(lambda: self._send("GET", path, None, what, accept="text/plain"))
        return JobLog(
            text=response.body.decode("utf-8", "replace"),
            truncated=response.headers.get("X-Log-Truncated", "").lower() == "true",
            job_id=response.headers.get("X-Job-Id"),
        )

    # event stream -------------------------------------------------------------------------

    async def events(self, user, server_name="", last_event_id=None, timeout=60.0):
        """Async iterator over the server's SSE events (:class:`~hpcspawner.events.SSEEvent`).

        Sends ``Last-Event-ID`` when given, so only later events are replayed. Ends when the
        service closes the stream (after the terminal event) or when ``timeout`` seconds have
        passed on an open stream (reconnect with the last id to go on). Raises
        :class:`ServiceError` for an error answer or a connection failure.
        """
        path = self.server_path(user, server_name) + "/events"
        what = f"GET {API_PREFIX}{path}"
        headers = self._headers(accept="text/event-stream")
        headers["Cache-Control"] = "no-cache"
        if last_event_id:
            headers["Last-Event-ID"] = str(last_event_id)

        loop = asyncio.get_running_loop()
        queue = asyncio.Queue()
        parser = SSEParser(last_event_id)
        state = {"status": None, "headers": {}, "error_body": [], "abandoned": False}
        end = object()

        def on_header(line):
            if state["status"] is None and line.startswith("HTTP/"):
                parts = line.split(" ", 2)
                try:
                    state["status"] = int(parts[1])
                except (IndexError, ValueError):
                    state["status"] = 0
            elif line.lower().startswith("retry-after:"):
                state["headers"]["Retry-After"] = line.split(":", 1)[1].strip()

        def on_chunk(chunk):
            if state["abandoned"]:
                # nobody reads any more; the connection ends with the stream (terminal event)
                # or at the latest after `timeout` seconds
                return
            if state["status"] == 200:
                for event in parser.feed(chunk):
                    queue.put_nowait(event)
            elif sum(len(c) for c in state["error_body"]) < 65536:
                state["error_body"].append(chunk)

        request = HTTPRequest(
            self._url(path),
            method="GET",
            headers=headers,
            connect_timeout=min(self.request_timeout, timeout),
            request_timeout=timeout,
            follow_redirects=False,
            validate_cert=self.validate_cert,
            ca_certs=self.ca_certs,
            header_callback=on_header,
            streaming_callback=on_chunk,
            decompress_response=False,
        )
        fetch = asyncio.ensure_future(self.http.fetch(request, raise_error=False))
        fetch.add_done_callback(lambda f: loop.call_soon(queue.put_nowait, end))
        try:
            while True:
                item = await queue.get()
                if item is not end:
                    yield item
                    continue
                # the request is over: events queued before the end marker were yielded already
                exc = fetch.exception()
                if exc is not None:
                    if state["status"] == 200 and isinstance(exc, HTTPTimeoutError):
                        return  # our own per-connection time limit: the caller reconnects
                    if state["status"] == 200 and isinstance(exc, _NETWORK_ERRORS):
                        raise ServiceError(
                            f"event stream from {self.base_url} was interrupted ({exc})",
                            code=UNREACHABLE,
                        )
                    raise _error_from_exception(exc, self.base_url, what)
                response = fetch.result()
                if response.code == 200:
                    return
                raise _error_from_response(
                    response.code, b"".join(state["error_body"]), what, state["headers"]
                )
        finally:
            state["abandoned"] = True
            if not fetch.done():
                # consume the eventual error of the abandoned request
                fetch.add_done_callback(lambda f: f.cancelled() or f.exception())
