"""The platform as an installed package: build the wheel, install it, run every process from an empty folder.

The wheel is built (with pip's build isolation, as `pip wheel .` does) from a copy of the tracked sources
without compiled catalogues, so the .mo files in it prove setup.py's build step. It is installed with
`--no-deps` into a fresh venv that sees the project venv's dependencies through a `.pth` line (a plain
path: the project's own editable install is not loaded), because downloading numpy and scipy into every
CI run would cost more than the rest of this test. Every command runs from an empty directory without
PYTHONPATH, so only the installed package can answer: migrations, templates, static files, catalogues and
fonts must all come from the wheel, and nothing may be written into site-packages.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                 reason="packaging does not depend on the database: run once, on SQLite")]


def _tracked_sources(target: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if name.endswith(".mo") or not source.is_file() or name.startswith(("tests/", "bench/")):
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python of a venv holding only the wheel, that venv) ; the wheel is built from a clean copy."""
    base = tmp_path_factory.mktemp("wheel")
    source, dist, env_dir = base / "src", base / "dist", base / "venv"
    _tracked_sources(source)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(source)],
                           capture_output=True, text=True, timeout=300, env=_env())
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("mayors_in_action-*.whl")
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "zz_project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True, timeout=300, env=_env())
    assert done.returncode == 0, done.stderr[-3000:]
    return python, env_dir, purelib, wheel


def _env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FLASK_", "MIA_")) and key not in {"PYTHONPATH", "DATABASE_URL"}}
    env.update(extra)
    return env


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def _get(url: str, language: str = "en") -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read().decode()


def test_wheel_holds_everything_read_at_run_time(installed):
    import zipfile

    names = set(zipfile.ZipFile(installed[3]).namelist())
    assert "app/templates/base.html" in names and "app/static/css/app.css" in names
    assert "app/migrations/env.py" in names and "app/migrations/alembic.ini" in names
    assert "app/migrations/versions/0001_foundation.py" in names
    assert "app/courses/fonts/DejaVuSans.ttf" in names and "app/courses/fonts/DejaVuSans-Bold.ttf" in names
    catalogues = {n for n in names if n.endswith("/LC_MESSAGES/messages.mo")}
    sources = {str(p.relative_to(ROOT).with_suffix(".mo")) for p in (ROOT / "app").rglob("LC_MESSAGES/messages.po")}
    assert catalogues == sources  # compiled at build time, every catalogue
    assert not any(n.startswith(("tests/", "instance/")) for n in names)


def test_installed_wheel_runs_from_an_empty_directory(installed, tmp_path):
    python, env_dir, purelib, _wheel = installed
    package = purelib / "app"
    before = _files(package)
    work = tmp_path / "empty"
    work.mkdir()
    env = _env()
    flask = [str(python), "-m", "flask", "--app", "app"]

    def run(*args: str) -> str:
        done = subprocess.run([*flask, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done.stdout

    run("db", "upgrade")
    instance = env_dir / "var" / "app-instance"  # Flask's instance folder for an installed package
    assert (instance / "mayors.sqlite").exists() and (instance / "secret_key").exists()
    assert "Demo data loaded" in run("demo", "load")  # into an empty database only: first
    run("users", "create", "admin@example.org", "--name", "Admin", "--password", "a long passphrase 42",
        "--role", "admin", "--country", "BE")

    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    web = subprocess.Popen([str(python), "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                            "--no-control-socket", "app:create_app()"], cwd=work, env=env, stdout=log,
                           stderr=subprocess.STDOUT)
    scheduler_log = (tmp_path / "scheduler.log").open("w+")
    scheduler = subprocess.Popen([*flask, "scheduler", "run"], cwd=work, env=env, stdout=scheduler_log,
                                 stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert web.poll() is None, log.seek(0) or log.read()[-3000:]
            try:
                if _get(url + "/healthz")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.3)
        status, _type, english = _get(url + "/")
        assert status == 200 and "Find a training" in english
        _status, _type, dutch = _get(url + "/", "nl")
        assert "Een training zoeken" in dutch  # the core catalogue
        _status, _type, dutch_courses = _get(url + "/courses/", "nl")
        assert "Trainingen zoeken" in dutch_courses  # a feature's catalogue
        status, content_type, css = _get(url + "/static/css/app.css")
        assert status == 200 and content_type.startswith("text/css") and css.strip()
        bootstrap = next(part.split('"')[0] for part in english.split('href="')[1:] if "bootstrap" in part
                         and part.split('"')[0].endswith(".css"))
        assert _get(url + bootstrap)[0] == 200  # Bootstrap served locally, never a CDN

        deadline = time.monotonic() + 90
        while "job deliver_outbox done" not in (scheduler_log.seek(0) or scheduler_log.read()):
            assert scheduler.poll() is None, scheduler_log.read()[-3000:]
            assert time.monotonic() < deadline, scheduler_log.read()[-3000:]
            time.sleep(0.3)
    finally:
        for process in (scheduler, web):
            process.send_signal(signal.SIGTERM)
        for process in (scheduler, web):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        scheduler_log.close()
    assert scheduler.returncode == 0
    assert _files(package) == before  # nothing written into site-packages


def test_certificate_fonts_come_from_the_package():
    from app.courses import certificates

    regular, bold = certificates._font_files()
    assert regular.is_relative_to(ROOT / "app") and bold.name == "DejaVuSans-Bold.ttf"
