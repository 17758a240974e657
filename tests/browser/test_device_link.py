"""A device link opens the conversation in another browser, until "New conversation" ends it."""

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.steps import SEARCH, expect_step, open_chat, say
from tests.browser.tools import axe_violations, format_violations, screenshot


def device_link(page: Page) -> str:
    """Read the link to this browser's conversation from the /device page."""
    page.goto("/device")
    return page.locator("#device-link").input_value()


def test_a_second_device_sees_the_conversation_and_continues_it_live(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    open_chat(page)
    say(page, SEARCH)
    link = device_link(page)
    open_chat(page)
    phone = new_context(width=390, height=844).new_page()

    open_chat(phone, link)

    expect(phone).to_have_url(page.url)
    assert phone.locator("#chat-log").inner_text() == page.locator("#chat-log").inner_text()
    expect(phone.locator("#slot-1")).to_contain_text("Mon Dec 7, 10:00")
    say(phone, "1")
    expect_step(page, 1)
    expect(page.locator("#chat-log .msg-student .msg-text").last).to_have_text("1")


def test_after_a_new_conversation_the_old_link_no_longer_works(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    open_chat(page)
    say(page, SEARCH)
    link = device_link(page)
    phone = new_context(width=390, height=844).new_page()
    open_chat(phone, link)
    expect(phone.locator("#chat-log")).to_contain_text(SEARCH)
    open_chat(page)

    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#chat-log .msg")).to_have_count(1)
    stranger = new_context().new_page()
    response = stranger.goto(link)

    assert response.status == 404
    phone.reload()  # a device the link already opened keeps the conversation
    expect(phone.locator("#chat-log")).to_contain_text(SEARCH)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link doesn't work any more")
    expect(stranger.locator("#chat-log")).to_have_count(0)
    expect(stranger.get_by_text(SEARCH)).to_have_count(0)
    screenshot(stranger, "device/link-invalid")
    violations = axe_violations(stranger)
    assert violations == [], format_violations(violations)
