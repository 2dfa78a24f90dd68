"""User-visible behaviour of HPCSpawner against the fake service."""

import asyncio
import logging
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from tornado import web

from conftest import API_TOKEN
from fake_service import DEFAULT_SCRIPT
from hpcspawner import HPCSpawner, ServiceClient

pytestmark = pytest.mark.asyncio


async def wait_for(predicate, timeout=3.0):
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


# start ------------------------------------------------------------------------------------


async def test_start_returns_url_of_ready_event(fake, make_spawner):
    spawner = make_spawner()
    spawner.user_options = {"profile": "small", "time": "60"}
    url = await spawner.start()
    assert url == fake.server_url
    (create,) = fake.requests_for("POST")
    assert create["path"] == "/api/v1/users/alice/server"
    body = create["body"]
    assert body["startId"] == spawner.start_id == spawner.get_state()["start_id"]
    assert body["options"] == {"profile": "small", "time": "60"}
    env = body["environment"]
    assert env["JUPYTERHUB_API_TOKEN"] == API_TOKEN
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == "/user/alice/"
    assert env["JUPYTERHUB_USER"] == "alice"
    assert create["headers"]["Authorization"] == f"Bearer {fake.token}"


async def test_the_hubs_own_paths_are_not_sent_to_the_compute_node(fake, make_spawner, monkeypatch):
    # JupyterHub keeps PATH and PYTHONPATH by default; on a compute node they mean nothing, and the
    # service refuses PYTHONPATH (it runs code in the job).
    monkeypatch.setenv("PYTHONPATH", "/opt/hub/lib")
    monkeypatch.setenv("VIRTUAL_ENV", "/opt/hub/venv")
    monkeypatch.setenv("LANG", "C.UTF-8")
    spawner = make_spawner()
    await spawner.start()
    env = fake.requests_for("POST")[0]["body"]["environment"]
    assert "PYTHONPATH" not in env and "PATH" not in env and "VIRTUAL_ENV" not in env
    assert env["LANG"] == "C.UTF-8"


async def test_each_start_has_a_new_start_id(fake, make_spawner):
    spawner = make_spawner()
    await spawner.start()
    first = spawner.start_id
    await spawner.stop()
    spawner.clear_state()
    await spawner.start()
    assert spawner.start_id and spawner.start_id != first


async def test_named_server_uses_servers_path(fake, make_spawner):
    spawner = make_spawner(server="gpu")
    assert await spawner.start() == fake.server_url
    assert fake.requests_for("POST")[0]["path"] == "/api/v1/users/alice/servers/gpu"
    assert fake.requests_for("GET", "/servers/gpu/events")
    assert fake.requests_for("POST")[0]["body"]["environment"]["JUPYTERHUB_SERVER_NAME"] == "gpu"


async def test_start_failure_raises_service_message(fake, make_spawner):
    tail = "Job 42 failed with exit code 2. Last lines:\nModuleNotFoundError: No module named 'jupyterhub'"
    fake.script = DEFAULT_SCRIPT[:2] + [{"progress": 100, "failed": True, "message": tail, "exitCode": 2}]
    spawner = make_spawner()
    with pytest.raises(Exception) as info:
        await spawner.start()
    exc = info.value
    link = "\nThe job's whole output: /hub/hpcspawner/log/alice"  # issue 13: the failure message ends with it
    assert str(exc) == tail + link
    assert exc.jupyterhub_message == tail + link
    assert isinstance(exc, web.HTTPError)  # JupyterHub 3-5 render it cleanly
    assert await spawner.poll() == 2


async def test_a_cluster_that_could_not_be_reached_is_a_503_not_a_500(fake, make_spawner):
    """Issue 9, item 5: the hub answered 500 for a start whose cluster was only unreachable."""
    message = "The cluster testsys could not be reached (ConnectException); tried 8 times since 10:00:00 UTC."
    fake.script = DEFAULT_SCRIPT[:1] + [
        {"progress": 10, "state": "submitting",
         "message": "The cluster testsys cannot be reached (ConnectException); trying again in 2 s"},
        {"progress": 100, "failed": True, "message": message, "code": "scheduler_unavailable"},
    ]
    spawner = make_spawner()
    with pytest.raises(web.HTTPError) as info:
        await spawner.start()
    assert info.value.status_code == 503
    assert str(info.value) == message
    assert info.value.code == "scheduler_unavailable"


async def test_any_other_failed_start_stays_a_500(fake, make_spawner):
    fake.script = DEFAULT_SCRIPT[:1] + [{"progress": 100, "failed": True, "message": "Job 42 failed"}]
    spawner = make_spawner()
    with pytest.raises(web.HTTPError) as info:
        await spawner.start()
    assert info.value.status_code == 500


async def test_start_invalid_option_names_the_field(fake, make_spawner):
    fake.reject_option = ("cpus", 'must be a whole number from 1 to 8, got "lots"')
    spawner = make_spawner()
    spawner.user_options = {"cpus": "lots"}
    with pytest.raises(web.HTTPError) as info:
        await spawner.start()
    assert info.value.status_code == 400
    assert "cpus" in str(info.value)
    assert "whole number" in str(info.value)
    assert info.value.field == "options.cpus"
    assert not fake.requests_for("GET", "/events")


async def test_a_server_limit_is_shown_at_once_and_stops_nothing(fake, make_spawner):
    fake.fail_next("POST", status=409, code="server_limit")
    spawner = make_spawner()
    with pytest.raises(web.HTTPError) as e:
        await spawner.start()
    assert e.value.status_code == 409 and "injected 409" in str(e.value), e.value
    assert len(fake.requests_for("POST")) == 1, "the create was retried"
    assert not fake.requests_for("DELETE"), "a server limit made the plugin stop a server"


async def test_a_record_changed_conflict_is_retried_not_shown(fake, make_spawner):
    # 409 record_changed: another replica wrote the record meanwhile; the service says repeating is safe
    fake.fail_next("POST", status=409, code="record_changed")
    spawner = make_spawner()
    assert await spawner.start() == fake.server_url
    assert len(fake.requests_for("POST")) == 2, "the create was not repeated"
    assert len({r["body"]["startId"] for r in fake.requests_for("POST")}) == 1
    assert not fake.requests_for("DELETE"), "a lost race made the plugin stop a server"


async def test_a_stop_that_lost_a_race_is_repeated(fake, make_spawner):
    spawner = make_spawner()
    assert await spawner.start() == fake.server_url
    fake.fail_next("DELETE", status=409, code="record_changed")
    await spawner.stop()
    assert len(fake.requests_for("DELETE")) == 2, "the stop was not repeated"
    assert await spawner.poll() is not None


async def test_a_user_the_cluster_refuses_sees_why(fake, make_spawner):
    fake.fail_next("POST", status=403, code="user_not_allowed")
    spawner = make_spawner()
    with pytest.raises(web.HTTPError) as e:
        await spawner.start()
    assert e.value.status_code == 403 and "injected 403" in str(e.value), e.value
    assert "administrators" not in str(e.value)


async def test_start_replaces_a_forgotten_active_start_after_409(fake, make_spawner):
    fake.add_record("alice", script=DEFAULT_SCRIPT[2:])
    spawner = make_spawner()
    assert await spawner.start() == fake.server_url
    # the earlier start (with a token the hub may have revoked) was stopped, not adopted
    assert spawner.start_id != "earlier-start-1"
    assert spawner.get_state()["start_id"] == spawner.start_id
    methods = [r["method"] for r in fake.requests]
    assert methods[:3] == ["POST", "GET", "DELETE"]
    assert methods.count("POST") >= 2


async def test_start_retries_503_and_connection_refused(fake, make_spawner):
    fake.fail_next("POST", 2, 503)
    spawner = make_spawner()
    assert await spawner.start() == fake.server_url
    assert len(fake.requests_for("POST")) == 3
    # the create body is the same on every try (idempotent startId)
    assert len({r["body"]["startId"] for r in fake.requests_for("POST")}) == 1

    await fake.pause()
    other = make_spawner(user="bob")
    task = asyncio.ensure_future(other.start())
    await asyncio.sleep(0.3)
    assert not task.done()
    fake.resume()
    assert await asyncio.wait_for(task, 5) == fake.server_url


async def test_event_stream_resumes_with_last_event_id(fake, make_spawner):
    fake.drop_stream_after = 2
    spawner = make_spawner()
    assert await spawner.start() == fake.server_url
    streams = fake.requests_for("GET", "/events")
    assert len(streams) >= 2
    assert "Last-Event-ID" not in streams[0]["headers"]
    assert streams[1]["headers"]["Last-Event-ID"] == "2"
    events = [e async for e in spawner.progress()]
    messages = [e["message"] for e in events]
    assert len(messages) == len(set(messages))  # nothing replayed twice
    assert messages[-1] == "Server ready"


async def test_start_keeps_following_while_service_restarts(fake, make_spawner):
    fake.script = None
    spawner = make_spawner()
    task = asyncio.ensure_future(spawner.start())
    await wait_for(lambda: fake.record("alice") is not None and fake.sse_streams)
    record = fake.record("alice")
    await fake.pause()
    record.emit(DEFAULT_SCRIPT[1])
    await asyncio.sleep(0.3)
    fake.resume()
    record.emit(DEFAULT_SCRIPT[3])
    assert await asyncio.wait_for(task, 5) == fake.server_url
    assert fake.requests_for("GET", "/events")[-1]["headers"].get("Last-Event-ID") == "1"


async def test_start_times_out_within_start_timeout(fake, make_spawner):
    fake.script = None
    spawner = make_spawner(start_timeout=1)
    with pytest.raises(web.HTTPError) as info:
        await asyncio.wait_for(spawner.start(), 5)
    assert "1 seconds" in str(info.value)


async def test_cancelled_start_does_not_hang_and_stop_cancels_job(fake, make_spawner):
    fake.script = None  # stays queued
    spawner = make_spawner()
    task = asyncio.ensure_future(spawner.start())
    await wait_for(lambda: fake.sse_streams > 0)
    # What JupyterHub 5.x does on start_timeout, on its own stop of a pending start, and to every
    # pending start when it shuts down. The cancellation must come through as it is: a start()
    # ending with an error instead makes the hub call stop() ("Unhandled error starting"), and at
    # a hub restart that would cancel every queued job (seen in e2e test_h under JupyterHub 5.2).
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await spawner.poll() is None  # queued: the hub goes on to call stop()
    await asyncio.wait_for(spawner.stop(), 5)
    assert fake.record("alice").status["state"] == "stopped"
    assert await spawner.poll() == 0


async def test_stop_while_start_pending_ends_start(fake, make_spawner):
    fake.script = None
    spawner = make_spawner()
    task = asyncio.ensure_future(spawner.start())
    await wait_for(lambda: fake.sse_streams > 0)
    assert await spawner.poll() is None
    await spawner.stop()
    with pytest.raises(web.HTTPError):
        await asyncio.wait_for(task, 5)
    assert fake.record("alice").status["state"] == "stopped"


# poll -------------------------------------------------------------------------------------


async def test_poll_maps_states(fake, make_spawner):
    spawner = make_spawner()
    assert await spawner.poll() == 0  # 404: nothing there
    record = fake.add_record("alice")
    for state in ("submitting", "queued", "starting", "running", "stopping"):
        record.status["state"] = state
        assert await spawner.poll() is None, state
    record.status.update(state="stopped", exitCode=None)
    assert await spawner.poll() == 0
    record.status.update(state="failed", exitCode=None)
    assert await spawner.poll() == 1
    record.status.update(state="failed", exitCode=137)
    assert await spawner.poll() == 137


async def test_poll_keeps_server_alive_on_transient_errors(fake, make_spawner, caplog):
    caplog.set_level(logging.WARNING)
    spawner = make_spawner()
    fake.add_record("alice").status["state"] = "running"
    fake.fail_next("GET", 3, 503)
    assert await spawner.poll() is None
    fake.fail_next("GET", 3, 500, "internal")
    assert await spawner.poll() is None
    await fake.pause()
    assert await spawner.poll() is None
    fake.resume()
    assert any("assuming the server is still running" in r.getMessage() for r in caplog.records)
    bad = make_spawner(service_token="wrong")
    assert await bad.poll() is None
    assert any(r.levelno == logging.ERROR and "credentials" in r.getMessage() for r in caplog.records)


async def test_poll_a_404_that_is_not_server_not_found_keeps_the_server(fake, make_spawner, caplog):
    # A wrong service URL or an ingress's default backend answers 404 too: that is no evidence.
    caplog.set_level(logging.WARNING)
    spawner = make_spawner()
    fake.add_record("alice").status["state"] = "running"
    fake.fail_next("GET", 1, 404, "not_found")
    assert await spawner.poll() is None
    assert any("assuming the server is still running" in r.getMessage() for r in caplog.records)
    assert await spawner.poll() is None  # the real answer: running


async def test_poll_another_start_means_the_hubs_server_is_gone(fake, make_spawner):
    spawner = make_spawner()
    await spawner.start()
    assert await spawner.poll() is None
    # the service now holds a different start of this server (not the one the hub knows)
    fake.record("alice").status["startId"] = "someone-elses-start"
    assert await spawner.poll() == 0


# stop -------------------------------------------------------------------------------------


async def test_stop_a_404_that_is_not_server_not_found_is_an_error(fake, make_spawner):
    spawner = make_spawner()
    await spawner.start()
    fake.fail_next("DELETE", 1, 404, "not_found")
    with pytest.raises(web.HTTPError):
        await spawner.stop()


async def test_stop_treats_404_as_done(fake, make_spawner):
    spawner = make_spawner()
    await spawner.stop()
    assert fake.requests_for("DELETE")


async def test_stop_waits_until_stopped_and_is_idempotent(fake, make_spawner):
    fake.stop_delay = 0.3
    spawner = make_spawner()
    await spawner.start()
    fake.fail_next("DELETE", 1, 503)
    await spawner.stop()
    assert fake.record("alice").status["state"] == "stopped"
    assert await spawner.poll() == 0
    await spawner.stop()  # again: already stopped
    assert len(fake.requests_for("DELETE")) == 3


async def test_stop_of_a_server_the_service_cannot_cancel_yet_returns_at_the_stop_timeout(fake, make_spawner, caplog):
    fake.stop_delay = 60  # the service keeps the server stopping (its cancel was refused)
    spawner = make_spawner(stop_timeout=0.5)
    await spawner.start()
    record = fake.record("alice")
    started = asyncio.get_running_loop().time()
    caplog.set_level(logging.WARNING)
    task = asyncio.ensure_future(spawner.stop())
    await asyncio.sleep(0.1)
    record.status["message"] = "Stopping: job 7 could not be cancelled (your login has expired)"
    await asyncio.wait_for(task, 5)
    assert asyncio.get_running_loop().time() - started < 3
    assert record.status["state"] == "stopping"
    assert any("goes on cancelling it" in r.getMessage() and "could not be cancelled" in r.getMessage()
               for r in caplog.records)
    assert len(fake.requests_for("DELETE")) == 1


# progress ---------------------------------------------------------------------------------


async def test_progress_replays_events_and_ends(fake, make_spawner):
    spawner = make_spawner()
    spawner.clear_state()
    events = []

    async def consume():
        async for event in spawner.progress():
            events.append(event)

    consumer = asyncio.ensure_future(consume())  # called before start() like the hub may
    await asyncio.sleep(0.05)
    await spawner.start()
    await asyncio.wait_for(consumer, 3)
    assert [e.get("progress") for e in events] == [5, 10, 40, 70, 100]
    assert events[2]["message"] == "Job 42 is queued: Resources"
    assert all("ready" not in e for e in events)
    # a later call replays the same events
    assert [e async for e in spawner.progress()] == events


async def test_progress_passes_html_message(fake, make_spawner):
    fake.script = [{"progress": 50, "message": "queued", "html_message": "<b>queued</b>", "state": "queued"},
                   DEFAULT_SCRIPT[3]]
    spawner = make_spawner()
    await spawner.start()
    events = [e async for e in spawner.progress()]
    assert events[1] == {"progress": 50, "message": "queued", "html_message": "<b>queued</b>"}


async def test_progress_never_raises_when_service_is_down(fake, make_spawner):
    await fake.pause()
    spawner = make_spawner(start_timeout=1)
    start = asyncio.ensure_future(spawner.start())
    events = [e async for e in spawner.progress()]  # must end, not raise
    assert events == []
    with pytest.raises(web.HTTPError) as info:
        await start
    assert "could not be reached" in str(info.value)
    lonely = make_spawner(start_timeout=1)  # nothing ever started
    assert [e async for e in lonely.progress()] == []


async def test_progress_survives_broken_feed(fake, make_spawner):
    spawner = make_spawner()

    class Broken:
        async def follow(self, tick=None):
            yield {"progress": 1, "message": "x"}
            raise RuntimeError("boom")

    spawner._feed = Broken()
    assert [e async for e in spawner.progress()] == [{"progress": 1, "message": "x"}]


# get_url ----------------------------------------------------------------------------------


async def test_get_url_of_running_server(fake, make_spawner):
    spawner = make_spawner()
    await spawner.start()
    assert await spawner.get_url() == fake.server_url + "/user/alice/"


async def test_get_url_adopts_server_still_queued_after_hub_restart(fake, make_spawner):
    fake.add_record("alice", start_id="queued-start-7", script=DEFAULT_SCRIPT[2:])
    spawner = make_spawner()  # fresh object, as after a hub restart
    spawner.load_state({})
    assert await spawner.poll() is None
    assert await spawner.get_url() == fake.server_url + "/user/alice/"
    assert spawner.get_state()["start_id"] == "queued-start-7"


async def test_get_url_falls_back_when_service_down(fake, make_spawner):
    spawner = make_spawner()
    await fake.pause()
    assert await spawner.get_url() == spawner.server.url


# options and state ------------------------------------------------------------------------


async def test_options_from_form_unpacks_single_values(make_spawner):
    spawner = make_spawner()
    form = {"profile": ["small"], "modules": ["python", "cuda"], "time": ["60"]}
    options = spawner.run_options_from_form(form)
    assert options == {"profile": "small", "modules": ["python", "cuda"], "time": "60"}
    assert form == {"profile": ["small"], "modules": ["python", "cuda"], "time": ["60"]}
    assert spawner.user_options == {}


async def test_jupyterhubs_own_form_fields_are_never_options(make_spawner):
    """JupyterHub 5 posts its ``_xsrf`` token in the spawn form (in the action URL, and a hand-made
    form may carry it in the body): it is the hub's, not a server option, and must not reach the
    service (which would answer 400 unknown option "_xsrf")."""
    spawner = make_spawner()
    form = {"_xsrf": ["2|abc|def|123"], "profile": ["small"], "_other_hub_field": ["x"]}
    assert spawner.run_options_from_form(form) == {"profile": "small"}


async def test_options_form_from_service(fake, make_spawner):
    spawner = make_spawner()
    assert await spawner.get_options_form() == fake.options_html
    fake.options_html = ""
    assert await spawner.get_options_form() == ""
    fake.fail_next("GET", 3, 503)
    note = await spawner.get_options_form()
    assert "could not be loaded" in note
    await fake.pause()
    assert "could not be loaded" in await spawner.get_options_form()


def in_groups(spawner, *names):
    spawner.user.groups = [SimpleNamespace(name=n) for n in names]
    return spawner


async def test_the_options_form_is_asked_for_the_users_groups(fake, make_spawner):
    """A profile open to some JupyterHub groups is in the form of their members only: the
    service is told the user's groups, each as ?group=."""
    spawner = in_groups(make_spawner(), "gpu-users", "course-2026")
    assert await spawner.get_options_form() == fake.options_html
    (get,) = fake.requests_for("GET", "/options-form")
    assert get["query"] == {"group": ["course-2026", "gpu-users"]}

    in_groups(spawner, "solo")
    await spawner.get_options_form()
    assert fake.requests_for("GET", "/options-form")[-1]["query"] == {"group": "solo"}

    in_groups(spawner)
    await spawner.get_options_form()
    assert fake.requests_for("GET", "/options-form")[-1]["query"] == {}


async def test_a_start_sends_the_users_groups_with_the_options(fake, make_spawner):
    """The create carries the groups (the service accepts a group's profile only from its
    members); the form's fields reach the service as the form sent them, minus the hub's _xsrf."""
    fake.profiles = [{"key": "gpu", "first": False, "queueTimeoutSeconds": 600}]
    spawner = in_groups(make_spawner(), "gpu-users")
    spawner.user_options = spawner.run_options_from_form(
        {"_xsrf": ["2|ab|cd|1"], "profile": ["gpu"], "gpu.partition": ["debug"], "small.cpus": ["2"]})
    await spawner.run_pre_spawn_hook()
    assert spawner.start_timeout == 600 + spawner.start_timeout_slack
    assert fake.requests_for("GET", "/options-form")[0]["query"] == {"group": "gpu-users"}
    await spawner.start()
    body = fake.requests_for("POST")[0]["body"]
    assert body["groups"] == ["gpu-users"]
    assert body["options"] == {"profile": "gpu", "gpu.partition": "debug", "small.cpus": "2"}


async def test_a_user_in_no_group_sends_none(fake, make_spawner):
    spawner = make_spawner()
    await spawner.start()
    assert "groups" not in fake.requests_for("POST")[0]["body"]


async def test_state_round_trip(make_spawner):
    spawner = make_spawner()
    spawner.start_id = "abc12345"
    state = spawner.get_state()
    assert state == {"start_id": "abc12345"}
    other = make_spawner()
    other.load_state(state)
    assert other.start_id == "abc12345"
    other.clear_state()
    assert other.get_state() == {}
    assert other.api_token == ""  # super().clear_state() ran


async def test_defaults(monkeypatch):
    monkeypatch.setenv("HPCSPAWNER_URL", "https://spawner.example:8443")
    monkeypatch.setenv("HPCSPAWNER_TOKEN", "tok")
    spawner = HPCSpawner()
    assert spawner.service_url == "https://spawner.example:8443"
    assert spawner.service_token == "tok"
    assert spawner.start_timeout == 300
    assert spawner.http_timeout == 60
    assert spawner.request_timeout == 30
    assert HPCSpawner(start_timeout=42).start_timeout == 42
    assert ServiceClient.server_path("a@b.c", "") == "/users/a%40b.c/server"


# secrets ----------------------------------------------------------------------------------


async def test_token_and_environment_never_logged(fake, make_spawner, caplog):
    caplog.set_level(logging.DEBUG)
    fake.fail_next("POST", 1, 503)
    fake.drop_stream_after = 1
    spawner = make_spawner()
    await spawner.start()
    assert fake.requests_for("POST")[-1]["body"]["environment"]["JUPYTERHUB_API_TOKEN"] == API_TOKEN
    await spawner.poll()
    await spawner.stop()
    fake.reject_option = ("cpus", "bad cpus")
    spawner.user_options = {"cpus": "x"}
    with pytest.raises(web.HTTPError):
        await spawner.start()
    assert caplog.records
    for record in caplog.records:
        text = record.getMessage() + str(record.exc_text or "")
        assert API_TOKEN not in text
        assert fake.token not in text
        assert "JUPYTERHUB_API_TOKEN" not in text


async def test_start_waits_for_previous_server_still_stopping(fake, make_spawner):
    record = fake.add_record("alice", start_id="old-start-1")
    record.status["state"] = "stopping"

    async def finish():
        await asyncio.sleep(0.2)
        record.emit({"progress": 100, "message": "Server stopped", "stopped": True})

    asyncio.ensure_future(finish())
    spawner = make_spawner()
    assert await spawner.start() == fake.server_url
    assert spawner.start_id != "old-start-1"
    assert fake.record("alice").status["startId"] == spawner.start_id


async def test_spawn_error_renders_cleanly_in_jupyterhub():
    from hpcspawner.spawner import spawn_error

    exc = spawn_error("Job used 100% of its memory", html_message="<pre>oom</pre>")
    assert str(exc) == "Job used 100% of its memory"
    # what jupyterhub.handlers.base.write_error does with an HTTPError
    assert exc.log_message % exc.args == "Job used 100% of its memory"
    assert exc.jupyterhub_html_message == "<pre>oom</pre>"
    assert exc.status_code == 500


async def test_progress_through_jupyterhubs_own_wrapper(fake, make_spawner):
    """What the hub's progress API does: iterate_until(spawn future, _generate_progress())."""
    from jupyterhub.utils import iterate_until

    spawner = make_spawner()
    spawner.clear_state()
    spawner._spawn_pending = True
    spawn_future = asyncio.ensure_future(spawner.start())
    events = [e async for e in iterate_until(spawn_future, spawner._generate_progress())]
    assert await spawn_future == fake.server_url
    assert events[0] == {"progress": 0, "message": "Server requested"}
    assert events[-1]["progress"] == 100


# the user's login (Keycloak tokens from auth_state) -----------------------------------------

KEYCLOAK_LOGIN = {"access_token": "user-access-token-abc", "refresh_token": "user-refresh-token-xyz"}


async def test_login_from_auth_state_goes_with_start_and_before_stop(fake, make_spawner, caplog):
    caplog.set_level(logging.DEBUG)
    fake.require_login = True
    spawner = make_spawner(pass_login=True)
    spawner.user.auth_state = dict(KEYCLOAK_LOGIN, id_token="not-sent")
    await spawner.start()
    assert fake.requests_for("POST")[-1]["body"]["login"] == {
        "accessToken": "user-access-token-abc", "refreshToken": "user-refresh-token-xyz",
    }
    # the authenticator refreshed the tokens meanwhile: stop hands the new ones over first
    spawner.user.auth_state = {"access_token": "newer-access", "refresh_token": "newer-refresh"}
    await spawner.stop()
    calls = [(r["method"], r["path"]) for r in fake.requests if r["method"] in ("PUT", "DELETE")]
    assert calls[:2] == [("PUT", "/api/v1/users/alice/login"), ("DELETE", "/api/v1/users/alice/server")]
    assert fake.logins["alice"] == {"accessToken": "newer-access", "refreshToken": "newer-refresh"}
    for record in caplog.records:
        text = record.getMessage()
        assert "access-token" not in text and "refresh" not in text.replace("refresh_token", "")


async def test_missing_auth_state_gives_the_log_in_again_message(fake, make_spawner):
    fake.require_login = True
    spawner = make_spawner(pass_login=True)
    with pytest.raises(web.HTTPError) as raised:
        await spawner.start()
    assert "log out and log in again" in str(raised.value)
    assert "login" not in fake.requests_for("POST")[-1]["body"]


async def test_stop_goes_on_when_the_login_cannot_be_passed(fake, make_spawner):
    spawner = make_spawner(pass_login=True)
    spawner.user.auth_state = dict(KEYCLOAK_LOGIN)
    await spawner.start()
    fake.fail_next("PUT", 1, 400, "invalid_login", path_suffix="/login")
    await spawner.stop()
    assert fake.requests_for("DELETE")
    assert fake.record("alice").ended


async def test_login_is_not_sent_unless_enabled(fake, make_spawner):
    spawner = make_spawner()
    spawner.user.auth_state = dict(KEYCLOAK_LOGIN)
    await spawner.start()
    await spawner.stop()
    assert "login" not in fake.requests_for("POST")[-1]["body"]
    assert not fake.requests_for("PUT")


# hub restarts (issue 9 item 10) ------------------------------------------------------------


class FakeProxy:
    """The hub's proxy as the plugin sees it: records the routes added."""

    def __init__(self):
        self.added = []

    async def add_user(self, user, server_name=""):
        self.added.append((user.name, server_name))


def restarted_spawner(make_spawner, server="", **kwargs):
    """A spawner as JupyterHub's init_spawners builds it: state loaded, its check pending."""
    spawner = make_spawner(server=server, **kwargs)
    spawner.user.settings = {"proxy": FakeProxy()}
    spawner.load_state({})
    spawner._check_pending = True
    return spawner


async def test_a_running_servers_route_is_back_as_soon_as_the_hubs_check_of_it_ends(fake, make_spawner):
    fake.add_record("alice", start_id="running-start-1", script=DEFAULT_SCRIPT[3:])
    await wait_for(lambda: fake.record("alice").status["state"] == "running")
    spawner = restarted_spawner(make_spawner)
    proxy = spawner.user.settings["proxy"]
    assert await spawner.poll() is None
    assert await spawner.get_url() == fake.server_url + "/user/alice/"
    assert proxy.added == []  # not while the hub still checks it (it is not ready yet)
    spawner._check_pending = False  # the hub's check ends (its HTTP probe answered)
    await wait_for(lambda: proxy.added == [("alice", "")])


async def test_a_server_queued_across_the_restart_is_routed_when_it_comes_up(fake, make_spawner):
    fake.step_delay = 0.2
    fake.add_record("alice", server="gpu", start_id="queued-start-8", script=DEFAULT_SCRIPT[2:])
    spawner = restarted_spawner(make_spawner, server="gpu")
    proxy = spawner.user.settings["proxy"]
    assert await spawner.get_url() == fake.server_url + "/user/alice/gpu/"
    spawner._check_pending = False
    await wait_for(lambda: proxy.added == [("alice", "gpu")])


async def test_a_queued_server_is_followed_until_the_services_deadline_not_start_timeout(fake, make_spawner):
    fake.add_record("alice", start_id="queued-start-9")  # stays queued
    soon = time.time() + 0.3
    fake.record("alice").status["startDeadline"] = (
        datetime.fromtimestamp(soon, timezone.utc).isoformat().replace("+00:00", "Z"))
    spawner = restarted_spawner(make_spawner, start_timeout=30, start_timeout_slack=0.2)
    began = time.monotonic()
    assert await spawner.get_url() == spawner.server.url  # no URL: the stored one
    assert time.monotonic() - began < 5


# queue timeouts, queue progress and cancelling a queued start (issue 9 item 11) ------------


async def test_the_hubs_start_timeout_comes_from_the_chosen_profiles_queue_timeout(fake, make_spawner):
    fake.profiles = [
        {"key": "small", "first": True, "queueTimeoutSeconds": 600},
        {"key": "big", "first": False, "queueTimeoutSeconds": 7200},
    ]
    spawner = make_spawner(start_timeout=300, start_timeout_slack=60)
    spawner.user_options = {"profile": "big"}
    await spawner.run_pre_spawn_hook()
    assert spawner.start_timeout == 7260
    spawner.user_options = {}
    await spawner.run_pre_spawn_hook()
    assert spawner.start_timeout == 660  # the default profile


async def test_the_configured_pre_spawn_hook_still_runs(fake, make_spawner):
    seen = []
    spawner = make_spawner(pre_spawn_hook=lambda s: seen.append(s.user.name))
    await spawner.run_pre_spawn_hook()
    assert seen == ["alice"]


async def test_start_follows_a_queued_start_until_the_services_deadline(fake, make_spawner):
    fake.script = DEFAULT_SCRIPT[:2]  # stays queued
    fake.start_deadline = datetime.fromtimestamp(time.time() + 4, timezone.utc).isoformat()
    spawner = make_spawner(start_timeout=1, start_timeout_slack=0)
    task = asyncio.ensure_future(spawner.start())
    await asyncio.sleep(2.0)
    assert not task.done(), "start() gave up at start_timeout although the service allows longer"
    task.cancel()
    await spawner.stop()


async def test_progress_shows_how_long_a_start_has_waited_in_the_queue(fake, make_spawner):
    fake.script = DEFAULT_SCRIPT[:2]  # stays queued
    spawner = make_spawner(queue_progress_interval=0.1)
    task = asyncio.ensure_future(spawner.start())
    messages = []

    async def read():
        async for event in spawner.progress():
            messages.append(event.get("message", ""))
            if sum(m.startswith("Waiting in the queue for ") for m in messages) >= 2:
                return

    await asyncio.wait_for(read(), 5)
    waits = [m for m in messages if m.startswith("Waiting in the queue for ")]
    assert waits[0].endswith("Job 42 is queued: Resources"), waits
    await spawner.cancel_start()
    with pytest.raises(Exception, match="stopped"):
        await task


async def test_cancel_start_cancels_the_job_and_ends_the_pending_start(fake, make_spawner):
    fake.script = DEFAULT_SCRIPT[:2]  # stays queued
    spawner = make_spawner(start_timeout=30)
    task = asyncio.ensure_future(spawner.start())
    await wait_for(lambda: fake.record("alice") is not None
                   and fake.record("alice").status["state"] == "queued")
    await spawner.cancel_start()
    with pytest.raises(Exception, match="stopped while it was starting"):
        await asyncio.wait_for(task, 3)
    assert fake.requests_for("DELETE")
    await wait_for(lambda: fake.record("alice").status["state"] == "stopped")
