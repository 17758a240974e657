"""Mail settings come from the environment; with DEBUG off, mail never goes to the log.

The console backend prints whole emails (the student's name and addresses, the booking's
cancel link) to standard error, which production collects as the log, so with DEBUG off it
is refused at start-up and SMTP is the default.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.live import ROOT

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"
MAIL_VARIABLES = {
    "DEBUG",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
}
# Prints what Django's mail connection would use, without connecting anywhere.
SHOW_CONNECTION = """
import django, json
django.setup()
from django.conf import settings
from django.core.mail import get_connection
c = get_connection()
print(json.dumps({
    "backend": settings.EMAIL_BACKEND, "from": settings.DEFAULT_FROM_EMAIL,
    "class": f"{type(c).__module__}.{type(c).__name__}",
    **{k: getattr(c, k, None) for k in
       ("host", "port", "username", "password", "use_tls", "use_ssl", "timeout")},
}))
"""


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in MAIL_VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", SHOW_CONNECTION],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "tutoring.settings",
            "SECRET_KEY": "test-only-secret-key-not-for-production",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def connection_with(**env: str) -> dict:
    result = start(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_debug_off_the_console_backend_is_refused_at_start_up():
    result = start(DEBUG="false", EMAIL_BACKEND=CONSOLE)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_BACKEND" in result.stderr
    assert "EMAIL_HOST" in result.stderr


def test_with_debug_off_mail_goes_by_smtp_with_a_short_timeout_by_default():
    used = connection_with(DEBUG="false")

    assert used["backend"] == SMTP
    assert used["class"] == SMTP
    assert (used["host"], used["port"], used["timeout"]) == ("localhost", 25, 10)


def test_with_debug_on_the_console_backend_is_the_default():
    assert connection_with(DEBUG="true")["backend"] == CONSOLE


def test_every_mail_setting_comes_from_the_environment():
    used = connection_with(
        DEBUG="false",
        EMAIL_HOST="smtp.example.edu",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="tutoring",
        EMAIL_HOST_PASSWORD="not-a-real-password",
        EMAIL_USE_TLS="true",
        EMAIL_TIMEOUT="3",
        DEFAULT_FROM_EMAIL="Tutoring <help@example.edu>",
    )

    assert used == {
        "backend": SMTP,
        "from": "Tutoring <help@example.edu>",
        "class": SMTP,
        "host": "smtp.example.edu",
        "port": 587,
        "username": "tutoring",
        "password": "not-a-real-password",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 3,
    }


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT='smtp' is not a whole number"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT=70000 is not a port"),
        ({"EMAIL_USE_TLS": "sometimes"}, "EMAIL_USE_TLS='sometimes' is not a boolean"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "exclude each other"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT must be at least 1"),
    ],
)
def test_junk_mail_settings_are_refused_at_start_up(env, named):
    result = start(DEBUG="false", **env)

    assert result.returncode != 0
    assert named in result.stderr
