"""Markup a student types is shown as text, in the transcript and the summary, and never runs."""

from playwright.sync_api import Dialog, Page, expect

from tests.browser.steps import (
    SEARCH,
    click_and_expect_step,
    expect_booked,
    expect_step,
    open_chat,
    say,
)
from tests.browser.tools import console_errors, screenshot
from tutoring.models import Booking

HOSTILE = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>'


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    expect(page.locator("#chat img, #chat script")).to_have_count(0)


def test_hostile_text_as_name_and_notes_shows_as_text_and_runs_nothing(page: Page, frozen_clock):
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    open_chat(page)
    say(page, SEARCH)
    say(page, "1")

    refusal = say(page, f"{HOSTILE}, sam@example.com")
    # Markup is no name: it is refused (and shown back as text), then a real one is given.
    expect(refusal).to_contain_text("A name can hold letters")
    expect_step(page, 1)
    for answer in (
        "Sam Lee, sam@example.com",
        "sam@mail.ccsf.edu",
        "skip",
        "no",
        "none",
        "Recursion and loops",
    ):
        say(page, answer)
    expect_step(page, 7)
    page.get_by_label("Notes for the tutor (optional)").fill(HOSTILE)
    click_and_expect_step(page, page.locator("#step-continue"), 8)

    log = page.locator("#chat-log")
    expect(log.locator(".msg-student .msg-text").nth(2)).to_have_text(f"{HOSTILE}, sam@example.com")
    expect(log.locator(".msg-student .msg-text").last).to_have_text(HOSTILE)
    expect(log.locator(".msg-assistant").last).to_contain_text(f"Notes: {HOSTILE}")
    summary = page.locator("#chat-panel .summary")
    expect(summary.locator("dd").last).to_have_text(HOSTILE)
    expect(summary.locator("dd").nth(2)).to_contain_text("Sam Lee")
    screenshot(page, "hostile/summary")
    assert_nothing_ran(page, dialogs)

    say(page, "yes")
    expect_booked(page)
    page.reload()
    expect_booked(page)

    expect(log).to_contain_text(HOSTILE)
    assert_nothing_ran(page, dialogs)
    booking = Booking.objects.get()
    assert booking.additional_notes == HOSTILE
    assert "<" not in booking.student_name
    assert console_errors(page) == []
