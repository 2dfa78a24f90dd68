"""The service under test and its stand-ins as processes: build or reuse the jar, write the configuration,
start, wait until ready, read its resident memory, CPU time and metrics, stop.

The service runs as the stack runs it (``java -Xmx256m`` plus ``JAVA_OPTS`` ``-jar
target/quarkus-app/quarkus-run.jar`` with ``-Dhpcspawner.config-file``), with two systems: ``local`` (slurmrestd v0.0.38, profile ``small``) and
``fc`` (FirecREST v2 with Keycloak logins, profile ``fc``), both pointing at the stand-ins' process.
"""

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JAR = REPO / "target" / "quarkus-app" / "quarkus-run.jar"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# The JVM options the stack runs the service with (scripts/stack/service-up.sh, HPCSPAWNER_JAVA_OPTS),
# besides -Xmx; docs/operations.md, "JVM options", says why.
JAVA_OPTS = ["-XX:+UseSerialGC", "-Xms64m", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_jar(rebuild):
    """Builds the fast-jar unless one exists (or ``rebuild``); the build's output only on failure."""
    if JAR.exists() and not rebuild:
        return "reused " + str(JAR.relative_to(REPO))
    cmd = [str(REPO / "mvnw"), "-o", "-q", "package", "-DskipTests"]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-4000:] + r.stderr[-4000:])
        raise SystemExit("bench: the build failed: " + " ".join(cmd))
    return "built " + str(JAR.relative_to(REPO))


def wait_http(url, timeout, proc=None, log=None):
    """Polls ``url`` until it answers 200; fails when ``proc`` exits or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"bench: the process behind {url} exited ({proc.returncode}); log: {log}")
        time.sleep(0.01)
    raise SystemExit(f"bench: {url} did not answer 200 within {timeout} s; log: {log}")


class StandIns:
    """The stand-ins' process (bench/standins.py): one port for slurmrestd, FirecREST and Keycloak."""

    def __init__(self, workdir, submit_delay_ms):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "standins.log"
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("standins.py")), "--port", str(self.port),
             "--submit-delay-ms", str(submit_delay_ms)],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        wait_http(self.url + "/_bench/counts", 20, self.proc, self.log)

    def cpu_seconds(self):
        return cpu_seconds(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Service:
    """One configuration (ports, store, secrets) of the service; start() and stop() may repeat on it."""

    def __init__(self, workdir, standins_url, slow_interval, heap="256m", java_opts=None):
        self.dir = workdir
        self.port, self.mgmt = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mgmt_url = f"http://127.0.0.1:{self.mgmt}"
        self.hub_token = secrets.token_hex(32)
        self.heap = heap
        self.java_opts = JAVA_OPTS if java_opts is None else java_opts
        self.log = workdir / "service.log"
        self.proc = None
        key = workdir / "jwt.key"
        key.write_bytes(secrets.token_bytes(32))
        key.chmod(0o600)
        props = {
            "quarkus.http.host": "127.0.0.1",
            "quarkus.http.port": self.port,
            "quarkus.management.host": "127.0.0.1",
            "quarkus.management.port": self.mgmt,
            "quarkus.log.level": "WARN",
            "hpcspawner.public-url": self.url,
            "hpcspawner.auth.hub-token": self.hub_token,
            "hpcspawner.store.directory": workdir / "store",
            "hpcspawner.store.logins-directory": workdir / "logins",
            "hpcspawner.limits.servers-per-user": 100000,
            "hpcspawner.watch.fast-interval": "1s",
            "hpcspawner.watch.slow-interval": f"{slow_interval}s",
            "hpcspawner.systems.local.backend": "slurmrestd",
            "hpcspawner.systems.local.url": standins_url,
            "hpcspawner.systems.local.api-version": "v0.0.38",
            "hpcspawner.systems.local.jwt-key-file": key,
            "hpcspawner.profiles.small.system": "local",
            "hpcspawner.profiles.small.partition": "debug",
            "hpcspawner.profiles.small.cpus": 1,
            "hpcspawner.profiles.small.time-limit-minutes": 60,
            "hpcspawner.systems.fc.backend": "firecrest-v2",
            "hpcspawner.systems.fc.url": standins_url,
            "hpcspawner.systems.fc.firecrest-system": "daint",
            "hpcspawner.systems.fc.working-directory": "/users/{user}",
            "hpcspawner.systems.fc.output-readable": "false",
            "hpcspawner.profiles.fc.system": "fc",
            "hpcspawner.profiles.fc.partition": "normal",
            "hpcspawner.keycloak.issuer": standins_url + "/realms/hpc",
            "hpcspawner.keycloak.user-client.id": "jupyterhub",
            "hpcspawner.keycloak.user-client.secret": secrets.token_hex(16),
            "hpcspawner.keycloak.service-client.id": "hpcspawner-service",
            "hpcspawner.keycloak.service-client.secret": secrets.token_hex(16),
            "hpcspawner.keycloak.token-encryption-key": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        self.config = workdir / "hpcspawner.properties"
        self.config.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        self.config.chmod(0o600)

    def start(self, timeout=120):
        """Starts the JVM; returns the time the process was started (monotonic) once /q/health/ready says UP."""
        t0 = time.monotonic()
        # BENCH_JAVA_OPTS adds JVM options, e.g. a flight recording of the run:
        # BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/run.jfr,settings=profile" bench/run --quick
        extra = os.environ.get("BENCH_JAVA_OPTS", "").split()
        self.proc = subprocess.Popen(
            ["java", f"-Xmx{self.heap}", *self.java_opts, *extra, f"-Dhpcspawner.config-file={self.config}", "-jar",
             str(JAR)],
            cwd=self.dir, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        wait_http(self.mgmt_url + "/q/health/ready", timeout, self.proc, self.log)
        return t0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def rss_mb(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self):
        return cpu_seconds(self.proc.pid)

    def metrics(self):
        """The Prometheus text of /q/metrics as {name{labels}: value}."""
        with urllib.request.urlopen(self.mgmt_url + "/q/metrics", timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    out[name] = float(value)
                except ValueError:
                    pass
        return out

    def oom_errors(self):
        """How often the service's log names an OutOfMemoryError."""
        return self.log.read_text(errors="replace").count("OutOfMemoryError") if self.log.exists() else 0


def cpu_seconds(pid):
    """User + system CPU time of a process from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK
