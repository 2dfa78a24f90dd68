"""The options form in a real browser (issue 13): headless Chromium, through browser/spawn_page.js
like test_browser_spawn_page.py, logs in as alice and uses the form on /hub/spawn.

f1: the form shows the system first (a fieldset with its legend), under it the profiles; the
workshop profile's partition select lists the local cluster's real partitions (as `sinfo` reads
them), its environment select the two environments of scripts/stack/service-up.sh. Alice picks
workshop, the "tools" environment and 20 minutes, submits, and her server starts as a Slurm job
whose batch script carries the environment's prelude and the wall time she chose.

Screenshots of the form (NN-form.png, NN-form-filled.png) and of the progress page
(NN-progress.png, NN-message-N.png) land in $STACK_DIR/e2e-browser/<test>/ with the browser's log.
"""

import re
import time

import e2elib as E
from test_browser_spawn_page import QUEUE_TEXT, browser, browser_tools  # noqa: F401 - browser is a fixture

PROFILE = "workshop"
ENVIRONMENT = "tools"
MINUTES = 20


def cluster_partitions():
    """The partitions of the cluster under test as `sinfo` lists them, and the default one (marked *:
    scripts/stack/slurm-up.sh makes $SLURM_PARTITION the default, and the workshop profile's default)."""
    listed = [line.strip() for line in E.slurm(["sinfo", "-h", "-o", "%P"], timeout=20).stdout.splitlines()]
    names = sorted({p.rstrip("*") for p in listed if p})
    default = next((p.rstrip("*") for p in listed if p.endswith("*")), None)
    return names, default


def test_f1_browser_form_system_partitions_environment(stack, hub, service, browser, request):  # noqa: F811
    browser_tools()  # fails (not skips) when chromium/node/playwright-core are missing
    partitions, default_partition = cluster_partitions()
    assert partitions, "sinfo lists no partition"
    answer = service.request("GET", "/users/alice/options-form")
    answer.raise_for_status()
    systems = {s["name"]: s for s in answer.json()["systems"]}
    assert systems.get("local", {}).get("available") is True, f"the service's form JSON: {systems}"

    t0 = time.monotonic()
    filler = stack.fill_node("bob")  # alice's job waits in the queue: the progress page is certainly shown
    run = browser("alice", expect="ready", timeout=150, profile=PROFILE,
                  options=[(f"{PROFILE}.environment", ENVIRONMENT), (f"{PROFILE}.time", str(MINUTES))])
    diag = stack.differ("alice")

    form = run.wait_event(lambda e: e.get("event") == "form", 40, "the options form on /hub/spawn", diag)
    legends = [s["legend"] for s in form["systems"]]
    assert "System local" in legends, f"system fieldsets on the form: {form['systems']}"
    local = next(s for s in form["systems"] if s["legend"] == "System local")
    assert not local["disabled"], f"the local system is shown unavailable: {local['text']}"
    profiles = {p["value"]: p for p in form["profiles"]}
    assert {"small", "whole-node", PROFILE} <= set(profiles), f"profiles on the form: {form['profiles']}"
    assert "Workshop" in (profiles[PROFILE]["label"] or ""), profiles[PROFILE]

    selects = {s["name"]: s for s in form["selects"]}
    partition = selects.get(f"{PROFILE}.partition")
    assert partition, f"no partition select for {PROFILE}: {sorted(selects)}"
    assert sorted(o["value"] for o in partition["options"]) == partitions, (
        f"the form's partitions {partition['options']} are not the cluster's {partitions}")
    for o in partition["options"]:
        assert o["text"].startswith(o["value"] + " — "), f"a partition without its load and limits: {o}"
    if default_partition:
        assert [o["value"] for o in partition["options"] if o["selected"]] == [default_partition], partition
    environment = selects.get(f"{PROFILE}.environment")
    assert environment and [o["value"] for o in environment["options"]] == ["plain", ENVIRONMENT], selects
    assert [o["value"] for o in environment["options"] if o["selected"]] == ["plain"], environment
    # the service's fields (JupyterHub 4+ adds its own hidden _xsrf to the form: not ours)
    ours = [f for f in form["fields"] + form["selects"] if f.get("type") != "hidden" and not f["name"].startswith("_")]
    for field in ours:
        assert field["label"], f"a field without a label: {field}"
    assert not [f for f in ours if not re.fullmatch(r"[a-z0-9-]+\.[a-z]+", f["name"])], \
        f"fields not named <profile>.<option>: {ours}"

    run.wait_event(lambda e: e.get("event") == "message" and QUEUE_TEXT in e.get("text", ""), 45,
                   f"the progress page showing {QUEUE_TEXT!r}", diag)
    E.scancel(filler)
    summary = run.summary(120, diag)
    assert summary["outcome"] == "ready", (
        f"outcome {summary['outcome']}: {summary.get('error')}\n{run.describe()}\n{diag()}")
    assert summary["finalUrl"].startswith(f"{E.PUBLIC_URL}/user/alice/"), summary["finalUrl"]

    status = stack.wait_service_state("alice", "", {"running"}, 10)
    chosen = status["options"]
    assert chosen.get("profile") == PROFILE and chosen.get("environment") == ENVIRONMENT, E.pretty(status)
    assert str(chosen.get("time")) == str(MINUTES), E.pretty(status)
    job = str(status["jobId"])
    script = E.slurm(["scontrol", "write", "batch_script", job, "-"]).stdout
    assert f"export HPCSP_WORKSHOP_ENV={ENVIRONMENT}" in script, f"the environment's prelude is not in:\n{script[:3000]}"
    assert "HPCSP_WORKSHOP_ENV=plain" not in script, script[:3000]
    limit = E.slurm(["squeue", "-h", "-j", job, "-o", "%l"], timeout=20).stdout.strip()
    assert limit == f"{MINUTES}:00", f"job {job} has time limit {limit!r}, alice chose {MINUTES} minutes"

    shots = sorted(p.name for p in run.shots.glob("*.png"))
    assert any(n.endswith("-form.png") for n in shots), f"no screenshot of the form in {run.shots}: {shots}"
    assert any(n.endswith("-progress.png") or "-message-" in n for n in shots), (
        f"no screenshot of the progress page in {run.shots}: {shots}")
    took = round(time.monotonic() - t0, 1)
    request.node.user_properties.append(("total_s", took))
    print(f"f1 {took}s; partitions {partitions}; screenshots {run.shots}: {shots}")
