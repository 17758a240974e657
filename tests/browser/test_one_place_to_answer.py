"""One tutor card and one place to type each answer, on a phone-sized page and a desktop.

The offer's card shows in the panel only (the transcript keeps the words). While a form step
has its own field, that field is where the answer goes: the message box is folded away behind
"Type a message instead", and whatever is typed into the field (a question too) reaches the
assistant whole. Screenshots land in artifacts/browser/one-place/.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.steps import (
    SEARCH,
    TYPED_ANSWERS,
    click_and_expect_step,
    expect_sent,
    expect_step,
    open_chat,
    say,
    step_title,
)
from tests.browser.tools import console_errors, screenshot

PHONE = {"width": 390, "height": 844}
STUDENT_ID_QUESTION = "why do you need my student id?"


@pytest.fixture
def phone_page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page as wide as a common phone (390 px)."""
    return new_context(**PHONE).new_page()


def page_height(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def to_student_id_step(page: Page) -> None:
    """Search, tap the first time and answer the first two steps in the panel's fields."""
    say(page, SEARCH)
    click_and_expect_step(page, page.locator("#slot-1"), 1)
    page.locator("#panel-name").fill("Sam Lee")
    page.locator("#panel-email").fill("sam@example.com")
    click_and_expect_step(page, page.locator("#step-continue"), 2)
    page.locator("#panel-email").fill(TYPED_ANSWERS[1])
    click_and_expect_step(page, page.locator("#step-continue"), 3)


def test_the_offer_shows_exactly_one_tutor_card(phone_page: Page, frozen_clock):
    page = phone_page
    open_chat(page)

    say(page, SEARCH)

    expect(page.locator("#chat-panel #slot-1")).to_be_visible()
    expect(page.locator(".tutor-card")).to_have_count(1)
    expect(page.locator("#chat-panel .tutor-card")).to_contain_text("Maya Okafor")
    expect(page.locator("#chat-log")).to_contain_text("Maya Okafor")
    expect(page.locator("#chat-log .tutor-card")).to_have_count(0)
    screenshot(page, "one-place/offer-390")
    # 1,721 px with the card twice and the times one per row; about 1,270 px now.
    assert page_height(page) < 1400
    assert console_errors(page) == []


def test_tapping_a_time_reaches_the_form_and_its_field_is_the_one_place_to_type(
    phone_page: Page, frozen_clock
):
    page = phone_page
    open_chat(page)
    say(page, SEARCH)

    click_and_expect_step(page, page.locator("#slot-1"), 1)

    expect(page.locator("#chat-panel .booking-slot")).to_contain_text("Mon Dec 7, 10:00")
    expect(page.locator("#panel-name")).to_be_focused()
    expect(page.locator("#chat-input")).to_be_hidden()
    expect(page.get_by_role("textbox")).to_have_count(2)  # name and email: one each
    expect(page.get_by_role("link", name="Type a message instead")).to_be_visible()
    screenshot(page, "one-place/step-1-390")
    assert console_errors(page) == []


def test_the_message_box_opens_on_request_and_folds_away_at_the_next_question(
    page: Page, frozen_clock
):
    open_chat(page)
    to_student_id_step(page)
    expect(page.locator("#panel-answer")).to_be_focused()
    expect(page.locator("#chat-input")).to_be_hidden()
    screenshot(page, "one-place/step-3-1280")

    # By keyboard alone: Tab from the field to the link, Enter opens the message box.
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "type-else":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#chat-input")).to_be_focused()
    expect(page.locator("#chat-input")).to_be_visible()
    screenshot(page, "one-place/step-3-message-box-1280")
    page.keyboard.type("back")
    page.keyboard.press("Enter")

    expect_step(page, 2)
    expect(page.locator("#chat-input")).to_be_hidden()
    expect(page.locator("#panel-email")).to_be_focused()
    expect(page.locator("#chat-log .msg-student").last).to_have_text(re.compile("back"))
    assert console_errors(page) == []


def test_an_empty_answer_is_refused_and_focus_goes_back_to_its_field(
    phone_page: Page, frozen_clock
):
    page = phone_page
    open_chat(page)
    say(page, SEARCH)
    click_and_expect_step(page, page.locator("#slot-1"), 1)

    page.locator("#step-continue").click()

    expect(page.locator("#chat-error")).to_have_text(
        "Type your answer first (or a question about it)."
    )
    expect(page.locator("#chat-error")).to_be_in_viewport()
    expect(page.locator("#panel-name")).to_be_focused()
    expect_step(page, 1)
    screenshot(page, "one-place/empty-answer-390")


def test_without_javascript_the_link_still_opens_the_message_box(
    new_context: Callable[..., BrowserContext], frozen_clock
):
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    page.goto("/")
    page.locator("#chat-input").fill(SEARCH)
    page.locator("#chat-send").click()
    page.locator("#slot-1").click()
    expect(page.locator("#chat-panel-title")).to_have_text(step_title(1))
    expect(page.locator("#chat-input")).to_be_hidden()

    page.get_by_role("link", name="Type a message instead").click()

    expect(page.locator("#chat-input")).to_be_visible()
    page.locator("#chat-input").fill("back")
    page.locator("#chat-send").click()
    expect(page.locator("#chat-panel #slot-1")).to_be_visible()
    expect(page.locator("#chat-input")).to_be_visible()


def test_a_question_typed_into_the_student_id_field_is_sent_whole(phone_page: Page, frozen_clock):
    page = phone_page
    open_chat(page)
    to_student_id_step(page)

    page.locator("#panel-answer").fill(STUDENT_ID_QUESTION)
    expect(page.locator("#panel-answer")).to_have_value(STUDENT_ID_QUESTION)
    page.locator("#step-continue").click()
    expect_sent(page)

    said = page.locator("#chat-log .msg-student .msg-text").last
    expect(said).to_have_text(STUDENT_ID_QUESTION)
    # Said, so no longer in the field (the server's panel shows what it kept).
    expect(page.locator("#panel-answer")).not_to_have_value(STUDENT_ID_QUESTION)
    screenshot(page, "one-place/student-id-question-390")


def test_a_question_typed_into_an_answer_field_gets_an_answer(phone_page: Page, frozen_clock):
    page = phone_page
    open_chat(page)
    to_student_id_step(page)

    page.locator("#panel-answer").fill(STUDENT_ID_QUESTION)
    page.locator("#step-continue").click()
    expect_sent(page)

    reply = page.locator("#chat-log .msg-assistant").last
    expect(reply).to_contain_text("optional")
    expect_step(page, 3)  # the question was answered; the step is still waiting
    expect(page.locator("#panel-answer")).to_have_value("")  # not taken for an id
    expect(page.locator("#panel-answer")).to_be_focused()


def test_typing_sure_then_a_time_reaches_the_form(page: Page, frozen_clock):
    open_chat(page)
    say(page, "python on monday")
    labels = page.locator("#chat-panel .slot").all_inner_texts()
    starts = [re.search(r"\d{1,2}:\d\d", label).group(0) for label in labels]
    unique = next(start for start in reversed(starts) if starts.count(start) == 1)

    reply = say(page, "sure")

    expect(reply).to_contain_text("Which time")
    expect(page.locator("#chat-panel #slot-1")).to_be_visible()
    say(page, f"{unique} works")
    expect_step(page, 1)
    expect(page.locator("#chat-panel .booking-slot")).to_contain_text(unique)
    screenshot(page, "one-place/sure-then-a-time")
