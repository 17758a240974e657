"""A refresh in the middle of the booking form loses nothing: the server holds it all."""

from playwright.sync_api import Page, expect

from tests.browser.steps import (
    SEARCH,
    TYPED_ANSWERS,
    expect_step,
    open_chat,
    open_message_box,
    say,
    type_to_confirm,
)


def transcript(page: Page) -> list[tuple[str, str]]:
    """Return each message on the page as (id, text)."""
    pairs = page.locator("#chat-log .msg").evaluate_all(
        "els => els.map(el => [el.id, el.innerText])"
    )
    return [tuple(pair) for pair in pairs]


def test_a_refresh_mid_form_shows_the_transcript_the_step_and_its_input(page: Page, frozen_clock):
    open_chat(page)
    say(page, SEARCH)
    say(page, "1")
    for answer in TYPED_ANSWERS[:2]:
        say(page, answer)
    expect_step(page, 3)
    before = transcript(page)
    open_message_box(page)
    page.locator("#chat-input").fill("W12")

    page.reload()

    expect_step(page, 3)
    assert transcript(page) == before
    assert len(before) == 9
    expect(page.locator("#step-question")).to_contain_text("What's your student ID?")
    expect(page.get_by_label("Student ID (optional)")).to_be_editable()
    expect(page.locator("#chat-panel .booking-slot")).to_have_text(
        "Mon Dec 7, 10:00–10:30 AM, on campus with Maya Okafor"
    )
    # The message box stays open after the reload: what was typed in it is never hidden.
    expect(page.locator("#chat-input")).to_have_value("W12")
    expect(page.locator("#chat-input")).to_be_visible()


def test_a_refresh_at_the_summary_shows_the_same_summary(page: Page, frozen_clock):
    open_chat(page)
    type_to_confirm(page)
    summary = page.locator("#chat-panel .summary").inner_text()

    page.reload()

    expect_step(page, 8)
    assert page.locator("#chat-panel .summary").inner_text() == summary
    expect(page.get_by_role("button", name="Yes, book it")).to_be_enabled()


def test_a_refresh_keeps_what_was_typed_into_the_step_field_until_the_step_is_answered(
    page: Page, frozen_clock
):
    open_chat(page)
    say(page, SEARCH)
    say(page, "1")
    say(page, TYPED_ANSWERS[0])
    expect_step(page, 2)
    page.locator("#panel-email").fill("sam@mail.ccsf")

    page.reload()

    expect_step(page, 2)
    expect(page.locator("#panel-email")).to_have_value("sam@mail.ccsf")
    page.locator("#panel-email").fill(TYPED_ANSWERS[1])
    page.locator("#step-continue").click()
    expect_step(page, 3)
    say(page, "back")
    expect_step(page, 2)
    page.reload()
    expect_step(page, 2)
    # The server's copy of the answer, not the draft typed before it was sent.
    expect(page.locator("#panel-email")).to_have_value(TYPED_ANSWERS[1])
