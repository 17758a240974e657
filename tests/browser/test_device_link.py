"""A device link opens the conversation in another browser after it asks, until "New
conversation" (or revoking the link) ends it — on the other device's open page too."""

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.steps import SEARCH, expect_step, open_chat, say
from tests.browser.tools import axe_violations, console_errors, format_violations, screenshot


def device_link(page: Page) -> str:
    """Make a link on the /device page ("Create a link") and read it: it is shown only then."""
    page.goto("/device")
    page.get_by_role("button", name="Create a link").click()
    expect(page.get_by_role("heading", name="Your new link")).to_be_visible()
    return page.locator("#device-link").input_value()


def open_link(page: Page, link: str) -> None:
    """Follow the link, confirm on the page it shows, and wait for the chat to be live."""
    page.goto(link)
    page.get_by_role("button", name="Yes, I made this link: continue").click()
    open_chat(page, "/")


def test_a_second_device_sees_the_conversation_and_continues_it_live(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    open_chat(page)
    say(page, SEARCH)
    link = device_link(page)
    screenshot(page, "device/new-link")
    open_chat(page)
    phone = new_context(width=390, height=844).new_page()

    open_link(phone, link)

    expect(phone).to_have_url(page.url)
    assert phone.locator("#chat-log").inner_text() == page.locator("#chat-log").inner_text()
    expect(phone.locator("#slot-1")).to_contain_text("Mon Dec 7, 10:00")
    say(phone, "1")
    expect_step(page, 1)
    expect(page.locator("#chat-log .msg-student .msg-text").last).to_have_text("1")
    assert console_errors(phone) == []


def test_after_a_new_conversation_the_old_link_and_the_other_device_lose_it(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    open_chat(page)
    say(page, SEARCH)
    link = device_link(page)
    phone = new_context(width=390, height=844).new_page()
    open_link(phone, link)
    expect(phone.locator("#chat-log")).to_contain_text(SEARCH)
    open_chat(page)

    page.get_by_role("button", name="New conversation").click()

    expect(page.locator("#chat-log .msg")).to_have_count(1)
    # The phone's open page is told at once, without a reload.
    expect(phone.locator("#connection-banner")).to_contain_text(
        "This conversation is no longer available here."
    )
    phone.reload()
    expect(phone.locator("#chat-notice")).to_contain_text("no longer available")
    expect(phone.locator("#chat-log")).not_to_contain_text(SEARCH)
    screenshot(phone, "device/no-longer-available")
    stranger = new_context().new_page()
    response = stranger.goto(link)
    assert response.status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link doesn't work any more")
    expect(stranger.locator("#chat-log")).to_have_count(0)
    expect(stranger.get_by_text(SEARCH)).to_have_count(0)
    screenshot(stranger, "device/link-invalid")
    violations = axe_violations(stranger)
    assert violations == [], format_violations(violations)


def test_revoking_a_link_ends_it_on_the_device_that_opened_it(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    open_chat(page)
    say(page, SEARCH)
    link = device_link(page)
    phone = new_context(width=390, height=844).new_page()
    open_link(phone, link)
    page.goto("/device")
    expect(page.locator(".link-list > li")).to_have_count(1)
    screenshot(page, "device/list")

    page.get_by_role("button", name="Revoke").click()

    expect(page.locator(".link-list > li")).to_have_count(0)
    expect(phone.locator("#connection-banner")).to_contain_text("no longer available")
    phone.reload()
    expect(phone.locator("#chat-log")).not_to_contain_text(SEARCH)
    open_chat(page)
    expect(page.locator("#chat-log")).to_contain_text(SEARCH)  # the owner keeps it
