"""A message sent while the server is down is kept, resent when it is back, and stored once."""

from playwright.sync_api import Page, expect

from chat.models import ChatMessage
from tests.browser.steps import open_chat
from tests.browser.tools import BrowserTestServer, expect_live, screenshot

TEXT = "python monday 10"


def test_a_message_sent_while_the_server_restarts_arrives_once_when_it_is_back(
    page: Page, live_server: BrowserTestServer, frozen_clock
):
    open_chat(page)
    box = page.locator("#chat-input")
    box.press_sequentially("python ")
    live_server.stop()
    box.press_sequentially("monday 10")
    page.locator("#chat-send").click()

    banner = page.locator("#connection-banner")
    expect(banner).to_contain_text("The server can’t be reached right now.")
    expect(banner).to_be_visible()
    expect(box).to_have_value(TEXT)
    expect(page.locator("html")).to_have_attribute("data-test-socket", "closed")
    screenshot(page, "chat/banner")
    live_server.start()

    # chat.js resends after 1, 2, 4 … s; htmx's socket reconnects with up to 2^n s of jitter.
    expect(page.locator("#msg-2 .msg-text")).to_have_text(TEXT, timeout=30_000)
    expect(page.locator("#msg-3")).to_contain_text("Maya Okafor")
    expect(box).to_have_value("")
    expect_live(page, timeout=30_000)
    expect(banner).to_be_hidden()
    assert ChatMessage.objects.filter(role="user", content=TEXT).count() == 1
    expect(page.locator("#chat-log .msg")).to_have_count(3)
