"""Fixtures: the fake service on a random port and real HPCSpawner objects pointed at it."""

import asyncio
import logging
import os
import sys
from types import SimpleNamespace

import pytest
import pytest_asyncio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "main", "python"))
sys.path.insert(0, os.path.dirname(__file__))

from fake_service import FakeService  # noqa: E402
from hpcspawner import HPCSpawner  # noqa: E402
from jupyterhub import orm  # noqa: E402
from jupyterhub.objects import Hub  # noqa: E402

API_TOKEN = "user-api-token-0123456789abcdef"


@pytest_asyncio.fixture
async def fake():
    service = FakeService()
    service.start()
    yield service
    await service.close()
    await asyncio.sleep(0.05)  # let clients see their connections close
    violations = list(dict.fromkeys(service.contract_violations))
    assert not violations, "the fake service's traffic breaks docs/openapi.yaml:\n  " + "\n  ".join(violations)


class FakeUser:
    """The bits of jupyterhub.user.User a spawner reads (name, url, progress url, groups)."""

    def __init__(self, name):
        self.name = name
        self.escaped_name = name
        self.url = f"/user/{name}/"
        self.auth_state = None
        self.groups = []  # jupyterhub.orm.Group rows: only .name is read

    async def get_auth_state(self):
        return self.auth_state

    def progress_url(self, server_name=""):
        return f"/hub/api/users/{self.name}/server/progress"


@pytest.fixture
def make_spawner(fake):
    """Build an HPCSpawner like JupyterHub does (user, hub, orm_spawner with a server row)."""

    def make(user="alice", server="", **kwargs):
        base_url = f"/user/{user}/{server + '/' if server else ''}"
        orm_server = orm.Server(base_url=base_url, ip="", port=0, proto="http", cookie_name="jupyterhub-session")
        orm_spawner = SimpleNamespace(name=server, server=orm_server, state=None, user_options=None)
        settings = dict(
            user=FakeUser(user),
            hub=Hub(base_url="/hub/", public_host=""),
            orm_spawner=orm_spawner,
            oauth_client_id=f"jupyterhub-user-{user}",
            api_token=API_TOKEN,
            service_url=fake.url,
            service_token=fake.token,
            retry_delay=0.05,
            connect_retries=2,
            request_timeout=5,
            start_timeout=10,
            stop_timeout=3,
            stop_poll_interval=0.05,
        )
        settings.update(kwargs)
        spawner = HPCSpawner(**settings)
        spawner.log = logging.getLogger("test.hpcspawner")
        return spawner

    return make
