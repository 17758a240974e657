"""Settings come from the environment and refuse junk and unsafe combinations."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.live import ROOT
from tutoring.env import env_bool, env_int, env_list


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import tutoring.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_missing_secret_key_refuses_to_start():
    result = load_settings(DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_runs_with_a_development_key():
    assert load_settings(DEBUG="true").returncode == 0


def test_a_database_url_that_is_not_sqlite_or_postgres_is_refused():
    result = load_settings(DEBUG="true", DATABASE_URL="mysql://root@127.0.0.1/test")

    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_a_boolean_setting_refuses_junk(monkeypatch, value):
    monkeypatch.setenv("SOME_FLAG", value)

    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", default=False)


def test_number_and_list_settings_parse_strictly(monkeypatch):
    monkeypatch.setenv("N", "12")
    monkeypatch.setenv("HOSTS", " a.example , ,b.example ")
    assert env_int("N", default=1) == 12
    assert env_list("HOSTS", default=[]) == ["a.example", "b.example"]
    monkeypatch.setenv("N", "-3")
    with pytest.raises(ImproperlyConfigured):
        env_int("N", default=1)


def test_sqlite_is_configured_for_the_single_writer_rule(settings):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite configuration only")
    options = database["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] > 0
