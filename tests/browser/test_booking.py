"""A whole booking in the browser: once by typing every answer, once by clicking the panel.

Both end with the confirmation card (the .ics and cancel links) and exactly one Booking row
holding the answers given.
"""

import datetime

from playwright.sync_api import Page, expect

from tests.browser.steps import (
    SEARCH,
    click_and_expect_step,
    expect_booked,
    expect_step,
    open_chat,
    say,
    type_to_confirm,
)
from tests.browser.tools import console_errors, screenshot
from tutoring.models import Booking

MONDAY_10AM = datetime.datetime(2026, 12, 7, 18, 0, tzinfo=datetime.UTC)


def assert_one_booking_of_sam(page: Page) -> None:
    """Assert the database holds Sam's booking, and the card links to it."""
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.start == MONDAY_10AM
    assert (booking.student_name, booking.student_email) == ("Sam Lee", "sam@example.com")
    assert booking.college_email == "sam@mail.ccsf.edu"
    assert booking.student_id == "W1234567"
    assert booking.allow_other_students is True
    assert booking.classes == ["CS 110A"]
    assert booking.specific_help == "Recursion and loops"
    assert booking.additional_notes == ""
    expect(page.locator("#booking-ics")).to_have_attribute("href", booking.ics_path)
    expect(page.locator("#booking-cancel")).to_have_attribute("href", booking.cancel_path)


def test_a_student_books_a_session_by_typing_every_answer(page: Page, frozen_clock, live_server):
    open_chat(page)
    type_to_confirm(page)
    summary = page.locator("#chat-panel .summary")
    expect(summary).to_contain_text("Sam Lee (sam@example.com)")
    expect(summary).to_contain_text("Recursion and loops")

    reply = say(page, "yes")

    expect(reply).to_contain_text("You're booked!")
    expect_booked(page)
    assert_one_booking_of_sam(page)
    assert console_errors(page) == []
    # DEBUG is off: the confirmation went to the mail backend (files here), not into the log.
    assert "Subject: Booked: " in live_server.emails()
    assert "sam@example.com" not in live_server.output()


def test_a_student_books_a_session_by_clicking_the_panel(page: Page, frozen_clock):
    open_chat(page)
    screenshot(page, "chat/greeting")
    say(page, SEARCH)
    panel = page.locator("#chat-panel")
    expect(panel.locator("#slot-1")).to_contain_text("Mon Dec 7, 10:00")
    screenshot(page, "chat/offer")

    click_and_expect_step(page, panel.locator("#slot-1"), 1)
    panel.get_by_label("Your name").fill("Sam Lee")
    panel.get_by_label("Personal email").fill("sam@example.com")
    screenshot(page, "chat/step-name-email")
    click_and_expect_step(page, panel.locator("#step-continue"), 2)
    panel.get_by_label("College email").fill("sam@mail.ccsf.edu")
    click_and_expect_step(page, panel.locator("#step-continue"), 3)
    panel.get_by_label("Student ID (optional)").fill("W1234567")
    click_and_expect_step(page, panel.locator("#step-continue"), 4)
    screenshot(page, "chat/step-allow-others")
    click_and_expect_step(page, panel.locator("#answer-yes"), 5)
    panel.get_by_role("checkbox", name="CS 110A").check()
    screenshot(page, "chat/step-classes")
    click_and_expect_step(page, panel.locator("#step-continue"), 6)
    panel.get_by_label("What would you like help with?").fill("Recursion and loops")
    screenshot(page, "chat/step-specific-help")
    click_and_expect_step(page, panel.locator("#step-continue"), 7)
    click_and_expect_step(page, panel.locator("#step-skip"), 8)
    expect(panel.locator(".summary")).to_contain_text("Sam Lee (sam@example.com)")
    screenshot(page, "chat/summary")

    panel.get_by_role("button", name="Yes, book it").click()

    expect_booked(page)
    screenshot(page, "chat/booked")
    assert_one_booking_of_sam(page)
    assert console_errors(page) == []


def test_a_typed_answer_and_a_click_are_the_same_turn(page: Page, frozen_clock):
    open_chat(page)
    say(page, SEARCH)
    say(page, "1")
    expect_step(page, 1)

    page.locator("#chat-panel #panel-name").fill("Sam Lee")
    page.locator("#chat-panel #panel-email").fill("sam@example.com")
    page.locator("#chat-panel #step-continue").click()

    expect_step(page, 2)
    said = page.locator("#chat-log .msg-student .msg-text").last
    expect(said).to_have_text("Sam Lee, sam@example.com")
