"""Real-browser tests: Debian's headless Chromium, driven by Playwright, against real daphne.

Fixtures (tests/browser/README.md has a worked example):

- ``browser``: one headless Chromium for all of tests/browser.
- ``live_server``: daphne on a free port serving the test database with the demo roster
  loaded and ``/static/`` served; ``live_server.url`` is its address. Extra environment for
  it comes from the ``live_server_env`` fixture (override it in a module).
- ``new_context(width=1280, height=900, **options)``: a new browser context (own cookies and
  storage) whose relative URLs go to ``live_server``; it reaches no address but loopback.
- ``context`` and ``page``: one 1280×900 context and a page in it; ``narrow_page`` is 320 px.

A test that also requests ``frozen_clock`` (tests/conftest.py) runs the test process, the
daphne process and the browser from the same moment: time_machine here (stopped), the
``TEST_SERVER_NOW`` variable there (tests/browser/asgi.py; ticking from that moment), and
Playwright's ``clock.install`` in the browser (ticking too).
"""

import datetime
import importlib
import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.tools import BrowserTestServer, screenshot, watch_console, watch_socket
from tutoring.models import CenterFact

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # Chromium refuses to run as root without it, and CI runs as root.
    "--disable-gpu",
    # Without these Chromium keeps calling Google's hosts, which this network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Only loopback names resolve: a page can never reach a real host (a CDN, say).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
# Every URL that is not http(s) or ws(s) on 127.0.0.1 or localhost; data: and blob: pass.
NOT_LOOPBACK = re.compile(
    r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?/)(?!data:|blob:)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in tests/browser ``browser``; skip them when SKIP_BROWSER_TESTS=1."""
    here = Path(__file__).parent
    skip = os.environ.get("SKIP_BROWSER_TESTS") == "1"
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
        if skip and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason="SKIP_BROWSER_TESTS=1 is set"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so ``page`` can screenshot a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _sync_orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let these tests use the ORM while Playwright's sync API is running.

    That API keeps an event loop running in the main thread (in a greenlet), so Django takes
    the tests' plain sync ORM calls for calls from async code and refuses them.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="package")
def browser(django_db_setup) -> Iterator[Browser]:
    """One headless Chromium (Debian's) for tests/browser; a clear failure when it is missing.

    Package-scoped, and started after the test database exists: while Playwright's sync API
    runs, Django refuses ORM calls made outside ``_sync_orm_beside_playwright``.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}, and the browser tests need it. Install "
            "it as root with `apt-get update && apt-get install -y chromium` (.ci/run does "
            "this in CI), point CHROMIUM_PATH at another Chromium, or export "
            "SKIP_BROWSER_TESTS=1 to skip the browser tests.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server_env() -> dict[str, str]:
    """Extra environment for the ``live_server`` process (override it in a test module)."""
    return {}


def restore_center_facts() -> None:
    """Write the center facts the data migration writes (the flush between tests drops them)."""
    defaults = importlib.import_module("tutoring.migrations.0006_center_fact_defaults")
    for key, label, text in defaults.DEFAULTS:
        CenterFact.objects.get_or_create(key=key, defaults={"label": label, "text": text})


@pytest.fixture
def live_server(
    request: pytest.FixtureRequest, transactional_db, live_server_env: dict[str, str]
) -> Iterator[BrowserTestServer]:
    """daphne on a free port, serving the test database with the demo roster loaded.

    DEBUG is false, as in production; tests/browser/asgi.py serves ``/static/``.
    """
    call_command("seed_demo", stdout=io.StringIO())
    restore_center_facts()  # a transactional test starts from an emptied database
    env = {"DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost", **live_server_env}
    if (now := _frozen_now(request)) is not None:
        env["TEST_SERVER_NOW"] = now.isoformat()
    server = BrowserTestServer(env=env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        # Printed at teardown: pytest shows it with the report of a failed test.
        print(f"--- daphne output ---\n{server.output()}")
        server.remove_files()


@pytest.fixture(autouse=True)
def _live_server_helper() -> None:
    """Switch off pytest-django's helper for its own ``live_server``, which ours replaces.

    Its autouse fixture of this name reaches into pytest-django's server object whenever a
    test uses a fixture called ``live_server``.
    """


def _frozen_now(request: pytest.FixtureRequest) -> datetime.datetime | None:
    if "frozen_clock" not in request.fixturenames:
        return None
    return request.getfixturevalue("frozen_clock")


@pytest.fixture
def new_context(
    request: pytest.FixtureRequest, browser: Browser, live_server: BrowserTestServer
) -> Iterator[Callable[..., BrowserContext]]:
    """Return ``make(width=1280, height=900, **options)``, making contexts on live_server."""
    contexts: list[BrowserContext] = []
    now = _frozen_now(request)

    def make(*, width: int = 1280, height: int = 900, **options) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}, **options
        )
        context.set_default_timeout(10_000)
        # Anything but this machine fails at once (and shows up as a console error).
        context.route(NOT_LOOPBACK, lambda route: route.abort("blockedbyclient"))
        watch_console(context)
        watch_socket(context)
        if now is not None:
            context.clock.install(time=now)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A new 1280×900 context."""
    return new_context(width=1280, height=900)


@pytest.fixture
def page(request: pytest.FixtureRequest, context: BrowserContext) -> Iterator[Page]:
    """A page in ``context``; when the test fails, a screenshot in artifacts/browser/failed/."""
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        screenshot(page, f"failed/{request.node.name}")


@pytest.fixture
def narrow_page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page 320 px wide (the narrowest phone the pages must fit), in its own context."""
    return new_context(width=320, height=640).new_page()
