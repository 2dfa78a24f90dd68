"""Issue 13: the whole output of a failed start's job, through the service and the hub's page."""

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_asyncio
from tornado import web
from tornado.httpclient import AsyncHTTPClient
from tornado.httpserver import HTTPServer
from tornado.testing import bind_unused_port
from tornado.util import import_object

from fake_service import DEFAULT_SCRIPT
from jupyterhub.objects import Hub
from hpcspawner.client import ServiceError
from hpcspawner.log_page import LOG_PATH, JobLogHandler, log_url

pytestmark = pytest.mark.asyncio

OUTPUT = "loading modules\njupyterhub-singleuser: command not found\n"


async def failed_start(fake, spawner, output=OUTPUT):
    fake.script = DEFAULT_SCRIPT[:2] + [{"progress": 100, "failed": True, "message": "Job 42 failed", "exitCode": 127}]
    with pytest.raises(Exception) as info:
        await spawner.start()
    fake.record(spawner.user.name, spawner.name).output = output
    return info.value


async def test_the_failure_message_ends_with_the_link_to_the_whole_output(fake, make_spawner):
    exc = await failed_start(fake, make_spawner(server="gpu"))
    assert str(exc) == "Job 42 failed\nThe job's whole output: /hub/hpcspawner/log/alice/gpu"
    assert exc.jupyterhub_html_message == (
        'Job 42 failed<br><a href="/hub/hpcspawner/log/alice/gpu">The job\'s whole output</a>')


async def test_the_failure_message_is_escaped_in_its_html_form(fake, make_spawner):
    fake.script = DEFAULT_SCRIPT[:1] + [{"progress": 100, "failed": True, "message": "<script>x</script>\nend"}]
    with pytest.raises(Exception) as info:
        await make_spawner().start()
    assert info.value.jupyterhub_html_message.startswith("&lt;script&gt;x&lt;/script&gt;<br>end<br><a href=")


async def test_a_stopped_start_has_no_log_link(fake, make_spawner):
    fake.script = DEFAULT_SCRIPT[:1] + [{"progress": 100, "stopped": True, "message": "Stopped"}]
    with pytest.raises(Exception) as info:
        await make_spawner().start()
    assert "hpcspawner/log" not in str(info.value)


async def test_the_client_fetches_the_log_and_says_when_it_was_cut(fake, make_spawner):
    spawner = make_spawner()
    await failed_start(fake, spawner, output="one\ntwo\nthree\n")
    log = await spawner.job_log()
    assert (log.text, log.truncated, log.job_id) == ("one\ntwo\nthree\n", False, "42")
    log = await spawner.job_log(lines=2)
    assert (log.text, log.truncated) == ("two\nthree\n", True)
    assert fake.requests_for("GET", "/log")[-1]["path"] == "/api/v1/users/alice/server/log"


async def test_the_clients_errors_carry_the_services_code(fake, make_spawner):
    spawner = make_spawner()
    with pytest.raises(ServiceError) as info:
        await spawner.job_log()
    assert (info.value.status, info.value.code) == (404, "server_not_found")
    await failed_start(fake, spawner)
    fake.fail_next("GET", status=403, code="log_unreadable", path_suffix="/log")
    with pytest.raises(ServiceError) as info:
        await spawner.job_log()
    assert (info.value.status, info.value.code) == (403, "log_unreadable")


async def test_the_link_quotes_the_names():
    assert log_url("/base/hub/", "a b", "x/y") == "/base/hub/hpcspawner/log/a%20b/x%2Fy"
    assert log_url("/hub/", "alice") == "/hub/hpcspawner/log/alice"


class HubUser(SimpleNamespace):
    """The bits of jupyterhub.user.User the page reads."""


class PageUnderTest(JobLogHandler):
    """The page with the hub's login and user look-up replaced: X-Test-User names who is logged in."""

    async def prepare(self):
        self._jupyterhub_user = self.settings["users"].get(self.request.headers.get("X-Test-User"))

    def get_login_url(self):
        return "/hub/login"

    def find_user(self, name):
        return self.settings["users"].get(name)

    def write_error(self, status_code, **kwargs):
        e = kwargs["exc_info"][1]
        self.finish(f"{status_code} " + (e.log_message % e.args if isinstance(e, web.HTTPError) else str(e)))


@pytest_asyncio.fixture
async def hub_page(fake, make_spawner):
    """The page in a tornado app under /hub/, with alice (her default and 'gpu' servers), bob and an admin."""
    spawners = {"": make_spawner(), "gpu": make_spawner(server="gpu")}
    users = {
        "alice": HubUser(name="alice", admin=False, spawners=spawners, orm_spawners=dict.fromkeys(spawners)),
        "bob": HubUser(name="bob", admin=False, spawners={}, orm_spawners={}),
        "root": HubUser(name="root", admin=True, spawners={}, orm_spawners={}),
    }
    sock, port = bind_unused_port()
    app = web.Application([("/hub" + LOG_PATH, PageUnderTest)], users=users,
                          hub=Hub(base_url="/hub/", public_host=""), db=SimpleNamespace(dirty=None))
    server = HTTPServer(app)
    server.add_sockets([sock])

    async def get(path, user):
        headers = {"X-Test-User": user} if user else {}
        return await AsyncHTTPClient().fetch(f"http://127.0.0.1:{port}{path}", headers=headers,
                                             raise_error=False, follow_redirects=False)

    yield SimpleNamespace(get=get, spawners=spawners)
    server.stop()


async def test_the_owner_and_an_admin_read_the_log_as_text(fake, hub_page):
    await failed_start(fake, hub_page.spawners["gpu"])
    for user in ("alice", "root"):
        answer = await hub_page.get("/hub/hpcspawner/log/alice/gpu", user)
        assert answer.code == 200
        assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.body.decode() == OUTPUT


async def test_a_cut_log_says_so_in_its_first_line(fake, hub_page):
    await failed_start(fake, hub_page.spawners[""], output="one\ntwo\nthree\n")
    answer = await hub_page.get("/hub/hpcspawner/log/alice?lines=1", "alice")
    assert answer.body.decode() == "[earlier lines are not shown; ask for more with ?lines=N, up to 10000]\nthree\n"


async def test_another_user_is_refused_and_nobody_unauthenticated_gets_in(fake, hub_page):
    await failed_start(fake, hub_page.spawners["gpu"])
    answer = await hub_page.get("/hub/hpcspawner/log/alice/gpu", "bob")
    assert answer.code == 403
    assert b"command not found" not in answer.body
    answer = await hub_page.get("/hub/hpcspawner/log/alice/gpu", None)
    assert answer.code == 302 and answer.headers["Location"].startswith("/hub/login")


async def test_the_services_refusals_reach_the_page_with_their_reason(fake, hub_page):
    answer = await hub_page.get("/hub/hpcspawner/log/alice/nosuch", "alice")
    assert answer.code == 404
    answer = await hub_page.get("/hub/hpcspawner/log/alice/gpu", "alice")
    assert answer.code == 404 and b"no such server" in answer.body  # the service knows no start of it yet
    await failed_start(fake, hub_page.spawners["gpu"])
    fake.fail_next("GET", status=403, code="log_unreadable", path_suffix="/log")
    answer = await hub_page.get("/hub/hpcspawner/log/alice/gpu", "alice")
    assert answer.code == 403 and b"injected 403" in answer.body
    answer = await hub_page.get("/hub/hpcspawner/log/alice/gpu?lines=all", "alice")
    assert answer.code == 400


@pytest.mark.parametrize("config", ["scripts/stack/jupyterhub_config.py", "chart/files/jupyterhub_config.py"])
async def test_both_hub_configs_add_the_page_at_the_path_the_link_names(config):
    repo = Path(__file__).resolve().parents[3]
    entries = [line for line in (repo / config).read_text().splitlines() if "c.JupyterHub.extra_handlers" in line]
    assert len(entries) == 1, entries
    path, handler = ast.literal_eval(entries[0].split("=", 1)[1].strip())[0]
    assert path == LOG_PATH
    assert import_object(handler) is JobLogHandler
    assert re.fullmatch(path, log_url("/", "alice", "gpu")).groups() == ("alice", "gpu")
