"""Production settings: the deploy check passes, security headers and CSP are sent."""

import os
import secrets
import subprocess
import sys

import httpx
import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from tests.live import ROOT, daphne
from tutoring.asgi import application


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


# --- the production surface (issue 8, finding 10) --------------------------------------------
#
# The API and /health are served by their own handler (tutoring/handlers.py), which Django's
# test client bypasses: these tests send requests through ``tutoring.asgi.application``.


def through_asgi(
    method: str, path: str, *, headers: dict | None = None, content: bytes = b""
) -> httpx.Response:
    """Send one request through the project's ASGI application, as daphne would."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=application, client=("198.51.100.4", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.request(method, path, headers=headers, content=content)

    return async_to_sync(send)()


def settings_in_production(code: str, **env: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings as s; {code}",
        ],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_api_docs_are_off_in_production_unless_asked_for():
    assert settings_in_production("print(s.API_DOCS)") == "False"
    assert settings_in_production("print(s.API_DOCS)", API_DOCS="true") == "True"
    assert settings_in_production("print(s.API_DOCS)", DEBUG="true") == "True"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_the_api_docs_and_description_are_not_served_when_off(settings, path):
    settings.API_DOCS = False

    response = through_asgi("GET", path)

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.django_db
def test_the_api_docs_when_on_cannot_be_framed_and_run_only_the_apps_own_scripts(settings):
    settings.API_DOCS = True

    response = through_asgi("GET", "/api/docs")

    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text


API_RESPONSES = [
    ("GET", "/health", 200),
    ("GET", "/api/tutors", 200),
    ("POST", "/api/chat/sessions", 201),
    ("GET", f"/api/chat/session/{'A' * 32}", 404),
    ("POST", "/api/match", 400),  # no body
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("method", "path", "status"), API_RESPONSES)
def test_api_and_health_answers_carry_security_headers_and_are_never_stored(method, path, status):
    response = through_asgi(method, path, headers={"Content-Type": "application/json"})

    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert (
        response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


@pytest.mark.django_db
def test_api_answers_over_https_carry_hsts():
    response = through_asgi("GET", "/health", headers={"X-Forwarded-Proto": "https"})

    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


# --- bodies no form takes ------------------------------------------------------------------

MULTIPART = "multipart/form-data; boundary=x"
FORMS = ["/say", "/new", "/admin/login/", "/bookings/7d1c3d7c-1b8f-4d63-9bb5-8d6c7e0c9a11/cancel"]


def multipart(size: int) -> bytes:
    head = b'--x\r\nContent-Disposition: form-data; name="text"; filename="a.bin"\r\n\r\n'
    return head + b"\0" * size + b"\r\n--x--\r\n"


@pytest.mark.parametrize("path", FORMS)
def test_a_file_upload_is_refused_on_every_form(path):
    response = through_asgi(
        "POST", path, headers={"Content-Type": MULTIPART}, content=multipart(100)
    )

    assert response.status_code == 415
    assert "takes no files" in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_file_upload_to_the_api_is_refused_as_json():
    response = through_asgi(
        "POST", "/api/chat/sessions", headers={"Content-Type": MULTIPART}, content=multipart(100)
    )

    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


async def first_answer(scope_headers: list, chunks: list[bytes]) -> tuple[int, int]:
    """POST /say with these headers, offering the body chunk by chunk.

    Return the answer's status and how many chunks the app had asked for by then.
    """
    communicator = ApplicationCommunicator(
        application,
        {
            "type": "http",
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/say",
            "raw_path": b"/say",
            "query_string": b"",
            "headers": [(b"host", b"testserver"), *scope_headers],
            "client": ("198.51.100.4", 50000),
            "server": ("testserver", 80),
        },
    )
    for n, chunk in enumerate(chunks):
        await communicator.send_input(
            {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        )
    start = await communicator.receive_output(timeout=5)
    unread = communicator.input_queue.qsize()
    await communicator.wait(timeout=5)
    return start["status"], len(chunks) - unread


def test_a_20_mb_upload_to_say_is_refused_without_reading_it():
    chunk = b"\0" * (1024 * 1024)
    headers = [
        (b"content-type", MULTIPART.encode()),
        (b"content-length", str(20 * len(chunk)).encode()),
    ]

    status, read = async_to_sync(first_answer)(headers, [chunk] * 20)

    assert status == 413
    assert read == 0


def test_a_large_body_without_a_length_is_cut_off_once_over_the_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    chunk = b"a" * (16 * 1024)
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]

    status, read = async_to_sync(first_answer)(headers, [chunk] * 100)

    assert status == 413
    assert read == 5  # 80 KiB: the first chunks that passed 64 KiB, not the 1.6 MB


# --- production mode, served by daphne --------------------------------------------------------


@pytest.mark.live_server
def test_in_production_plain_http_api_calls_are_redirected_and_uploads_refused(transactional_db):
    with daphne(env={"SECURE_SSL_REDIRECT": "true"}) as server:
        api_get = httpx.get(f"{server.url}/api/tutors", timeout=10)
        api_post = httpx.post(f"{server.url}/api/chat/sessions", timeout=10)
        over_https = httpx.get(
            f"{server.url}/api/tutors", headers={"X-Forwarded-Proto": "https"}, timeout=10
        )
        health = httpx.get(f"{server.url}/health", timeout=10)
        upload = httpx.post(
            f"{server.url}/say",
            files={"text": ("big.bin", b"\0" * (20 * 1024 * 1024))},
            headers={"X-Forwarded-Proto": "https"},
            timeout=60,
        )

    for redirected, path in ((api_get, "/api/tutors"), (api_post, "/api/chat/sessions")):
        assert redirected.status_code == 301
        assert redirected.headers["Location"] == f"https://127.0.0.1:{server.port}{path}"
    assert over_https.status_code == 200
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=")
    assert health.status_code == 200  # load balancers check workers over plain HTTP
    assert upload.status_code == 413
