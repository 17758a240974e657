"""The browser-test machinery, proven on pages that exist: the cancel page and the API docs."""

import datetime
import re
from email.utils import parsedate_to_datetime

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.browser.tools import axe_violations, console_errors, format_violations, screenshot
from tutoring.booking import StudentAnswers, booking_create
from tutoring.models import Booking, Tutor
from tutoring.slots import upcoming_slots

SOFIA = StudentAnswers(
    student_name="Sofia Park",
    student_email="sofia.park@example.com",
    college_email="spark@mail.ccsf.edu",
    student_id="W1234567",
    allow_other_students=False,
    classes=("CS 110A",),
    specific_help="Recursion in my linked list assignment.",
    additional_notes=None,
)


def book_first_open_slot(now: datetime.datetime) -> Booking:
    """Book Sofia into the soonest free session of the demo roster."""
    tutors = Tutor.objects.filter(is_active=True).prefetch_related("availability")
    slots = [slot for free in upcoming_slots(tutors=tutors, now=now).values() for slot in free]
    slot = min(slots, key=lambda slot: (slot.start, slot.tutor_id))
    return booking_create(tutor_id=slot.tutor_id, start=slot.start, answers=SOFIA, now=now)


@pytest.fixture
def booking(live_server, frozen_clock) -> Booking:
    return book_first_open_slot(frozen_clock)


def test_the_cancel_page_renders_with_no_console_errors_or_serious_axe_violations(
    page: Page, booking: Booking
):
    page.goto(booking.cancel_path)

    expect(page.get_by_role("heading", level=1)).to_have_text("Your tutoring session")
    expect(page.locator("time")).to_contain_text("Wednesday, December 2, 2026")
    expect(page.get_by_role("button", name="Cancel this session")).to_be_visible()
    assert screenshot(page, "smoke/cancel-page").stat().st_size > 0
    assert console_errors(page) == []
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)


def test_cancelling_in_the_browser_cancels_the_booking_in_the_database(
    page: Page, booking: Booking
):
    page.goto(booking.cancel_path)
    page.get_by_role("button", name="Cancel this session").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cancelled")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_the_cancel_page_fits_a_320_pixel_screen(narrow_page: Page, booking: Booking):
    narrow_page.goto(booking.cancel_path)

    page_width = narrow_page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 320
    screenshot(narrow_page, "smoke/cancel-page-320")


def test_the_server_and_the_browser_run_on_the_frozen_clock(
    page: Page, booking: Booking, frozen_clock: datetime.datetime
):
    response = page.goto(booking.cancel_path)

    # The server stamps the CSRF cookie's expiry from its own clock.
    expires = re.search(r"expires=([^;]+)", response.header_value("set-cookie")).group(1)
    server_now = parsedate_to_datetime(expires) - datetime.timedelta(
        seconds=settings.CSRF_COOKIE_AGE
    )
    assert datetime.timedelta(0) <= server_now - frozen_clock < datetime.timedelta(minutes=1)
    browser_now = datetime.datetime.fromisoformat(page.evaluate("new Date().toISOString()"))
    assert datetime.timedelta(0) <= browser_now - frozen_clock < datetime.timedelta(minutes=1)


def test_static_files_are_served(page: Page, live_server):
    response = page.goto("/static/admin/css/base.css")

    assert response.status == 200
    assert "text/css" in response.headers["content-type"]


# The docs are off in production unless asked for (API_DOCS); this server asks.
@pytest.mark.parametrize("live_server_env", [{"API_DOCS": "true"}])
def test_the_api_docs_render_from_this_server_alone(page: Page, live_server):
    page.goto("/api/docs")
    screenshot(page, "smoke/api-docs")

    # Under the pages' strict CSP (no inline script or style), with nothing refused.
    assert console_errors(page) == []
    expect(page.locator(".swagger-ui .title")).to_contain_text("Tutoring chat API")
