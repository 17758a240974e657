"""What a student does on the chat page, as steps the browser tests share.

Every step waits for what a person would wait for (the reply, the next question) and for the
page to finish its send (chat.js sends one message at a time and drops a second one posted
while the first is in flight), so the next step never races the last.

The clock is frozen (``frozen_clock``) at Wednesday Dec 2, 2026, 9:00 AM Pacific with the demo
roster loaded, so "python monday 10" offers Monday Dec 7 at 10:00 AM.
"""

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.tools import expect_live

SEARCH = "python monday 10"
# The answers of tests/test_assistant_flow.py, one per form step (the last one skips the notes).
TYPED_ANSWERS = [
    "Sam Lee, sam@example.com",
    "sam@mail.ccsf.edu",
    "W1234567",
    "sure",
    "CS 110A",
    "Recursion and loops",
    "skip",
]
STEPS_TOTAL = 8


def open_chat(page: Page, path: str = "/") -> None:
    """Open the chat page and wait until it follows the conversation live."""
    page.goto(path)
    expect_live(page)


def highest_seq(page: Page) -> int:
    """Return the number of the newest message on the page."""
    return page.evaluate(
        "Math.max(0, ...[...document.querySelectorAll('#chat-log [data-seq]')]"
        ".map(el => Number(el.dataset.seq)))"
    )


def expect_sent(page: Page) -> None:
    """Wait until the page has finished sending (its typing indicator is off again)."""
    expect(page.locator("#typing-indicator")).to_be_empty()


def open_message_box(page: Page) -> None:
    """Open the message box if a form step's own field has folded it away."""
    box = page.locator("#chat-input")
    if not box.is_visible():
        page.locator("#type-else").click()
        expect(box).to_be_focused()


def say(page: Page, text: str) -> Locator:
    """Type ``text`` in the message box, send it, and return the assistant's reply.

    While a form step's panel has its own field, the message box is folded away; this opens
    it with "Type a message instead" first, as a student who wants the message box would.
    """
    seq = highest_seq(page)
    open_message_box(page)
    page.locator("#chat-input").fill(text)
    page.locator("#chat-send").click()
    reply = page.locator(f"#msg-{seq + 2}")
    expect(reply).to_be_visible()
    expect(page.locator("#chat-input")).to_have_value("")
    expect_sent(page)
    return reply


def step_title(number: int) -> str:
    return f"Booking: step {number} of {STEPS_TOTAL}"


def expect_step(page: Page, number: int) -> None:
    """Wait until the panel asks the form's question ``number`` and the send is over."""
    expect(page.locator("#chat-panel-title")).to_have_text(step_title(number))
    expect_sent(page)


def click_and_expect_step(page: Page, control: Locator, number: int) -> None:
    """Click a panel control and wait for the form's question ``number``."""
    control.click()
    expect_step(page, number)


def type_to_confirm(page: Page, *, answers: list[str] = TYPED_ANSWERS) -> None:
    """Search, pick the first slot and answer every question by typing, up to the summary."""
    say(page, SEARCH)
    say(page, "1")
    for answer in answers:
        say(page, answer)
    expect_step(page, STEPS_TOTAL)


def expect_booked(page: Page) -> None:
    """Wait until the panel shows the confirmation card with its two links."""
    panel = page.locator("#chat-panel")
    expect(panel.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(panel.locator("#booking-ics")).to_have_attribute("href", re.compile(r"\.ics$"))
    expect(panel.locator("#booking-cancel")).to_have_attribute("href", re.compile(r"/cancel"))
    expect_sent(page)
