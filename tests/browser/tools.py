"""Helpers for browser tests: accessibility checks, screenshots, console errors, the server."""

import json
import re
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from tests.live import ROOT, DaphneServer

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts" / "browser"


def axe_violations(
    page: Page, *, impacts: tuple[str, ...] = ("serious", "critical"), **options
) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations of these impacts.

    Each is axe's violation dict (``id``, ``impact``, ``help``, ``helpUrl``, ``nodes`` with
    ``target``, ``html`` and ``failureSummary``). ``options`` go to ``axe.run``, e.g.
    ``runOnly=["wcag2a", "wcag2aa"]``. ``format_violations`` turns them into an assert message.
    """
    if page.evaluate("typeof window.axe") == "undefined":
        # Evaluated through DevTools, which the page's Content-Security-Policy does not
        # govern (it refuses the inline <script> that add_script_tag would insert).
        page.evaluate(_axe_source())
    result = page.evaluate("options => axe.run(document, options)", options)
    return [v for v in result["violations"] if v["impact"] in impacts]


def format_violations(violations: list[dict]) -> str:
    """Return the violations one per line: rule, impact, help and the offending elements."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(json.dumps(node["target"]) for node in v["nodes"])
        for v in violations
    )


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS.relative_to(ROOT)} is missing: run `npm ci` in {ROOT} "
            "(`make test` does), or set SKIP_BROWSER_TESTS=1 to skip the browser tests.",
            pytrace=False,
        )
    return AXE_JS.read_text()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page as artifacts/browser/<name>.png (git-ignored); return its path."""
    path = ARTIFACTS / (re.sub(r"[^\w/.-]+", "_", name) + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret leaves style="" on every input and text area, which
    # htmx then copies onto their replacements, and the page's CSP reports that as an error.
    page.screenshot(path=path, full_page=full_page, caret="initial")
    return path


# --- Console errors ---------------------------------------------------------------------------

_ERRORS_ATTRIBUTE = "_test_console_errors"


def watch_console(context: BrowserContext) -> None:
    """Record the console errors and uncaught exceptions of every page of ``context``."""
    errors: list[str] = []
    setattr(context, _ERRORS_ATTRIBUTE, errors)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            url = message.location.get("url", "")
            errors.append(f"{message.text} ({url})" if url else message.text)

    context.on("console", on_console)
    context.on("weberror", lambda error: errors.append(f"uncaught {error.error}"))


def console_errors(page: Page) -> list[str]:
    """Return the console errors and uncaught exceptions so far in ``page``'s context.

    Failed loads (a 404 stylesheet, a blocked CDN script) appear too: Chromium logs them.
    """
    return list(getattr(page.context, _ERRORS_ATTRIBUTE, []))


# --- The chat page's socket -------------------------------------------------------------------

# Mirrors the socket's life on <html data-test-socket>: "open" once connected, "live" once the
# server has answered the page's resume (so the socket is in its session's group), "closed".
_SOCKET_WATCH = """
(() => {
  const mark = (state) => () => { document.documentElement.dataset.testSocket = state; };
  document.addEventListener('htmx:wsOpen', mark('open'));
  document.addEventListener('htmx:wsAfterMessage', mark('live'));
  document.addEventListener('htmx:wsClose', mark('closed'));
})();
"""


def watch_socket(context: BrowserContext) -> None:
    """Let ``expect_live`` see when each page of ``context`` follows its session live."""
    context.add_init_script(script=_SOCKET_WATCH)


def expect_live(page: Page, *, timeout: float = 10_000) -> None:
    """Wait until the chat page's socket has been answered: later changes will reach it."""
    expect(page.locator("html")).to_have_attribute("data-test-socket", "live", timeout=timeout)


# --- The server -------------------------------------------------------------------------------


class BrowserTestServer(DaphneServer):
    """daphne running tests/browser/asgi.py: the project's application plus ``/static/``.

    ``stop()`` and ``start()`` restart it on the same port (a server restart, as a page sees it).
    """

    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env, application="tests.browser.asgi:application")
