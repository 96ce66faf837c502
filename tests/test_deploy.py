"""Deployment: gunicorn.conf.py reads the environment, and a real gunicorn started with it serves
the app on a migrated database; the systemd units run what the Procfile runs."""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "gunicorn.conf.py"
SETTINGS = ("WEB_CONCURRENCY", "GUNICORN_THREADS", "BIND", "HOST", "PORT", "SSL_CERTFILE", "SSL_KEYFILE",
            "FORWARDED_ALLOW_IPS", "GUNICORN_TIMEOUT")


def _settings(monkeypatch, **env) -> dict:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_are_sized_from_the_machine(monkeypatch):
    settings = _settings(monkeypatch)
    assert settings["workers"] == max(2, multiprocessing.cpu_count())
    assert settings["threads"] == 4
    assert settings["worker_class"] == "gthread"
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["accesslog"] == "-"
    assert settings["forwarded_allow_ips"] == "127.0.0.1"
    assert settings["certfile"] is None and settings["keyfile"] is None


def test_environment_overrides(monkeypatch):
    settings = _settings(monkeypatch, WEB_CONCURRENCY="7", GUNICORN_THREADS="3", PORT="9123",
                         SSL_CERTFILE="/etc/tls/cert.pem", SSL_KEYFILE="/etc/tls/key.pem")
    assert (settings["workers"], settings["threads"]) == (7, 3)
    assert settings["bind"] == ["127.0.0.1:9123"]
    assert (settings["certfile"], settings["keyfile"]) == ("/etc/tls/cert.pem", "/etc/tls/key.pem")
    assert _settings(monkeypatch, PORT="9123", BIND="unix:/run/workshop.sock")["bind"] == \
        ["unix:/run/workshop.sock"]
    assert _settings(monkeypatch, HOST="0.0.0.0", PORT="5000")["bind"] == ["0.0.0.0:5000"]


@pytest.mark.parametrize("env", [{"SSL_CERTFILE": "/etc/tls/cert.pem"}, {"WEB_CONCURRENCY": "0"}])
def test_inconsistent_settings_are_refused(monkeypatch, env):
    with pytest.raises(ValueError):
        _settings(monkeypatch, **env)


def test_config_imports_nothing_from_the_app():
    source = CONFIG.read_text()
    assert not re.search(r"^\s*(from|import)\s+(workshop|wsgi)\b", source, re.MULTILINE)


def test_systemd_units_run_the_procfile_commands():
    processes = dict(line.split(": ", 1) for line in (REPO / "Procfile").read_text().splitlines() if line)
    assert set(processes) == {"web", "outbox"}
    for name, unit in (("web", "workshop-web.service"), ("outbox", "workshop-outbox.service")):
        text = (REPO / "deploy" / unit).read_text()
        command = re.search(r"^ExecStart=\S*/\.venv/bin/(.+)$", text, re.MULTILINE).group(1)
        assert command == processes[name]
        assert "EnvironmentFile=/etc/workshop/workshop.env" in text
    example = (REPO / "deploy" / "workshop.env.example").read_text()
    for name in ("DATABASE_URL=postgresql+psycopg://", "SECRET_KEY=", "REDIS_URL=", "BASE_URL=https://",
                 "MAIL_SERVER=", "SESSION_COOKIE_SECURE=1"):
        assert name in example


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


@pytest.mark.slow
def test_gunicorn_serves_the_app_with_this_config(tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'workshop.db'}", "SECRET_KEY": "deploy-test",
           "PORT": str(port), "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "2", "PYTHONUNBUFFERED": "1"}
    for name in ("BIND", "HOST", "SSL_CERTFILE", "SSL_KEYFILE", "REDIS_URL"):
        env.pop(name, None)
    migrated = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=120, check=False)
    assert migrated.returncode == 0, migrated.stderr[-2000:]

    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(CONFIG)], cwd=REPO, env=env,
                                  stdout=stdout, stderr=stderr, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        ready = None
        while ready is None and time.monotonic() < deadline:
            assert server.poll() is None, err.read_text()[-2000:]
            try:
                ready = _get(f"{base}/readyz")
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        assert ready == (200, {"status": "ok"}), err.read_text()[-2000:]
        assert _get(f"{base}/healthz") == (200, {"status": "ok"})
        # Links whose secret must not reach the access log.
        for path in ("/i/linksecret111/questions", "/screen/screensecret222/feed",
                     "/healthz?token=querysecret333"):
            _get(base + path)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the session this test started, nothing else
            server.wait(timeout=5)
    assert server.returncode == 0
    log = out.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in log  # access log on stdout
    assert '"GET /i/***/questions HTTP/1.1" 404' in log
    assert '"GET /screen/***/feed HTTP/1.1" 404' in log and "/healthz?token=***" in log
    assert "secret" not in log
    assert err.read_text().count("Booting worker") == 2


def test_the_served_app_is_kept_out_of_the_collectors_walk(tmp_path):
    """wsgi.py freezes what the app's start made: a full collection in a worker then walks only
    what requests make (the summary's CPU went down by a tenth)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'workshop.db'}", "SECRET_KEY": "gc-test"}
    probe = subprocess.run([sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert int(probe.stdout.strip()) > 50_000
