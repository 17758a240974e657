"""The assistant's side of a conversation: one turn, inside the session's single writer.

``take_turn`` stores the student's message, decides the reply, changes the session's state
and stores the reply, all in one ``session_write`` transaction: they commit together or not
at all. Everything the conversation needs between turns lives in the session's rows
(``lastSearchCriteria``, ``pendingMatch``, ``availableTutorsList``, ``bookingInfo``) plus
``assistant_context`` (what the assistant is waiting for), so any client, tab or process can
continue where the last one stopped.

The assistant is deterministic and local; nothing slow or remote runs under the lock.
"""

import datetime
import logging
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from chat import state
from chat.assistant import booking_form as form_steps
from chat.assistant.understanding import (
    Intent,
    Understanding,
    parse_yes_no,
    understand,
)
from chat.assistant.vocabulary import RosterWords, roster_words
from chat.ids import short_session_id
from chat.models import ChatMessage
from chat.schemas import BookingInfoIn, Match, SearchCriteriaIn
from chat.store import SessionWrite, session_write
from tutoring.booking import (
    BookingNotCancellable,
    InvalidAnswer,
    SlotUnavailable,
    StudentAnswers,
    booking_cancel,
    booking_create,
    booking_label,
)
from tutoring.center import center_now, center_zone
from tutoring.models import WEEKDAY_NAMES, Booking
from tutoring.ranking import MatchResult, Wish, tutors_match
from tutoring.reports import record_unmet_search
from tutoring.slots import OfferedSlot

logger = logging.getLogger(__name__)

# What the assistant waits for (assistant_context["expecting"]).
EXPECT_SUBJECT = "subject"
EXPECT_SLOT = "slot"
EXPECT_TUTOR = "tutor"
EXPECT_SWITCH = "switch"
# Waiting for "yes" to cancel a booking, or for which of several to cancel
# (assistant_context["cancelChoices"]: the bookings' uids, soonest first).
EXPECT_CANCEL = "cancel-booking"
# "keep it", "keep them": an answer to the cancel question that means no.
_KEEP_IT = re.compile(r"\bkeep\b", re.IGNORECASE)


@dataclass(frozen=True)
class TurnResult:
    messages: list[ChatMessage]  # the student's message, then the reply
    version: int
    replayed: bool = False


@dataclass(frozen=True)
class Reply:
    text: str
    tutor_match: Match | None = None


def take_turn(
    session_id: str,
    *,
    text: str,
    client_id: str | None = None,
    expected_version: int | None = None,
) -> TurnResult:
    """Let the student say ``text``; store it, the reply and every state change at once.

    A retry with the same ``client_id`` returns the turn as it was first answered.
    """
    with session_write(session_id) as write:
        earlier = write.find_retry(client_id=client_id, role="user", content=text)
        if earlier is not None:
            return TurnResult(
                messages=_turn_from(write.session.pk, earlier.seq),
                version=write.session.version,
                replayed=True,
            )
        write.require_version(expected_version)
        said = write.append_message(role="user", content=text, client_id=client_id)
        reply = Conversation(write).respond(text)
        answer = write.append_message(
            role="assistant", content=reply.text, tutor_match=reply.tutor_match
        )
    return TurnResult(messages=[said, answer], version=write.session.version)


def _turn_from(session_id: str, seq: int) -> list[ChatMessage]:
    """Return the student's message at ``seq`` and the replies up to the next one of theirs."""
    following = ChatMessage.objects.filter(session_id=session_id, seq__gte=seq).order_by("seq")
    turn: list[ChatMessage] = []
    for message in following[:10]:
        if turn and message.role == ChatMessage.Role.USER:
            break
        turn.append(message)
    return turn


class Conversation:
    """The state of one session as the assistant sees it, and the rules of a reply."""

    def __init__(self, write: SessionWrite) -> None:
        self.write = write
        self.session = write.session
        self.now = center_now()
        matches = state.session_matches(self.session)
        self.inactive_tutors = {m.tutor_id for m in matches if not m.tutor.is_active}
        self.pending: dict | None = state.pending_match_json(matches)
        self.shown: list[dict] = state.available_tutors_json(matches)
        self.criteria: dict | None = state.search_criteria_json(
            state.session_search_criteria(self.session)
        )
        self.form: dict | None = state.booking_info_json(state.session_booking_draft(self.session))
        self.context: dict = dict(self.session.assistant_context or {})
        self.words: RosterWords = roster_words()

    # --- the reply ---------------------------------------------------------------------------

    def respond(self, text: str) -> Reply:
        """Return the reply to ``text`` and record every change the turn makes."""
        heard = understand(text, vocabulary=self.words.vocabulary, today=self.now.date())
        # What was understood, never what was said: the text may hold names and emails.
        logger.info(
            "chat turn in session %s: %s",
            short_session_id(self.session.pk),
            heard.intent,
            extra={"intent": str(heard.intent), "step": (self.form or {}).get("step")},
        )
        self._tidy()
        reply = self._respond(heard)
        self.write.set_assistant_context(self.context)
        return reply

    def _tidy(self) -> None:
        """Bring a state any API client may have written back to one the rules below expect.

        The JSON API changes each part on its own: a form at any step with answers missing,
        the pending match deleted mid-form, a list of tutors without an offer, a search
        changed under a remembered date, a tutor deactivated after being offered. Each is
        mapped to the nearest state a conversation reaches by itself, and stored.
        """
        keep = lambda match: match["tutor"]["id"] not in self.inactive_tutors  # noqa: E731
        pending = self.pending if self.pending is not None and keep(self.pending) else None
        self._set_offers(pending, [match for match in self.shown if keep(match)])
        if self._form_open():
            form = {**form_steps.at_first_missing(self.form)}
            if self.pending is None:
                # A time is booked with the tutor who offered it; without the offer, pick again.
                form["slot"] = None
            if form != self.form:
                self._save_form(form)
        expecting = self.context.get("expecting")
        stale = {
            EXPECT_SWITCH: not self._form_open(),
            EXPECT_SLOT: self.pending is None,
            EXPECT_TUTOR: not self.shown,
        }
        if stale.get(expecting):
            self.context["expecting"] = None
            self.context.pop("switchTo", None)
        if self._form_open() and self.form["slot"] is None and self.pending is not None:
            self.context["expecting"] = EXPECT_SLOT  # the form waits for one of the offered times
        on_date, day = self.context.get("onDate"), (self.criteria or {}).get("day")
        if on_date and day and WEEKDAY_NAMES[datetime.date.fromisoformat(on_date).weekday()] != day:
            self.context["onDate"] = None

    def _respond(self, heard: Understanding) -> Reply:
        intent = heard.intent
        if self.context.get("expecting") == EXPECT_CANCEL:
            reply = self._answer_cancel(heard)
            if reply is not None:
                return reply
        if intent == Intent.START_OVER:
            return self._start_over(heard)
        if intent == Intent.CANCEL_BOOKING:
            return self._ask_cancel(heard)
        if intent == Intent.DONT_CANCEL:
            return self._keep_going(_("Okay, nothing is cancelled."))
        if intent == Intent.HELP:
            return Reply(_help_text())
        if self.context.get("expecting") == EXPECT_SWITCH:
            return self._answer_switch(heard)
        if self._form_open() and (self.form["slot"] or intent in (Intent.CANCEL, Intent.BACK)):
            return self._answer_form(heard)
        # A form without a time (its offer was deleted or replaced) is answered like no form
        # until a time is picked; _start_form then keeps its answers.
        if intent == Intent.OTHER_TUTORS:
            return self._other_tutors(heard)
        if self.context.get("expecting") == EXPECT_SLOT and self.pending:
            picked = self._picked_slot(heard)
            if picked is not None:
                return self._start_form(picked)
        if intent == Intent.CHOOSE or (heard.tutor_id and not heard.request.subjects):
            return self._choose(heard)
        if intent == Intent.SEARCH:
            return self._search(heard)
        if intent == Intent.CANCEL:
            return self._stop_offering()
        if intent == Intent.GREETING:
            return Reply(_("Hi! What would you like help with, and when?"))
        if intent == Intent.THANKS:
            return Reply(_("You're welcome! Anything else I can help with?"))
        if intent == Intent.BACK and self.pending:
            return self._offer(self.pending, intro=_("Here are the open times again."))
        if self._form_open():
            return self._find_time()
        return Reply(
            _(
                "Sorry, I didn't catch that. Tell me a subject or class and when you're free, "
                "for example *Python on Monday around 10* or *CS 111B online*."
            )
        )

    # --- searching ---------------------------------------------------------------------------

    def _search(self, heard: Understanding) -> Reply:
        request = heard.request
        # Day, time or mode alone refine the last search; a subject starts a new one, unless
        # it answers "Which subject?".
        answering = self.context.get("expecting") == EXPECT_SUBJECT
        refine = self.criteria is not None and (not request.subjects or answering)
        criteria = dict(self.criteria) if refine else _empty_criteria()
        on_date = self.context.get("onDate") if refine else None
        if request.subjects:
            criteria["skill"] = list(request.subjects)
        if request.day:
            criteria["day"], on_date = request.day, None
        if request.on_date:
            on_date = request.on_date.isoformat()
        if request.time:
            criteria["time"] = request.time.strftime("%H:%M")
        if request.part_of_day:
            criteria["partOfDay"] = request.part_of_day
            if not request.time:
                criteria["time"] = None
        if request.mode:
            criteria["mode"] = request.mode
        criteria["text"] = heard.text[:2000]
        self._save_criteria(criteria, on_date)
        if not criteria.get("skill"):
            self.context["expecting"] = EXPECT_SUBJECT
            return Reply(_("Which subject or class would you like help with?"))
        result = tutors_match(self._wish(), now=self.now)
        return self._present(result)

    def _present(self, result: MatchResult) -> Reply:
        record_unmet_search(wish=self._wish(), result=result)
        if not result.matches:
            self._set_offers(None, [])
            self.context["expecting"] = None
            return Reply(
                result.explanation
                or _("I couldn't find a tutor for that. Try another day, time or subject.")
            )
        best = result.matches[0].as_json()
        self._set_offers(best, [m.as_json() for m in result.matches])
        return self._offer(best, intro=result.explanation)

    def _offer(self, match: dict, *, intro: str = "") -> Reply:
        self.context["expecting"] = EXPECT_SLOT
        tutor = match["tutor"]
        lines = [intro, ""] if intro else []
        pronouns = f" ({tutor['pronouns']})" if tutor["pronouns"] else ""
        lines.append(f"**{tutor['name']}**{pronouns}: {', '.join(tutor['skills'])}.")
        if match["reasoning"]:
            lines.append(match["reasoning"])
        slots = match["availableSlots"]
        if slots:
            lines.append(_("Open times:"))
            lines += [f"{n}. {_slot_label(slot)}" for n, slot in enumerate(slots, start=1)]
            lines.append(_("Reply with a number to book one, or say *other tutors*."))
        else:
            lines.append(_("They have no open times that fit right now. Say *other tutors*."))
        return Reply("\n".join(lines), tutor_match=Match.model_validate(match))

    def _other_tutors(self, heard: Understanding) -> Reply:
        if heard.request.has_search_terms():
            self._search(heard)
        if self.criteria is None or not self.criteria.get("skill"):
            return Reply(_("Tell me the subject first, and I'll show you who can help."))
        exclude = [self.pending["tutor"]["id"]] if self.pending else []
        result = tutors_match(self._wish(), now=self.now, exclude_tutor_ids=exclude)
        if not result.matches:
            return Reply(_("Nobody else fits this search. Try another day or time?"))
        others = [m.as_json() for m in result.matches]
        self._set_offers(self.pending, others)
        self.context["expecting"] = EXPECT_TUTOR
        lines = [_("Other tutors who can help:")]
        for n, match in enumerate(others, start=1):
            tutor = match["tutor"]
            first = match["availableSlots"][0] if match["availableSlots"] else None
            soonest = _("next: %(when)s") % {"when": _slot_label(first)} if first else ""
            lines.append(f"{n}. **{tutor['name']}**: {', '.join(tutor['skills'])}. {soonest}")
        lines.append(_("Reply with a number or a name to see their times."))
        return Reply("\n".join(lines))

    def _choose(self, heard: Understanding) -> Reply:
        chosen = None
        if heard.tutor_id is not None:
            chosen = next((m for m in self.shown if m["tutor"]["id"] == heard.tutor_id), None)
            if chosen is None and self.criteria and self.criteria.get("skill"):
                result = tutors_match(self._wish(), now=self.now, only_tutor_ids=[heard.tutor_id])
                chosen = result.matches[0].as_json() if result.matches else None
            if chosen is None:
                return Reply(_("That tutor has no open times for this search. Try *other tutors*."))
        elif heard.number is not None and self.context.get("expecting") == EXPECT_TUTOR:
            if not 1 <= heard.number <= len(self.shown):
                return Reply(
                    _("Please pick a number from 1 to %(count)s.") % {"count": len(self.shown)}
                )
            chosen = self.shown[heard.number - 1]
        if chosen is None:
            if self.pending:
                return self._offer(self.pending, intro=_("Please pick one of these times:"))
            return Reply(_("Tell me what you'd like help with first, and I'll find tutors."))
        self._set_offers(chosen, self.shown)
        return self._offer(chosen)

    def _picked_slot(self, heard: Understanding) -> dict | None:
        """Return the offered slot the student picked by number, day or time, if any."""
        slots = self.pending["availableSlots"]
        if heard.request.subjects or heard.tutor_id is not None:
            return None
        if heard.number is not None and heard.intent == Intent.CHOOSE:
            return slots[heard.number - 1] if 1 <= heard.number <= len(slots) else None
        request = heard.request
        if not (request.day or request.on_date or request.time):
            return None
        for slot in slots:
            start = datetime.datetime.fromisoformat(slot["start"])
            if request.on_date and start.date() != request.on_date:
                continue
            if request.day and slot["day"] != request.day:
                continue
            if request.time and start.time() != request.time:
                continue
            return slot
        return None

    def _stop_offering(self) -> Reply:
        self.context["expecting"] = None
        return Reply(_("Okay. Tell me whenever you'd like to look for a tutor."))

    def _start_over(self, heard: Understanding) -> Reply:
        self._set_offers(None, [])
        self.write.set_search_criteria(None)
        self.write.set_booking_info(None)
        self.criteria, self.form, self.context = None, None, {}
        if heard.request.has_search_terms():
            return self._search(heard)
        return Reply(_("Okay, let's start over. What would you like help with, and when?"))

    # --- the booking form ------------------------------------------------------------------

    def _form_open(self) -> bool:
        return self.form is not None and self.form["step"] != form_steps.COMPLETE

    def _start_form(self, slot: dict) -> Reply:
        tutor_name = self.pending["tutor"]["name"]
        if self.form is not None and self.form["step"] != form_steps.COMPLETE:
            form = {**self.form, "slot": slot}
        else:
            form = form_steps.empty_form(slot)
            self.context["reviewing"] = False
        self.context["expecting"] = None
        if form_steps.is_filled(form):
            form["step"] = "confirm"
            self._save_form(form)
            return Reply(self._summary(form))
        self._save_form(form)
        intro = _("Great: %(when)s with %(tutor)s.") % {
            "when": _slot_label(slot),
            "tutor": tutor_name,
        }
        return Reply(f"{intro}\n{self._ask(form['step'])}")

    def _answer_form(self, heard: Understanding) -> Reply:
        form = self.form
        step = form["step"]
        if heard.intent == Intent.CANCEL:
            self.write.set_booking_info(None)
            self.context["expecting"] = EXPECT_SLOT if self.pending else None
            return Reply(_("Okay, I've stopped the booking; nothing was booked."))
        if heard.intent == Intent.BACK:
            return self._back(form)
        if step == "confirm":
            answer = parse_yes_no(heard.text)
            if answer is True:
                return self._book(form)
            if answer is False:
                return Reply(
                    _("Okay, not booked. Say *back* to change an answer, or *cancel* to stop.")
                )
        answer = form_steps.take_answer(
            form,
            heard.text,
            known_courses=self.words.courses,
            course_examples=self._course_examples(),
            reviewing=bool(self.context.get("reviewing")),
        )
        if answer.error is None:
            self._save_form(form_steps.at_first_missing(answer.form))
            if self.form["step"] == "confirm":
                return Reply(self._summary(self.form))
            return Reply(self._ask(self.form["step"]))
        if heard.intent in (Intent.SEARCH, Intent.OTHER_TUTORS) and heard.request.subjects:
            # A new search in the middle of a booking: ask before dropping the form.
            self.context["expecting"] = EXPECT_SWITCH
            self.context["switchTo"] = heard.text[:2000]
            return Reply(
                _(
                    "You're in the middle of booking. Do you want to stop and search for "
                    "%(subjects)s instead? (yes/no)"
                )
                % {"subjects": ", ".join(heard.request.subjects)}
            )
        return Reply(f"{answer.error}\n{self._ask(step)}")

    def _find_time(self) -> Reply:
        """Answer a form that has no time yet: offer times (again), or ask what to search."""
        if self.pending is not None:
            return self._offer(self.pending, intro=_("Please pick one of these times first:"))
        if self.criteria is not None and self.criteria.get("skill"):
            return self._present(tutors_match(self._wish(), now=self.now))
        self.context["expecting"] = EXPECT_SUBJECT
        return Reply(
            _(
                "Let's find a time first: which subject or class would you like help with, "
                "and when? Your answers so far are kept."
            )
        )

    def _back(self, form: dict) -> Reply:
        previous = form_steps.previous_step(form["step"])
        if previous is None or form["slot"] is None or self.pending is None:
            self.write.set_booking_info(None)
            self.form = None
            if self.pending is None:
                return self._stop_offering()
            return self._offer(self.pending, intro=_("Okay, back to the open times."))
        form = {**form, "step": previous}
        self._save_form(form)
        return Reply(_("Okay, going back.") + "\n" + self._ask(previous))

    def _answer_switch(self, heard: Understanding) -> Reply:
        answer = parse_yes_no(heard.text)
        switch_to = self.context.pop("switchTo", "")
        if answer is True:
            self.context["expecting"] = None
            self.write.set_booking_info(None)
            self.form = None
            return self._search(
                understand(switch_to, vocabulary=self.words.vocabulary, today=self.now.date())
            )
        if answer is False:
            self.context["expecting"] = None
            return Reply(_("Okay, let's carry on.") + "\n" + self._ask(self.form["step"]))
        self.context["switchTo"] = switch_to
        return Reply(_("Please answer yes to start the new search, or no to keep booking."))

    def _book(self, form: dict) -> Reply:
        tutor = self.pending["tutor"]
        slot = form["slot"]
        answers = StudentAnswers(
            name=form.get("studentName"),
            email=form.get("studentEmail"),
            college_email=form.get("ccsfEmail"),
            student_id=form.get("studentId"),
            allow_others=form.get("allowOtherStudents"),
            classes=tuple(form.get("classes") or ()),
            specific_help=form.get("specificHelp"),
            notes=form.get("additionalNotes"),
        )
        try:
            booking = booking_create(
                tutor_id=tutor["id"],
                start=datetime.datetime.fromisoformat(slot["start"]),
                answers=answers,
                subject=", ".join((self.criteria or {}).get("skill") or []),
                chat_session_id=self.session.pk,
                now=self.now,
            )
        except SlotUnavailable as taken:
            return self._slot_taken(form, str(taken))
        except InvalidAnswer as invalid:
            # Written through the API, or valid once and not any more: ask that step again.
            step = form_steps.STEP_OF_FIELD[invalid.field]
            key = form_steps.KEY_OF_FIELD[invalid.field]
            self.context["reviewing"] = True
            self._save_form({**form, key: [] if key == "classes" else None, "step": step})
            return Reply(
                _("Before I can book it: %(problem)s") % {"problem": invalid.message}
                + "\n"
                + self._ask(step)
            )
        self._save_form({**form, "step": form_steps.COMPLETE})
        self.context["expecting"] = None
        self.context["reviewing"] = False
        return Reply(_booked_text(booking, tutor_name=tutor["name"], email=form["studentEmail"]))

    def _slot_taken(self, form: dict, reason: str) -> Reply:
        self._save_form({**form, "slot": None})
        result = tutors_match(
            self._wish(), now=self.now, only_tutor_ids=[self.pending["tutor"]["id"]]
        )
        if result.matches and result.matches[0].slots:
            fresh = result.matches[0].as_json()
            self._set_offers(fresh, self.shown)
            return self._offer(
                fresh,
                intro=_("Sorry, %(reason)s Your answers are kept; pick another time:")
                % {"reason": reason[:1].lower() + reason[1:]},
            )
        self.context["expecting"] = None
        return Reply(
            _("Sorry, %(reason)s This tutor has no other open times; say *other tutors*.")
            % {"reason": reason[:1].lower() + reason[1:]}
        )

    # --- cancelling a booking ---------------------------------------------------------------

    def _upcoming_bookings(self) -> list[Booking]:
        return list(
            Booking.objects.filter(
                chat_session_id=self.session.pk,
                status=Booking.Status.CONFIRMED,
                start__gt=self.now,
            )
            .select_related("tutor")
            .order_by("start", "pk")
        )

    def _ask_cancel(self, heard: Understanding) -> Reply:
        """Ask which booking to cancel, or whether to cancel the one there is: never cancel yet."""
        bookings = self._upcoming_bookings()
        if not bookings:
            return Reply(_("You have no upcoming booking from this conversation to cancel."))
        named = [b for b in bookings if _booking_fits(b, heard, self.now.tzinfo)]
        if len(named) == 1 or len(bookings) == 1:
            return self._confirm_cancel((named or bookings)[0])
        self._remember_expectation()
        self.context["expecting"] = EXPECT_CANCEL
        self.context["cancelChoices"] = [str(b.uid) for b in bookings]
        lines = [_("You have %(count)s upcoming sessions. Which one should I cancel?")]
        lines[0] %= {"count": len(bookings)}
        lines += [f"{n}. {booking_label(b, self.now.tzinfo)}" for n, b in enumerate(bookings, 1)]
        lines.append(_("Reply with its number, or *no* to keep them all."))
        return Reply("\n".join(lines))

    def _confirm_cancel(self, booking: Booking) -> Reply:
        self._remember_expectation()
        self.context["expecting"] = EXPECT_CANCEL
        self.context["cancelChoices"] = [str(booking.uid)]
        return Reply(
            _("Cancel your %(booking)s? (yes/no)")
            % {"booking": booking_label(booking, self.now.tzinfo)}
        )

    def _answer_cancel(self, heard: Understanding) -> Reply | None:
        """Answer the pending "cancel which / cancel this?" question; None if not an answer."""
        uids = self.context.get("cancelChoices") or []
        bookings = {str(b.uid): b for b in self._upcoming_bookings()}
        choices = [bookings[uid] for uid in uids if uid in bookings]
        answer = parse_yes_no(heard.text)
        keep = heard.intent in (Intent.DONT_CANCEL, Intent.NO) or answer is False
        if keep or _KEEP_IT.search(heard.text):
            self._forget_cancel()
            return self._keep_going(_("Okay, I won't cancel anything; your bookings stay."))
        if not choices:
            self._forget_cancel()
            return None
        if len(choices) > 1:
            picked = None
            if heard.number is not None and 1 <= heard.number <= len(choices):
                picked = choices[heard.number - 1]
            else:
                fitting = [b for b in choices if _booking_fits(b, heard, self.now.tzinfo)]
                picked = fitting[0] if len(fitting) == 1 else None
            if picked is not None:
                return self._confirm_cancel(picked)
        elif answer is True or heard.intent == Intent.CANCEL_BOOKING:
            return self._cancel(choices[0])
        if heard.intent == Intent.UNKNOWN or heard.number is not None:
            if len(choices) > 1:
                return Reply(
                    _("Please reply with a number from 1 to %(count)s, or *no* to keep them all.")
                    % {"count": len(choices)}
                )
            return Reply(_("Please answer yes to cancel it, or no to keep it."))
        # Something else entirely ("python on friday"): drop the question and carry on.
        self._forget_cancel()
        return None

    def _cancel(self, booking: Booking) -> Reply:
        self._forget_cancel()
        try:
            booking_cancel(booking=booking, now=self.now)
        except BookingNotCancellable as refused:
            return Reply(str(refused))
        if self.form is not None and self.form["step"] == form_steps.COMPLETE:
            self.write.set_booking_info(None)
            self.form = None
        return Reply(
            _("Done: your %(booking)s is cancelled, and the slot is free.")
            % {"booking": booking_label(booking, self.now.tzinfo)}
        )

    def _remember_expectation(self) -> None:
        """Keep what the assistant was waiting for, to return to it after the cancel question."""
        if self.context.get("expecting") != EXPECT_CANCEL:
            self.context["resumeExpecting"] = self.context.get("expecting")

    def _forget_cancel(self) -> None:
        self.context.pop("cancelChoices", None)
        self.context["expecting"] = self.context.pop("resumeExpecting", None)

    def _keep_going(self, opening: str) -> Reply:
        """Say ``opening``, then repeat what the assistant is waiting for, if anything."""
        if self._form_open() and self.form.get("slot") is not None:
            return Reply(f"{opening}\n{self._ask(self.form['step'])}")
        if self.context.get("expecting") == EXPECT_SLOT and self.pending:
            return self._offer(self.pending, intro=opening)
        return Reply(opening)

    # --- helpers ------------------------------------------------------------------------------

    def _ask(self, step: str) -> str:
        return f"{_step_prefix(step)} {form_steps.question(step)}"

    def _course_examples(self) -> tuple[str, ...]:
        wanted = set((self.criteria or {}).get("skill") or ())
        terms = self.words.vocabulary.subjects
        return tuple(code for term in terms if term.name in wanted for code in term.courses)[:3]

    def _summary(self, form: dict) -> str:
        # From here on, a "back" and a new answer return straight to this summary.
        self.context["reviewing"] = True
        return form_steps.summary(
            form, tutor_name=self.pending["tutor"]["name"], slot_label=_slot_label(form["slot"])
        )

    def _wish(self) -> Wish:
        criteria = self.criteria or _empty_criteria()
        on_date = self.context.get("onDate")
        return Wish(
            subjects=tuple(criteria.get("skill") or ()),
            day=criteria.get("day"),
            on_date=datetime.date.fromisoformat(on_date) if on_date else None,
            time=datetime.time.fromisoformat(criteria["time"]) if criteria.get("time") else None,
            part_of_day=criteria.get("partOfDay"),
            mode=criteria.get("mode"),
        )

    def _save_criteria(self, criteria: dict, on_date: str | None) -> None:
        self.write.set_search_criteria(SearchCriteriaIn.model_validate(criteria))
        self.criteria = criteria
        self.context["onDate"] = on_date

    def _save_form(self, form: dict) -> None:
        self.write.set_booking_info(BookingInfoIn.model_validate(form))
        self.form = form

    def _set_offers(self, pending: dict | None, shown: list[dict]) -> None:
        if pending != self.pending:
            self.write.set_pending_match(Match.model_validate(pending) if pending else None)
        if shown != self.shown:
            self.write.set_available_tutors([Match.model_validate(m) for m in shown])
        self.pending, self.shown = pending, shown


def _empty_criteria() -> dict:
    return {"skill": [], "day": None, "time": None, "partOfDay": None, "mode": None, "text": None}


def _slot_label(slot: dict) -> str:
    start = datetime.datetime.fromisoformat(slot["start"])
    end = start + _slot_length(slot)
    return OfferedSlot(tutor_id=0, start=start, end=end, mode=slot["mode"], location="").label()


def _slot_length(slot: dict) -> datetime.timedelta:
    begin, end = slot["time"].split("-")
    minutes = lambda hhmm: int(hhmm[:2]) * 60 + int(hhmm[3:])  # noqa: E731
    return datetime.timedelta(minutes=minutes(end) - minutes(begin))


def _step_prefix(step: str) -> str:
    return _("(Step %(n)s of %(total)s)") % {
        "n": form_steps.step_number(step),
        "total": len(form_steps.STEPS),
    }


def _booked_text(booking: Booking, *, tutor_name: str, email: str) -> str:
    zone = center_zone()
    when = OfferedSlot(
        tutor_id=booking.tutor_id,
        start=timezone.localtime(booking.start, zone),
        end=timezone.localtime(booking.end, zone),
        mode=booking.mode,
        location=booking.location,
    ).label()
    place = f" ({booking.location})" if booking.location else ""
    return "\n".join(
        [
            _("You're booked!"),
            f"**{tutor_name}**: {when}{place}",
            _("[Add to your calendar](%(ics)s) · [Cancel this booking](%(cancel)s)")
            % {"ics": booking.ics_path, "cancel": booking.cancel_path},
            _("A confirmation email is on its way to %(email)s.") % {"email": email},
        ]
    )


def _booking_fits(booking: Booking, heard: Understanding, zone) -> bool:
    """Return whether the student's words single out ``booking`` (its day, date, time, tutor)."""
    request = heard.request
    if not (request.day or request.on_date or request.time or heard.tutor_id):
        return False
    start = timezone.localtime(booking.start, zone)
    return (
        (request.on_date is None or start.date() == request.on_date)
        and (request.day is None or start.strftime("%A") == request.day)
        and (request.time is None or start.time() == request.time)
        and (heard.tutor_id is None or booking.tutor_id == heard.tutor_id)
    )


def _help_text() -> str:
    return _(
        "I can find a tutor and book a session. Tell me a subject or class and when you're "
        "free, like *Python on Monday around 10*, *CS 111B online* or *C++ tomorrow "
        "afternoon*. Then pick a time by its number, or say *other tutors*. You can say "
        "*back*, *cancel* or *start over* at any point, and *cancel my booking* later."
    )
