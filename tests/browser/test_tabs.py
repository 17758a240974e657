"""Two tabs of one browser show one conversation: a message sent in one appears in the other."""

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.steps import SEARCH, expect_sent, highest_seq, open_chat
from tests.browser.tools import console_errors

# A change reaches the other tab this soon after the sending tab's POST is answered.
LIVE_MS = 1000


def send(page: Page, text: str) -> None:
    """Type ``text`` and send it; return once the server has answered the POST."""
    page.locator("#chat-input").fill(text)
    with page.expect_response(lambda r: r.url.endswith("/say") and r.request.method == "POST"):
        page.locator("#chat-send").click()


def message_ids(page: Page) -> list[str]:
    return page.locator("#chat-log .msg").evaluate_all("els => els.map(el => el.id)")


def test_a_message_sent_in_one_tab_appears_in_the_other_within_a_second(
    context: BrowserContext, frozen_clock
):
    first, second = context.new_page(), context.new_page()
    open_chat(first)
    open_chat(second)
    seq = highest_seq(first)

    send(first, SEARCH)

    expect(second.locator(f"#msg-{seq + 1} .msg-text")).to_have_text(SEARCH, timeout=LIVE_MS)
    expect(second.locator(f"#msg-{seq + 2}")).to_contain_text("Maya Okafor", timeout=LIVE_MS)
    expect(second.locator("#slot-1")).to_be_visible(timeout=LIVE_MS)


def test_both_tabs_can_talk_and_neither_shows_a_message_twice(
    context: BrowserContext, frozen_clock
):
    first, second = context.new_page(), context.new_page()
    open_chat(first)
    open_chat(second)

    send(first, SEARCH)
    expect(second.locator("#msg-3")).to_be_visible(timeout=LIVE_MS)
    expect_sent(first)
    send(second, "other tutors")
    expect(first.locator("#msg-4 .msg-text")).to_have_text("other tutors", timeout=LIVE_MS)
    expect(first.locator("#msg-5")).to_be_visible(timeout=LIVE_MS)
    expect_sent(second)

    expected = [f"msg-{seq}" for seq in range(1, 6)]
    for tab in (first, second):
        expect(tab.locator("#chat-panel-title")).to_have_text("Other tutors who can help")
        assert message_ids(tab) == expected
    assert first.locator("#chat-log").inner_text() == second.locator("#chat-log").inner_text()
    assert console_errors(first) == []
