"""The pages pass axe-core (no serious or critical violations) at 1280 and 320 px, fit a 320 px
screen without scrolling sideways, and a booking can be made with the keyboard alone."""

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.steps import SEARCH, TYPED_ANSWERS, expect_booked, expect_step, open_chat, say
from tests.browser.tools import axe_violations, console_errors, format_violations, screenshot
from tutoring.models import Booking

NARROW = 320


@pytest.fixture(params=[1280, NARROW], ids=["1280px", "320px"])
def sized_page(request: pytest.FixtureRequest, new_context: Callable[..., BrowserContext]) -> Page:
    width = request.param
    return new_context(width=width, height=900 if width > NARROW else 640).new_page()


class Audit:
    """Scan a page in several states; remember each state's violations and overflow."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.width = page.viewport_size["width"]
        self.violations: dict[str, str] = {}
        self.too_wide: dict[str, int] = {}

    def __call__(self, state: str) -> None:
        screenshot(self.page, f"a11y/{self.width}/{state}")
        if found := axe_violations(self.page):
            self.violations[state] = format_violations(found)
        scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > self.width:
            self.too_wide[state] = scroll_width

    def assert_clean(self) -> None:
        assert self.violations == {}, "\n".join(f"{k}: {v}" for k, v in self.violations.items())
        assert self.too_wide == {}


def test_the_chat_page_in_each_state_passes_axe_and_fits_the_screen(sized_page: Page, frozen_clock):
    page, audit = sized_page, Audit(sized_page)
    open_chat(page)
    audit("greeting")
    say(page, SEARCH)
    audit("offer")
    say(page, "other tutors")
    expect(page.locator("#tutor-1")).to_be_visible()
    audit("other-tutors")
    say(page, "1")
    say(page, "1")
    expect_step(page, 1)
    audit("step-name-email")
    for number, answer in enumerate(TYPED_ANSWERS, start=2):
        say(page, answer)
        expect_step(page, number)
        if number in (4, 5, 6):  # yes/no buttons, checkboxes, a text area
            audit(f"step-{number}")
    audit("summary")
    say(page, "yes")
    expect_booked(page)
    audit("booked")

    audit.assert_clean()
    assert console_errors(page) == []


@pytest.mark.parametrize("path", ["/tutors", "/device"])
def test_the_tutors_and_device_pages_pass_axe_and_fit_the_screen(
    sized_page: Page, path: str, frozen_clock
):
    open_chat(sized_page)
    sized_page.goto(path)
    expect(sized_page.get_by_role("heading", level=1)).to_be_visible()

    audit = Audit(sized_page)
    audit(path.strip("/"))
    audit.assert_clean()


def test_the_device_link_pages_pass_axe_and_fit_the_screen(
    sized_page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    page, audit = sized_page, Audit(sized_page)
    width = page.viewport_size["width"]
    open_chat(page)
    page.goto("/device")
    page.get_by_role("button", name="Create a link").click()
    expect(page.get_by_role("heading", name="Your new link")).to_be_visible()
    audit("device-new-link")
    link = page.locator("#device-link").input_value()
    page.goto("/device")
    expect(page.locator(".link-list > li")).to_have_count(1)
    audit("device-links")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This browser already has this conversation"
    )
    audit("continue-own-link")
    page.goto("/continue/not-a-link")
    audit("link-invalid")
    audit.assert_clean()

    other = new_context(width=width, height=900 if width > NARROW else 640).new_page()
    other_audit = Audit(other)
    other.goto(link)
    expect(other.get_by_role("heading", level=1)).to_have_text("Open a conversation from a link?")
    other_audit("continue-confirm")
    open_chat(other)
    other.goto(link)
    other_audit("continue-confirm-with-own-conversation")
    other_audit.assert_clean()
    assert console_errors(other) == []


def test_the_link_confirmation_can_be_answered_with_the_keyboard(
    page: Page, new_context: Callable[..., BrowserContext], frozen_clock
):
    open_chat(page)
    page.goto("/device")
    press_until_focused(page, "#device-link-create")
    page.keyboard.press("Enter")
    link = page.locator("#device-link").input_value()
    other = new_context().new_page()
    other.goto(link)

    press_until_focused(other, "#continue-confirm")
    # Enter submits the form: wait for that navigation, or the next one races it.
    with other.expect_navigation():
        other.keyboard.press("Enter")

    open_chat(other, "/")
    expect(other.locator("#chat-log .msg")).to_have_count(1)
    page.goto("/device")
    press_until_focused(page, ".link-list button")
    page.keyboard.press("Enter")
    expect(page.locator(".link-list > li")).to_have_count(0)


def press_until_focused(page: Page, selector: str, key: str = "Tab", limit: int = 40) -> None:
    """Press ``key`` until the element matching ``selector`` has focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} x{limit} never reached {selector}")


def test_a_booking_can_be_made_with_the_keyboard_alone(page: Page, frozen_clock):
    open_chat(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    press_until_focused(page, "#chat-input")
    page.keyboard.type(SEARCH)
    page.keyboard.press("Enter")
    expect(page.locator("#slot-1")).to_be_visible()
    press_until_focused(page, "#slot-1", "Shift+Tab")
    page.keyboard.press("Enter")

    expect_step(page, 1)
    expect(page.locator("#panel-name")).to_be_focused()
    page.keyboard.type("Sam Lee")
    page.keyboard.press("Tab")
    expect(page.locator("#panel-email")).to_be_focused()
    page.keyboard.type("sam@example.com")
    page.keyboard.press("Enter")
    expect_step(page, 2)
    expect(page.locator("#panel-email")).to_be_focused()
    page.keyboard.type("sam@mail.ccsf.edu")
    page.keyboard.press("Enter")
    expect_step(page, 3)
    expect(page.locator("#panel-answer")).to_be_focused()
    page.keyboard.type("W1234567")
    page.keyboard.press("Enter")
    expect_step(page, 4)
    expect(page.locator("#answer-yes")).to_be_focused()
    screenshot(page, "keyboard/step-4-focus")
    page.keyboard.press("Space")
    expect_step(page, 5)
    expect(page.locator("#course-CS-110A")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#course-CS-110A")).to_be_checked()
    press_until_focused(page, "#step-continue")
    page.keyboard.press("Enter")
    expect_step(page, 6)
    expect(page.locator("#panel-answer")).to_be_focused()
    page.keyboard.type("Recursion and loops")
    press_until_focused(page, "#step-continue")
    page.keyboard.press("Enter")
    expect_step(page, 7)
    expect(page.locator("#panel-answer")).to_be_focused()
    press_until_focused(page, "#step-skip")
    page.keyboard.press("Enter")
    expect_step(page, 8)
    expect(page.locator("#answer-yes")).to_be_focused()
    page.keyboard.press("Enter")

    expect_booked(page)
    expect(page.locator("#chat-input")).to_be_focused()
    press_until_focused(page, "#booking-ics", "Shift+Tab")
    booking = Booking.objects.get()
    assert (booking.student_name, booking.classes) == ("Sam Lee", ["CS 110A"])
    assert booking.specific_help == "Recursion and loops"
