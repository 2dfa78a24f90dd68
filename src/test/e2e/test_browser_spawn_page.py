"""The hub's pages in a real browser (scenario k): headless Chromium, driven by
browser/spawn_page.js (playwright-core), logs in, fills the service's options form on /hub/spawn
and follows the spawn-pending page like a researcher would.

k1: the node is full, so the page must say in plain words that the job waits in the queue and
why; once the node is freed the browser must land on the notebook tree page of the server.
k2: a server that dies while starting: the page must show the failure with the job's output.
k3: the node is held by a job with a time limit: the page must say when Slurm expects the start.

Needs node, playwright-core (in $STACK_DIR/node) and /usr/bin/chromium: scripts/stack/install.sh
installs them. When one is missing the tests FAIL (they never skip). Screenshots, the browser's
log and the last page's HTML of each test land in $STACK_DIR/e2e-browser/<test>/.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

import e2elib as E
from test_failures_and_auth import broken_carol_config  # noqa: F401 - fixture, used by k2

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
SCRIPT = BROWSER_DIR / "spawn_page.js"
SHOTS_ROOT = E.STACK_DIR / "e2e-browser"
INSTALL_HINT = ("run scripts/stack/install.sh: it installs Debian's chromium and npm playwright-core@1 "
                "into $STACK_DIR/node (CI runs it; scripts/e2e.sh does too)")
QUEUE_TEXT = "waiting in the queue: Resources"
TREE_TITLE = "Home Page - Select or create a notebook"  # notebook 6.4's tree page

_tools = {}


def browser_tools():
    """(node, check result) once per session; pytest.fail (never skip) when something is missing."""
    if "node" not in _tools:
        node = shutil.which("node")
        if not node:
            pytest.fail(f"node is not on PATH, the browser tests need it; {INSTALL_HINT}", pytrace=False)
        try:
            p = subprocess.run([node, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=90,
                               env=dict(os.environ, STACK_DIR=str(E.STACK_DIR)))
        except subprocess.TimeoutExpired:
            pytest.fail(f"`node {SCRIPT} --check` (launches Chromium once) hung for 90 s", pytrace=False)
        if p.returncode != 0:
            pytest.fail(f"the browser tooling is not usable (node {SCRIPT} --check exited {p.returncode}):\n"
                        f"{p.stderr.strip()}\n{p.stdout.strip()}\n{INSTALL_HINT}", pytrace=False)
        _tools["node"], _tools["check"] = node, json.loads(p.stdout.strip().splitlines()[-1])
    return _tools["node"], _tools["check"]


class BrowserRun:
    """One run of spawn_page.js in the background; its JSON-lines stdout is read as it comes."""

    def __init__(self, node, shots, user, expect, timeout, profile="small", options=()):
        self.shots = shots
        self.user = user
        self.events = []
        self.stdout_noise = []
        self.started = time.monotonic()
        self.log_path = shots / "browser.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in close()
        cmd = [node, str(SCRIPT), "--user", user, "--password", E.HUB_PASSWORD, "--base-url", E.PUBLIC_URL,
               "--profile", profile, "--expect", expect, "--timeout", str(timeout), "--shots", str(shots)]
        for name, value in options:  # fields of the form to set before submitting: (name, value)
            cmd += ["--option", f"{name}={value}"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, text=True, cwd=BROWSER_DIR,
                                     env=dict(os.environ, STACK_DIR=str(E.STACK_DIR)),
                                     start_new_session=True)  # its own process group: closed as a whole
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                self.stdout_noise.append(line.rstrip())
                continue
            ev["_at"] = round(time.monotonic() - self.started, 2)
            self.events.append(ev)

    def describe(self):
        tail = "".join(self.log_path.read_text(errors="replace").splitlines(True)[-25:]) \
            if self.log_path.exists() else ""
        msgs = [e["text"] for e in self.events if e.get("event") == "message"]
        return (f"browser run of {self.user}: exit {self.proc.poll()}, messages shown {msgs}, "
                f"last events {[{k: v for k, v in e.items() if k not in ('form', 'text')} for e in self.events[-3:]]}"
                f"\nscreenshots, browser.log, final.html: {self.shots}\n--- browser.log (tail) ---\n{tail}")

    def wait_event(self, pred, timeout, what, diag=None):
        """The first event satisfying ``pred``; fails at the deadline or when the script ended without it."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in list(self.events):
                if pred(ev):
                    return ev
            ended = self.proc.poll() is not None and not self.reader.is_alive()
            if ended or time.monotonic() >= deadline:
                why = "the browser script ended" if ended else f"timed out after {timeout}s"
                extra = ("\n" + diag()) if diag else ""
                raise AssertionError(f"{why} before {what}\n{self.describe()}{extra}")
            time.sleep(0.1)

    def summary(self, timeout, diag=None):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.close()
            raise AssertionError(f"the browser script still ran after {timeout}s (killed)\n{self.describe()}"
                                 + (("\n" + diag()) if diag else "")) from None
        self.reader.join(10)
        for ev in reversed(self.events):
            if ev.get("event") == "summary":
                return ev
        raise AssertionError(f"the browser script printed no summary\n{self.describe()}")

    def close(self):
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.proc.pid, sig)
                    self.proc.wait(wait)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.reader.join(5)
        self._log.close()


@pytest.fixture
def browser(request):
    """Factory of BrowserRun (screenshots in $STACK_DIR/e2e-browser/<test>/); closes them at teardown,
    before the autouse cleanup stops the servers."""
    runs = []

    def start(user, expect, timeout, profile="small", options=()):
        node, _ = browser_tools()
        shots = SHOTS_ROOT / request.node.name
        shutil.rmtree(shots, ignore_errors=True)
        shots.mkdir(parents=True)
        run = BrowserRun(node, shots, user, expect, timeout, profile, options)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.close()


def _looks_plain(text):
    """A sentence for people, not a JSON blob, a Python repr or a raw Slurm field."""
    return not any(bad in text for bad in ("{", "}", "state_reason", "pendingReason", "job_state", "None"))


def test_k1_browser_queue_then_notebook(stack, hub, service, browser, request):
    """Alice starts her server in Chromium while bob fills the node: the spawn page says why it waits;
    after bob's job is cancelled the browser ends on alice's notebook tree page."""
    browser_tools()  # fails (not skips) when chromium/node/playwright-core are missing
    t0 = time.monotonic()
    filler = stack.fill_node("bob")
    run = browser("alice", expect="ready", timeout=150)
    diag = stack.differ("alice")

    form = run.wait_event(lambda e: e.get("event") == "form", 40, "the options form on /hub/spawn", diag)
    labels = {p["value"]: p["label"] for p in form["profiles"]}
    assert "small" in labels and "Small" in labels["small"], f"profiles on the form: {form['profiles']}"
    # each profile's fields are named <profile>.<option> (form-shared §2)
    assert any(f["name"] == "small.cpus" and "CPUs" in (f["label"] or "") for f in form["fields"]), form["fields"]

    shown = run.wait_event(lambda e: e.get("event") == "message" and QUEUE_TEXT in e.get("text", ""), 45,
                           f"the spawn page showing a message with {QUEUE_TEXT!r}", diag)
    t_queue = time.monotonic()
    assert "/hub/spawn-pending/alice" in shown["url"], f"the queue message was shown on {shown['url']}"
    text = shown["text"]
    assert _looks_plain(text), f"the pending reason is not in plain words: {text!r}"
    # the page tells the truth: alice's job is pending for Resources behind bob's job
    status = stack.wait_service_state("alice", "", {"queued"}, 10,
                                      pred=lambda s: s.get("pendingReason") == "Resources")
    assert f"Job {status['jobId']} " in text, f"the message does not name the queued job {status['jobId']}: {text!r}"
    jobs = stack.spawner_jobs("alice")
    assert [(j["id"], j["state"]) for j in jobs] == [(str(status["jobId"]), "PENDING")], f"{jobs}\n{diag()}"
    model = hub.server("alice")
    assert model and model.get("pending") == "spawn" and not model.get("ready"), diag()
    assert run.proc.poll() is None, f"the browser gave up while the job was queued\n{run.describe()}"

    E.scancel(filler)
    t_freed = time.monotonic()
    summary = run.summary(120, diag)
    t_end = time.monotonic()
    assert summary["outcome"] == "ready", (
        f"outcome {summary['outcome']}: {summary.get('error')}\n{run.describe()}\n{diag()}")
    assert summary["finalUrl"].startswith(f"{E.PUBLIC_URL}/user/alice/tree"), (
        f"the browser ended at {summary['finalUrl']} (pages: {summary['pagesVisited']})")
    ui = summary["notebookUi"] or {}
    assert summary["title"] == TREE_TITLE and ui.get("notebookList"), (
        f"not notebook's tree page: title {summary['title']!r}, UI {ui}\n{run.describe()}")
    messages = summary["messages"]
    i_queue = next(i for i, m in enumerate(messages) if QUEUE_TEXT in m)
    ready_at = [i for i, m in enumerate(messages) if m.startswith("Server ready")]
    assert ready_at and ready_at[-1] > i_queue, f"messages shown, in order: {messages}"
    assert summary["failure"] is None, summary["failure"]

    status = stack.wait_service_state("alice", "", {"running"}, 10)
    assert status["options"]["profile"] == "small", E.pretty(status)
    assert [j["id"] for j in stack.spawner_jobs("alice")] == [str(status["jobId"])], diag()
    assert stack.wait_hub_ready("alice", "", 10)

    timings = {"queue_message_shown_s": round(t_queue - t0, 1), "ready_after_freeing_s": round(t_end - t_freed, 1),
               "browser_script_s": summary.get("seconds"), "total_s": round(t_end - t0, 1)}
    request.node.user_properties.extend(timings.items())
    print(f"k1 timings {timings}; messages {messages}; screenshots {run.shots}")


ETA_TEXT = re.compile(r"Slurm expects it to start at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC")


def test_k3_browser_queued_page_shows_slurms_estimated_start(stack, hub, service, browser, request):
    """Bob's job holds the node for 5 minutes at most: the spawn page of alice's queued start must say when
    Slurm expects it to start (its backfill estimate, the end of bob's time limit), and the service's status
    must carry the same estimate. Once bob's job is cancelled the server starts."""
    browser_tools()
    filled_at = time.time()
    filler = stack.fill_node("bob", minutes=5)
    run = browser("alice", expect="ready", timeout=180)
    diag = stack.differ("alice")
    # sched/backfill estimates start times every bf_interval (30 s by default)
    shown = run.wait_event(lambda e: e.get("event") == "message" and ETA_TEXT.search(e.get("text", "")), 90,
                           "the spawn page showing Slurm's estimated start", diag)
    eta = datetime.strptime(ETA_TEXT.search(shown["text"]).group(1), "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
    frees_up = datetime.fromtimestamp(filled_at + 5 * 60, timezone.utc)
    assert abs((eta - frees_up).total_seconds()) <= 120, (
        f"the page says {eta:%H:%M} UTC, bob's job ends by {frees_up:%H:%M:%S} UTC: {shown['text']!r}")
    status = stack.wait_service_state("alice", "", {"queued"}, 10, pred=lambda s: s.get("estimatedStart"))
    estimated = datetime.fromisoformat(status["estimatedStart"].replace("Z", "+00:00"))
    assert abs((estimated - eta).total_seconds()) < 60, E.pretty(status)
    run.wait_event(lambda e: e.get("event") == "screenshot" and "message" in e.get("file", ""), 20,
                   "a screenshot of the page with the estimate", diag)

    E.scancel(filler)
    summary = run.summary(120, diag)
    assert summary["outcome"] == "ready", f"outcome {summary['outcome']}: {summary.get('error')}\n{run.describe()}"
    print(f"k3 estimate shown: {shown['text']!r}; screenshots {run.shots}")


def test_k2_browser_failed_start(stack, hub, service, browser, broken_carol_config, request):  # noqa: F811
    """Carol's Jupyter config makes her server exit while starting: the browser shows the failure
    with the tail of the job's output, and nothing is left running."""
    browser_tools()
    marker = broken_carol_config
    t0 = time.monotonic()
    run = browser("carol", expect="failed", timeout=120)
    diag = stack.differ("carol")
    summary = run.summary(150, diag)
    took = time.monotonic() - t0

    assert summary["outcome"] == "failed", (
        f"outcome {summary['outcome']}: {summary.get('error')}\n{run.describe()}\n{diag()}")
    failure = summary["failure"] or {}
    shown = " ".join([failure.get("text") or ""] + summary["messages"])
    assert marker in (failure.get("text") or ""), (
        f"the failure the page shows lacks the job's output ({marker!r}): {failure}\n"
        f"messages: {summary['messages']}\n{run.describe()}")
    assert "failed" in shown.lower(), f"the page does not say the start failed: {failure} {summary['messages']}"
    assert not summary["finalUrl"].startswith(f"{E.PUBLIC_URL}/user/carol/"), summary["finalUrl"]

    status = stack.wait_service_state("carol", "", {"failed"}, 10)
    assert marker in (status.get("message") or ""), E.pretty(status)
    stack.wait_hub_gone("carol", "", 20)
    assert not E.squeue("carol"), diag()

    timings = {"failure_shown_s": summary.get("seconds"), "total_s": round(took, 1)}
    request.node.user_properties.extend(timings.items())
    print(f"k2 timings {timings}; failure {failure}; messages {summary['messages']}; screenshots {run.shots}")
