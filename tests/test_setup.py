"""Configuration, the secret key, the SQLite settings and `portal init`."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime

from sqlalchemy import text

from portal import create_app
from portal.config import instance_secret
from portal.db import make_engine


def test_secret_key_is_generated_private_and_stable(tmp_path):
    path = tmp_path / "secret_key"
    first = instance_secret(path)
    assert len(first) >= 40
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert instance_secret(path) == first


def test_settings_come_from_portal_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("PORTAL_PROXY_FIX_HOPS", "1")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["DATABASE_URL"].endswith("env.sqlite3")
    assert app.config["PROXY_FIX_HOPS"] == 1
    assert app.config["SESSION_COOKIE_SECURE"] is True  # Secure outside development
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    app.extensions["db_engine"].dispose()


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    engine.dispose()


def test_portal_init_twice_is_harmless(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'init.sqlite3'}")
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["portal", "init"])
        assert result.exit_code == 0, result.output
        assert "latest version" in result.output


def test_times_are_shown_in_shanghai(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        rendered = app.jinja_env.from_string("{{ moment|datetime('short') }}").render(
            moment=datetime(2026, 11, 29, 1, 30, tzinfo=UTC))
    assert "9:30" in rendered
