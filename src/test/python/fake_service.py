"""In-process fake of the hpcspawner REST service (docs/api.md) with fault-injection knobs."""

import asyncio
import json
import os
import re
import socket

from tornado import web
from tornado.httpserver import HTTPServer

from openapi_contract import DOC_GAPS, Contract

#: docs/openapi.yaml, read once for all tests (HPCSPAWNER_CONTRACT_GAPS=off: without DOC_GAPS)
CONTRACT = Contract(gaps=[] if os.environ.get("HPCSPAWNER_CONTRACT_GAPS") == "off" else DOC_GAPS)

START_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
DEFAULT_SCRIPT = [
    {"progress": 10, "message": "Submitting job", "state": "submitting"},
    {"progress": 40, "message": "Job 42 is queued: Resources", "state": "queued"},
    {"progress": 70, "message": "Job 42 is running on nid001, waiting for the server", "state": "starting"},
    {"progress": 100, "message": "Server ready", "state": "running", "ready": True},
]


class Record:
    """One server as the fake service keeps it: status, events and the task emitting them."""

    def __init__(self, fake, user, server, start_id, options, environment):
        self.fake = fake
        self.status = {
            "id": f"srv{len(fake.records) + 1}",
            "user": user,
            "server": server,
            "startId": start_id,
            "state": "submitting",
            "system": "local",
            "profile": options.get("profile"),
            "jobId": "42",
            "host": None,
            "port": None,
            "url": None,
            "message": "Submitting",
            "pendingReason": None,
            "exitCode": None,
            "transitions": [],
            "startDeadline": fake.start_deadline,
        }
        self.options = options
        self.environment = environment
        self.output = ""  # what the job wrote (GET .../log)
        self.events = []
        self.changed = asyncio.Event()
        self.task = None

    def emit(self, data):
        data = dict(data)
        state = data.get("state")
        if state:
            self.status["state"] = state
        if data.get("message"):
            self.status["message"] = data["message"]
        if data.get("ready"):
            data.setdefault("url", self.fake.server_url)
            self.status.update(state="running", url=data["url"], host="nid001", port=51234)
        if data.get("failed"):
            self.status.update(state="failed", exitCode=data.pop("exitCode", 1))
        if data.get("stopped"):
            self.status.update(state="stopped", exitCode=0)
        self.events.append((len(self.events) + 1, data))
        self.changed.set()
        self.changed = asyncio.Event()

    @property
    def ended(self):
        return self.status["state"] in ("stopped", "failed")

    async def run_script(self, script, delay):
        try:
            for data in script:
                await asyncio.sleep(delay)
                if self.status["state"] in ("stopping", "stopped", "failed"):
                    return
                self.emit(data)
        except asyncio.CancelledError:
            pass


class FakeService:
    """Tornado app implementing the parts of the service API the hub plugin uses.

    Knobs: ``script``/``step_delay`` (events of a new start; ``script=None`` = manual
    ``emit``), ``fail_next(method, n, status, code)`` (inject errors), ``drop_stream_after``
    (cut the next event stream after n events), ``reject_option`` (400 invalid_option),
    ``stop_delay``, ``options_html``, ``pause()``/``resume()`` (refuse connections); a record's
    ``output`` is what ``GET .../log`` answers.

    Every request and every answer is checked against docs/openapi.yaml (:mod:`openapi_contract`);
    the mismatches collect in ``contract_violations`` and fail the test (see conftest.py).
    """

    def __init__(self, token="hub-secret-token"):
        self.token = token
        self.records = {}
        self.requests = []
        self.script = list(DEFAULT_SCRIPT)
        self.step_delay = 0.02
        self.stop_delay = 0.05
        self.drop_stream_after = None
        self.require_login = False
        self.logins = {}
        self.reject_option = None
        self.options_html = '<select name="profile"><option>small</option></select>'
        self.profiles = []
        self.systems = []
        self.start_deadline = None  # ISO instant put in new records' startDeadline
        self.keepalive = 0.2
        self.server_url = "http://127.0.0.1:51234"
        self._faults = []
        self.port = None
        self.http_server = None
        self.sse_streams = 0
        self.contract = CONTRACT
        self.contract_violations = []

    # lifecycle ---------------------------------------------------------------------------

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def app(self):
        user = r"([^/]+)"
        kw = dict(fake=self)
        return web.Application(
            [
                (rf"/api/v1/users/{user}/server", ServerHandler, kw),
                (rf"/api/v1/users/{user}/servers/{user}", ServerHandler, kw),
                (rf"/api/v1/users/{user}/server/events", EventsHandler, kw),
                (rf"/api/v1/users/{user}/servers/{user}/events", EventsHandler, kw),
                (rf"/api/v1/users/{user}/server/log", LogHandler, kw),
                (rf"/api/v1/users/{user}/servers/{user}/log", LogHandler, kw),
                (rf"/api/v1/users/{user}/options-form", OptionsFormHandler, kw),
                (rf"/api/v1/users/{user}/login", LoginHandler, kw),
            ],
            log_function=lambda handler: None,
        )

    def start(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port or 0))
        sock.listen(128)
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self.http_server = HTTPServer(self.app())
        self.http_server.add_sockets([sock])

    async def pause(self):
        """Stop listening and drop open connections: clients get 'connection refused'."""
        self.http_server.stop()
        await self.http_server.close_all_connections()

    def resume(self):
        self.start()

    async def close(self):
        for record in self.records.values():
            if record.task:
                record.task.cancel()
            record.changed.set()
        self.http_server.stop()
        await self.http_server.close_all_connections()

    # knobs -------------------------------------------------------------------------------

    def fail_next(self, method, count=1, status=503, code="scheduler_unavailable", path_suffix=""):
        for _ in range(count):
            self._faults.append((method, path_suffix, status, code))

    def take_fault(self, method, path):
        for i, (m, suffix, status, code) in enumerate(self._faults):
            if m == method and path.endswith(suffix):
                del self._faults[i]
                return status, code
        return None

    def add_record(self, user, server="", start_id="earlier-start-1", script=None, state="queued"):
        """Preload an active start (e.g. one the hub forgot) and optionally run a script."""
        record = Record(self, user, server, start_id, {}, {})
        self.records[(user, server)] = record
        record.emit({"progress": 40, "message": "Job 42 is queued", "state": state})
        if script:
            record.task = asyncio.ensure_future(record.run_script(script, self.step_delay))
        return record

    def record(self, user, server=""):
        return self.records.get((user, server))

    def requests_for(self, method, suffix=""):
        return [r for r in self.requests if r["method"] == method and r["path"].endswith(suffix)]


class Base(web.RequestHandler):
    def initialize(self, fake):
        self.fake = fake

    def check_xsrf_cookie(self):
        pass

    def query(self):
        """The query parameters: a list for a repeated one (``?group=a&group=b``), else the value."""
        return {k: [x.decode("utf-8", "replace") for x in v] if len(v) > 1 else v[-1].decode("utf-8", "replace")
                for k, v in self.request.query_arguments.items()}

    def prepare(self):
        self._sent = []
        request = self.request
        self.fake.contract_violations += self.fake.contract.check_request(
            request.method,
            request.path,
            self.query(),
            dict(request.headers),
            request.headers.get("Content-Type"),
            request.body or b"",
        )
        body = None
        if self.request.body:
            try:
                body = json.loads(self.request.body)
            except ValueError:
                body = self.request.body
        self.fake.requests.append(
            {
                "method": self.request.method,
                "path": self.request.path,
                "query": self.query(),
                "headers": self.request.headers.copy(),
                "body": body,
            }
        )
        auth = self.request.headers.get("Authorization", "")
        if auth != f"Bearer {self.fake.token}":
            self.error(401, "unauthorized", "missing or unknown credential")
            raise web.Finish()
        fault = self.fake.take_fault(self.request.method, self.request.path)
        if fault:
            status, code = fault
            self.error(status, code, f"injected {status}")
            raise web.Finish()

    def flush(self, include_footers=False):
        self._sent.append(b"".join(self._write_buffer))
        return super().flush(include_footers)

    def on_finish(self):
        self.fake.contract_violations += self.fake.contract.check_response(
            self.request.method,
            self.request.path,
            self.get_status(),
            self._headers.get("Content-Type"),
            b"".join(getattr(self, "_sent", [])),
        )

    def error(self, status, code, message, field=None):
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        payload = {"error": code, "message": message}
        if field:
            payload["field"] = field
        self.finish(json.dumps(payload))

    def send(self, status, payload):
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))


class ServerHandler(Base):
    def post(self, user, server=""):
        body = json.loads(self.request.body or b"null")
        if not isinstance(body, dict) or set(body) - {"startId", "options", "environment", "login", "groups"}:
            return self.error(400, "bad_request", "bad body")
        start_id = body.get("startId")
        if not isinstance(start_id, str) or not START_ID.match(start_id):
            return self.error(400, "bad_request", "startId is required", "startId")
        options = body.get("options") or {}
        if body.get("login"):
            self.fake.logins[user] = body["login"]
        elif self.fake.require_login:
            return self.error(
                400, "login_required", "Your login is not known to the spawner service: "
                "log out and log in again", "login",
            )
        if self.fake.reject_option and self.fake.reject_option[0] in options:
            name, message = self.fake.reject_option
            return self.error(400, "invalid_option", message, f"options.{name}")
        record = self.fake.record(user, server)
        if record is not None and not record.ended:
            if record.status["startId"] == start_id:
                return self.send(200, record.status)
            return self.error(409, "server_active", "another start is active: stop it first")
        record = Record(self.fake, user, server, start_id, options, body.get("environment") or {})
        self.fake.records[(user, server)] = record
        record.emit({"progress": 5, "message": "Start requested", "state": "submitting"})
        if self.fake.script:
            record.task = asyncio.ensure_future(
                record.run_script(self.fake.script, self.fake.step_delay)
            )
        self.send(202, record.status)

    def get(self, user, server=""):
        record = self.fake.record(user, server)
        if record is None:
            return self.error(404, "server_not_found", "no such server")
        self.send(200, record.status)

    async def delete(self, user, server=""):
        record = self.fake.record(user, server)
        if record is None:
            return self.error(404, "server_not_found", "nothing to stop")
        if not record.ended and record.status["state"] != "stopping":
            if record.task:
                record.task.cancel()
            record.emit({"message": "Stopping", "state": "stopping"})

            async def finish_stop():
                await asyncio.sleep(self.fake.stop_delay)
                record.emit({"progress": 100, "message": "Server stopped", "stopped": True})

            if self.fake.stop_delay:
                asyncio.ensure_future(finish_stop())
            else:
                record.emit({"progress": 100, "message": "Server stopped", "stopped": True})
        self.send(202, record.status)


class LogHandler(Base):
    def get(self, user, server=""):
        record = self.fake.record(user, server)
        if record is None:
            return self.error(404, "server_not_found", "no such server")
        if record.status["state"] == "submitting":
            return self.error(409, "no_job_output", "the server has no job yet (submitting)")
        lines = record.output.splitlines(keepends=True)
        wanted = int(self.get_argument("lines", "1000"))
        self.set_header("Content-Type", "text/plain;charset=UTF-8")
        self.set_header("X-Log-Truncated", "true" if len(lines) > wanted else "false")
        self.set_header("X-Job-Id", record.status["jobId"])
        self.finish("".join(lines[-wanted:]))


class LoginHandler(Base):
    def put(self, user):
        body = json.loads(self.request.body or b"null")
        if not isinstance(body, dict) or not body.get("refreshToken"):
            return self.error(400, "invalid_login", "refreshToken is required", "login.refreshToken")
        self.fake.logins[user] = body
        self.set_status(204)
        self.finish()


class OptionsFormHandler(Base):
    def get(self, user):
        self.send(200, {"html": self.fake.options_html, "profiles": self.fake.profiles, "systems": self.fake.systems})


class EventsHandler(Base):
    async def get(self, user, server=""):
        record = self.fake.record(user, server)
        if record is None:
            return self.error(404, "server_not_found", "no such server")
        self.fake.sse_streams += 1
        last = int(self.request.headers.get("Last-Event-ID") or 0)
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        sent = 0
        while True:
            for seq, data in record.events:
                if seq <= last:
                    continue
                self.write(f"id: {seq}\ndata: {json.dumps(data)}\n\n")
                await self.flush()
                last = seq
                sent += 1
                if data.get("ready") or data.get("failed") or data.get("stopped"):
                    return self.finish()
                drop = self.fake.drop_stream_after
                if drop is not None and sent >= drop:
                    self.fake.drop_stream_after = None
                    self.request.connection.stream.close()
                    return
            changed = record.changed
            try:
                await asyncio.wait_for(changed.wait(), self.fake.keepalive)
            except asyncio.TimeoutError:
                self.write(": keep-alive\n\n")
                try:
                    await self.flush()
                except Exception:
                    return
            if self.request.connection.stream.closed():
                return
