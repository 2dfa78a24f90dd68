"""Health, metrics and the OpenAPI document are served only on the service's management port."""

import requests

import e2elib as E

MANAGEMENT_PATHS = ("/q/health", "/q/health/ready", "/q/health/live", "/q/health/group/systems",
                    "/q/metrics", "/q/openapi")


def test_m_management_endpoints_only_on_the_management_port(stack, service):
    """The API port answers 404 for them; the management port (127.0.0.1 in the stack) serves them."""
    for path in MANAGEMENT_PATHS:
        r = requests.get(E.SERVICE_URL + path, timeout=10)
        assert r.status_code == 404, f"the API port serves {path}: {r.status_code}"
    assert requests.get(E.MANAGEMENT_URL + "/q/health/ready", timeout=10).status_code == 200
    assert "hpcspawner_servers" in requests.get(E.MANAGEMENT_URL + "/q/metrics", timeout=10).text
    assert "/api/v1/users/{user}/servers/{server}" in requests.get(E.MANAGEMENT_URL + "/q/openapi", timeout=10).text
    r = requests.get(E.MANAGEMENT_URL + "/api/v1/servers", headers={"Authorization": f"Bearer {service.token}"}, timeout=10)
    assert r.status_code == 404, f"the management port serves the API: {r.status_code}"
