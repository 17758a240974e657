"""Start a real daphne process against the test database, for tests that need a server."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """Return a DATABASE_URL naming the database this test run uses."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


class DaphneServer:
    """One daphne process; ``start``/``stop``/``kill`` can be called repeatedly.

    Every ``start`` listens on the same port, so clients can reconnect after a restart.
    ``application`` is the ASGI application's import path (``module:attribute``).
    """

    def __init__(
        self,
        *,
        env: dict[str, str] | None = None,
        port: int | None = None,
        application: str = "tutoring.asgi:application",
    ) -> None:
        self.port = port or free_port()
        self.application = application
        self.url = f"http://127.0.0.1:{self.port}"
        # DEBUG is off, so the console mail backend is refused: emails go to files here.
        self.mail_dir = Path(tempfile.mkdtemp(prefix="daphne-mail-"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tutoring.settings",
            "SECRET_KEY": "test-only-secret-key-not-for-production",
            "DEBUG": "false",
            # Test servers speak plain HTTP on 127.0.0.1; production redirects to HTTPS.
            "SECURE_SSL_REDIRECT": "false",
            # Load and concurrency tests send far more than a person; tests/test_rate_limits.py
            # turns the limits on where they are the subject.
            "RATELIMIT_ENABLE": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": test_database_url(),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            **(env or {}),
        }
        self.log = tempfile.NamedTemporaryFile(prefix="daphne-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def start(self, *, wait_healthy: bool = True) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-v",
                "0",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                self.application,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_listening(require_healthy=wait_healthy)
        except BaseException:
            self.kill()
            raise

    def _wait_until_listening(self, *, require_healthy: bool) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited early:\n{self.output()}")
            try:
                response = httpx.get(f"{self.url}/health", timeout=15)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if response.status_code == 200 or not require_healthy:
                return
            time.sleep(0.1)
        raise RuntimeError(f"daphne did not come up:\n{self.output()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def emails(self) -> str:
        """Return every email the server has sent, as written by the file-based backend."""
        return "".join(path.read_text() for path in sorted(self.mail_dir.glob("*.log")))

    def remove_files(self) -> None:
        """Delete the server's log and mail files (once it has stopped)."""
        Path(self.log.name).unlink(missing_ok=True)
        shutil.rmtree(self.mail_dir, ignore_errors=True)


@contextmanager
def daphne(
    *, env: dict[str, str] | None = None, wait_healthy: bool = True
) -> Iterator[DaphneServer]:
    server = DaphneServer(env=env)
    server.start(wait_healthy=wait_healthy)
    try:
        yield server
    finally:
        server.stop()
        server.remove_files()
