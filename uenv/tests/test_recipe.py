"""Offline checks of the JupyterLab uenv recipe (uenv/jupyterlab).

Run: /usr/bin/python3 -m pytest -q -p no:cacheprovider uenv/tests
Needs PyYAML, jsonschema, Jinja2, packaging (Debian: python3-yaml, python3-jsonschema,
python3-jinja2, python3-packaging) and, for the post-install check, shellcheck.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import jinja2
import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

UENV = Path(__file__).resolve().parents[1]
ROOT = UENV.parent
RECIPE = UENV / "jupyterlab"
SCHEMAS = UENV / "schema"

# The Spack releases each recipe format version is built with (deploy-conventions.md 8.1).
SPACK_FOR_FORMAT = {2: ("1.0", "1.1"), 3: ("1.2",)}


def load(name):
    return yaml.safe_load((RECIPE / name).read_text())


def validator(kind):
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(kind, document):
    return [f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in validator(kind).iter_errors(document)]


@pytest.mark.parametrize("kind", ["config", "compilers", "environments"])
def test_each_recipe_file_validates_against_its_schema(kind):
    assert errors(kind, load(f"{kind}.yaml")) == []


def test_the_schemas_refuse_the_mistakes_stackinator_refuses():
    config = load("config.yaml")
    assert any("stor" in e for e in errors("config", {**config, "stor": "/user-tools"}))
    assert errors("config", {k: v for k, v in config.items() if k != "name"})
    # An unquoted gcc version is a YAML number: Stackinator wants a string.
    assert any("is not of type 'string'" in e for e in errors("compilers", yaml.safe_load("gcc: {version: 14}")))
    # The version-1 compilers and MPI forms.
    assert errors("compilers", yaml.safe_load("bootstrap: {spec: gcc@11}\ngcc: {specs: [gcc@12]}"))
    envs = load("environments.yaml")
    env = next(iter(envs.values()))
    assert errors("environments", {"e": {**env, "mpi": {"spec": "cray-mpich", "gpu": None}}})
    assert errors("environments", {"e": {k: v for k, v in env.items() if k != "compiler"}})
    view = {"jupyter": {"link": "everything"}}
    assert any("everything" in e for e in errors("environments", {"e": {**env, "views": view}}))


def test_the_format_version_matches_the_pinned_spack_release():
    config = load("config.yaml")
    commit = config["spack"]["commit"]
    match = re.fullmatch(r"(?:releases/)?v(\d+\.\d+)(?:\.\d+)?", commit)
    assert match, f"spack.commit {commit!r} is not a release tag or branch, so the format version cannot be checked"
    assert match.group(1) in SPACK_FOR_FORMAT[config["version"]], (
        f"recipe format {config['version']} is built with Spack {SPACK_FOR_FORMAT[config['version']]}, not {commit}")
    packages = config["spack"].get("packages", {})
    assert re.fullmatch(r"[0-9a-f]{40}", packages.get("commit", "")), "spack-packages must be pinned to a commit"


def test_the_default_view_exists_and_post_install_uses_it():
    config = load("config.yaml")
    views = {name for env in load("environments.yaml").values() for name in (env.get("views") or {})}
    assert config["default-view"] in views
    assert f"{{{{ env.mount }}}}/env/{config['default-view']}" in (RECIPE / "post-install").read_text()


def test_specs_hold_no_compiler_or_mpi():
    # Stackinator adds compilers and MPI itself (deploy-conventions.md 8.2).
    for name, env in load("environments.yaml").items():
        for spec in env["specs"]:
            assert not re.match(r"(gcc|nvhpc|llvm|cray-mpich|openmpi|mpich)\b", spec), f"{name}: {spec}"


def pins():
    lines = [l.split("#")[0].strip() for l in (RECIPE / "requirements.txt").read_text().splitlines()]
    return [Requirement(l) for l in lines if l]


def test_every_requirement_is_pinned_exactly():
    for req in pins():
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{req} is not pinned with =="


def newest_hub_the_repo_runs():
    """The JupyterHub versions scripts/stack/hub-up.sh accepts (its `case` labels, e.g. `5.2)`)."""
    text = (ROOT / "scripts/stack/hub-up.sh").read_text()
    return max((Version(v) for v in re.findall(r"^\s*(\d+\.\d+)\)", text, re.M)), default=None)


def test_jupyterhub_pin_matches_the_hub_the_repo_runs_and_the_plugin_supports():
    (hub,) = [r for r in pins() if r.name == "jupyterhub"]
    pinned = Version(next(iter(hub.specifier)).version)
    newest = newest_hub_the_repo_runs()
    assert newest is not None, "scripts/stack/hub-up.sh names no JupyterHub version"
    # JupyterHub warns on a hub/singleuser major mismatch; keep major.minor equal (8.x notes, 7.4).
    assert (pinned.major, pinned.minor) == (newest.major, newest.minor)
    plugin = re.search(r'"(jupyterhub[^"]*)"', (ROOT / "src/main/python/pyproject.toml").read_text()).group(1)
    assert pinned in Requirement(plugin).specifier


def rendered_post_install(tmp_path):
    """post-install as Stackinator renders it (Jinja, with env.mount = the store)."""
    store = load("config.yaml")["store"]
    text = jinja2.Template((RECIPE / "post-install").read_text(), undefined=jinja2.StrictUndefined).render(
        env={"mount": store, "config": str(tmp_path), "build": str(tmp_path), "spack": str(tmp_path / "spack")})
    out = tmp_path / "post-install-hook"
    out.write_text(text)
    return out, store


def test_post_install_renders_and_passes_shellcheck(tmp_path):
    hook, store = rendered_post_install(tmp_path)
    assert f"{store}/meta/recipe/requirements.txt" in hook.read_text()
    assert (RECIPE / "post-install").stat().st_mode & 0o111, "post-install must be executable"
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck not installed (apt-get install shellcheck)")
    result = subprocess.run(["shellcheck", "-s", "bash", str(hook)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_readme_shows_lines_of_the_checked_example():
    # UenvProfileExampleTest checks examples/hpcspawner-uenv.properties; the README must not drift from it.
    readme = (UENV / "README.md").read_text()
    blocks = re.findall(r"```properties\n(.*?)```", readme, re.S)
    example = set((UENV / "examples/hpcspawner-uenv.properties").read_text().splitlines())
    shown = [l for b in blocks for l in b.splitlines() if l.strip() and not l.startswith("#")]
    assert shown and [l for l in shown if l not in example] == []
