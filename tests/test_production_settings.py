"""Production settings: the deploy check passes, security headers and CSP are sent."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.live import ROOT


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_SSL_REDIRECT"}}
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "tutoring.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "tutoring.example.edu",
        **extra,
    }


def test_the_deploy_check_passes_with_no_warnings_when_debug_is_off():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults_are_secure():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_that_allows_only_the_app_itself(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_chat_page_has_no_inline_script_or_style(client):
    html = client.get("/").content.decode()

    assert "<script>" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def test_static_files_are_served_by_whitenoise(client):
    response = client.get("/static/chat/chat.css")

    assert response.status_code == 200
    assert b"".join(response.streaming_content)
