"""The Grafana dashboard against a real Prometheus (Debian's package): Prometheus scrapes the
stack's service every second; after a start through the hub (ready, then stopped) and a refused
ready signal, every panel query of chart/dashboards/hpcspawner.json is evaluated through
Prometheus' HTTP API and must be valid and return data (at least one series with a finite value).
Each panel's values are printed and written, with the series over the run, to
$STACK_DIR/prometheus-dashboard/ (values.txt, series.json). Skips only when Prometheus cannot be
installed."""

import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

import e2elib as E

DASHBOARD = E.REPO_DIR / "chart" / "dashboards" / "hpcspawner.json"
OUT_DIR = E.STACK_DIR / "prometheus-dashboard"
# Grafana's template variables, as the dashboard's "All" selection sends them
VARIABLES = {"${system}": ".*", "$system": ".*"}


def prometheus_binary():
    """Debian's prometheus, installed when missing (its service is never started); None when impossible."""
    found = shutil.which("prometheus") or ("/usr/bin/prometheus" if os.path.exists("/usr/bin/prometheus") else None)
    if found or os.geteuid() != 0:
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "prometheus"], env=env,
                   capture_output=True, timeout=600, check=False)
    return shutil.which("prometheus") or ("/usr/bin/prometheus" if os.path.exists("/usr/bin/prometheus") else None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prometheus():
    binary = prometheus_binary()
    if not binary:
        pytest.skip("prometheus is not installed and cannot be installed (apt-get install prometheus failed or not root)")
    work = Path(tempfile.mkdtemp(prefix="e2e-prometheus-"))
    port = free_port()
    (work / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: hpcspawner\n"
        "    metrics_path: /q/metrics\n"
        f"    static_configs: [{{targets: ['{E.HOST}:{E.MANAGEMENT_PORT}']}}]\n")
    log = open(work / "prometheus.log", "w")
    proc = subprocess.Popen([binary, f"--config.file={work / 'prometheus.yml'}",
                             f"--storage.tsdb.path={work / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        E.wait_for(lambda: _ready(port), 60, f"prometheus on port {port} to be ready",
                   lambda: (work / "prometheus.log").read_text()[-3000:])
        yield api
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


def _ready(port):
    try:
        return requests.get(f"http://127.0.0.1:{port}/-/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def query(api, expr, at=None):
    params = {"query": expr}
    if at is not None:
        params["time"] = at
    r = requests.get(f"{api}/query", params=params, timeout=10)
    body = r.json()
    assert r.status_code == 200 and body.get("status") == "success", f"{expr}: {r.status_code} {r.text}"
    return body["data"]


def scrapes(api):
    data = query(api, 'count_over_time(up{job="hpcspawner"}[5m])')
    return int(float(data["result"][0]["value"][1])) if data["result"] else 0


def wait_scrapes(api, n):
    """n more successful scrapes of the service from now."""
    start = scrapes(api)
    E.wait_for(lambda: scrapes(api) >= start + n and query(api, 'up{job="hpcspawner"}')["result"][0]["value"][1] == "1",
               30, f"prometheus to scrape the service {n} more times", interval=0.5)


def panel_queries():
    dashboard = json.loads(DASHBOARD.read_text())
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in VARIABLES.items():
                expr = expr.replace(name, value)
            yield panel["title"], target.get("legendFormat", ""), expr


def test_zz_every_dashboard_panel_returns_data_from_a_real_prometheus(stack, hub, prometheus, capsys):
    t_begin = time.time()
    wait_scrapes(prometheus, 3)
    # What the counters and histograms count: a start through the hub to ready, its stop, a refused ready signal.
    stack.spawn_ready("alice", "", {"profile": "small"}, timeout=90)
    hub.stop("alice", "")
    stack.wait_hub_gone("alice", "", timeout=60)
    stack.wait_service_state("alice", "", {"stopped"}, 30)
    r = requests.post(f"{E.SERVICE_API}/callback/no-such-server", json={"host": "localhost", "port": 9},
                      headers={"Authorization": "Bearer not-the-secret"}, timeout=10)
    assert r.status_code in (401, 403, 404), r.text
    wait_scrapes(prometheus, 3)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    lines, failures, series = [], [], []
    end = time.time()
    for title, legend, expr in panel_queries():
        data = query(prometheus, expr)
        values = [(s["metric"], float(s["value"][1])) for s in data["result"]]
        finite = [v for _, v in values if math.isfinite(v)]
        shown = ", ".join(f"{_label(m)}={v:.4g}" for m, v in values) or "no data"
        lines.append(f"{title} [{legend}]: {shown}")
        if not finite:
            failures.append(f"{title} [{legend}] returned {'only NaN' if values else 'no data'}: {expr}")
        rng = requests.get(f"{prometheus}/query_range", params={"query": expr, "start": t_begin, "end": end,
                                                                  "step": "1s"}, timeout=10).json()
        series.append({"panel": title, "legend": legend, "expr": expr, "result": rng.get("data", {}).get("result", [])})
    (OUT_DIR / "values.txt").write_text("\n".join(lines) + "\n")
    (OUT_DIR / "series.json").write_text(json.dumps(series, indent=1))
    # The panels plotted from this run (Grafana is not packaged here): one picture for the operator's eyes.
    plot = subprocess.run([sys.executable, str(E.REPO_DIR / "scripts" / "plot-dashboard.py"),
                           str(OUT_DIR / "series.json"), str(OUT_DIR / "dashboard.png")],
                          capture_output=True, text=True, timeout=120)
    assert plot.returncode == 0 and (OUT_DIR / "dashboard.png").stat().st_size > 10_000, plot.stdout + plot.stderr
    with capsys.disabled():
        print("\nDashboard panels evaluated by Prometheus (" + str(OUT_DIR) + "):")
        for line in lines:
            print("  " + line)
    assert not failures, "\n".join(failures)


def _label(metric):
    keys = [k for k in sorted(metric) if k not in ("job", "instance")]
    return "{" + ",".join(f"{k}={metric[k]}" for k in keys) + "}" if keys else "total"
