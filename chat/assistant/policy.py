"""The dialogue policy: from what the student said (acts) and the context, the reply.

One ``Policy`` per turn. The order of decisions:

1. A sub-question the last reply asked (cancel which? move it? same details? stop this
   booking?) is answered first; anything that is not an answer to it drops it.
2. Always-available acts, at any point, without losing the offer or the form: start over,
   manage bookings (list, cancel with confirmation, keep, reschedule, book another),
   questions (answered from data, then "back to …" what the assistant was waiting for).
3. The moment: the booking form (answers in any order, corrections, confirm), an offer on
   the table (accept, pick, decline, refine relative to it), a list of tutors, or nothing.
4. A search (new, refined, or a named tutor), else a fallback that fits the moment and is
   never the same sentence twice in a row.

Nothing here writes rows itself except through ``Conversation``'s setters and the booking
functions of ``tutoring.booking``; all of it runs inside the turn's transaction.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from chat.assistant import booking_form, replies
from chat.assistant.context import Conversation, Draft, Expecting, Offer, Slot, Wishes
from chat.assistant.understanding import Understanding, parse_time
from chat.assistant.understanding.acts import (
    Accept,
    Ask,
    Command,
    CommandKind,
    Correct,
    Decline,
    Manage,
    ManageKind,
    Pick,
    Refine,
    RefineKind,
    Search,
    Topic,
)
from chat.assistant.vocabulary import RosterWords
from chat.schemas import Match
from tutoring import directory
from tutoring.booking import (
    BookingNotCancellable,
    InvalidAnswer,
    SlotUnavailable,
    StudentAnswers,
    booking_answers,
    booking_cancel,
    booking_create,
    booking_reschedule,
)
from tutoring.center import center_fact
from tutoring.models import WEEKDAY_NAMES, Booking
from tutoring.ranking import MatchResult, TutorMatch, tutors_match
from tutoring.reports import record_unmet_search
from tutoring.slots import PARTS, offered_slot


@dataclass(frozen=True)
class Reply:
    text: str
    offer: Offer | None = None  # the tutor card the reply carries (the transcript's tutorMatch)

    @property
    def tutor_match(self) -> Match | None:
        return Match.model_validate(self.offer.wire) if self.offer else None


def offer_of(match: TutorMatch) -> Offer:
    return Offer.from_json(match.as_json())


class Policy:
    def __init__(
        self,
        conv: Conversation,
        heard: Understanding,
        *,
        now: datetime.datetime,
        words: RosterWords,
    ) -> None:
        self.c = conv
        self.heard = heard
        self.acts = heard.acts
        self.now = now
        self.words = words
        self.notes = conv.notes

    # --- acts ---------------------------------------------------------------------------------

    def act(self, act_type, **where):
        """Return the first act of ``act_type`` (with the given attribute values), or None."""
        for act in self.acts:
            if isinstance(act, act_type) and all(getattr(act, k) == v for k, v in where.items()):
                return act
        return None

    def command(self, kind: CommandKind) -> bool:
        return self.act(Command, kind=kind) is not None

    def manage(self, kind: ManageKind) -> Manage | None:
        return self.act(Manage, kind=kind)

    @property
    def search(self) -> Search | None:
        return self.act(Search)

    @property
    def request(self):
        return self.heard.request

    # --- the turn -------------------------------------------------------------------------------

    def reply(self) -> Reply:
        self._tidy()
        answered = self._sub_question()
        if answered is not None:
            return answered
        if self.command(CommandKind.START_OVER):
            return self._start_over()
        managed = self._manage()
        if managed is not None:
            return managed
        ask = self.act(Ask)
        if ask is not None and ask.topic == Topic.WHY and self.act(Ask, topic=Topic.LOCATION):
            ask = self.act(Ask, topic=Topic.LOCATION)  # "what's the link for the meeting?"
        if ask is not None and not self._is_form_text_answer() and not self._search_outweighs(ask):
            return self._answer_question(ask)
        if self.c.form_open and self.c.draft.slot is not None:
            return self._form_turn()
        if self.c.offer is not None and self.notes.expecting in (Expecting.SLOT, None):
            reply = self._offer_turn()
            if reply is not None:
                return reply
        if self.notes.expecting == Expecting.TUTOR and self.c.shown:
            reply = self._tutors_turn()
            if reply is not None:
                return reply
        if self.search is not None:
            return self._search(self.search.request)
        refine = self.act(Refine)
        if refine is not None:
            return self._refine(refine)
        return self._small_talk_or_fallback()

    # --- odd states ------------------------------------------------------------------------------

    def _tidy(self) -> None:
        """Bring a state an API client wrote back to one a conversation reaches by itself."""
        c = self.c
        keep = lambda o: o.tutor_id not in c.inactive_tutors  # noqa: E731
        offer = c.offer if c.offer is not None and keep(c.offer) else None
        shown = [o for o in c.shown if keep(o)]
        if offer is not c.offer or len(shown) != len(c.shown):
            c.set_offer(offer, shown)
        if c.form_open:
            draft = dataclasses.replace(c.draft)
            if c.offer is None:
                draft.slot = None  # a time is booked with the tutor who offered it
            step = booking_form.next_step(draft.values, frozenset(self.notes.skipped))
            missing = booking_form.missing_required(draft.values)
            if draft.step not in booking_form.STEP or (
                missing is not None
                and booking_form.step_number(missing) < booking_form.step_number(draft.step)
            ):
                draft.step = step
            if draft != c.draft:
                c.set_draft(draft)
        stale = {
            Expecting.SWITCH: not c.form_open,
            Expecting.SLOT: c.offer is None,
            Expecting.TUTOR: not c.shown,
            Expecting.PERSONAL_EMAIL: not c.form_open,
            Expecting.REUSE: not c.form_open,
        }
        if stale.get(self.notes.expecting):
            self.notes.expecting = None

    # --- sub-questions ------------------------------------------------------------------------

    def _sub_question(self) -> Reply | None:
        expecting = self.notes.expecting
        if expecting == Expecting.CANCEL:
            return self._answer_cancel()
        if expecting in (Expecting.MOVE, Expecting.MOVE_CONFIRM):
            return self._answer_move()
        if expecting == Expecting.SWITCH:
            return self._answer_switch()
        if expecting == Expecting.REUSE:
            return self._answer_reuse()
        if expecting == Expecting.PERSONAL_EMAIL:
            return self._answer_personal_email()
        return None

    def _yes(self) -> bool:
        return self.act(Accept) is not None

    def _no(self) -> bool:
        return self.act(Decline) is not None or self.manage(ManageKind.KEEP) is not None

    # --- start over ----------------------------------------------------------------------------

    def _start_over(self) -> Reply:
        c = self.c
        c.set_offer(None, [])
        c.set_wishes(None)
        c.set_draft(None)
        self.notes.expecting = None
        self.notes.moving = None
        if self.search is not None:
            return self._search(self.search.request)
        return Reply(_("Okay, let's start over. What would you like help with, and when?"))

    # --- managing bookings -----------------------------------------------------------------------

    def _upcoming(self) -> list[Booking]:
        return list(
            Booking.objects.filter(
                chat_session_id=self.c.session.pk,
                status=Booking.Status.CONFIRMED,
                start__gt=self.now,
            )
            .select_related("tutor")
            .order_by("start", "pk")
        )

    def _manage(self) -> Reply | None:
        implied = self._implied_management()
        if implied is not None:
            return implied
        if self.manage(ManageKind.CANCEL):
            return self._ask_cancel()
        if self.manage(ManageKind.KEEP):
            moving = self._moving()
            if moving is not None:
                self.notes.moving, self.notes.move_to = None, None
                self.c.set_offer(None, [])
                self.notes.expecting = None
                return Reply(
                    _("Okay, nothing changes: your %(booking)s stays booked.")
                    % {"booking": replies.booking_line(moving)}
                )
            return self._resume(_("Okay, nothing is cancelled."))
        if self.manage(ManageKind.RESCHEDULE):
            c = self.c
            if c.form_open and c.draft.slot is not None and not self._upcoming():
                return self._change_slot()  # "can i move it to friday" before booking it
            return self._ask_move()
        if self.manage(ManageKind.LIST):
            return self._resume(self._my_bookings(), lead=False)
        if self.manage(ManageKind.ANOTHER):
            return self._book_another()
        return None

    def _implied_management(self) -> Reply | None:
        """ "cancel the monday thing", "switch it to saturday 10:30": a booking named by its
        day or time, with no act saying so, when the student holds one and no form is open."""
        c = self.c
        if c.form_open and c.draft.slot is not None:
            return None
        if self.request.subjects or self.manage(ManageKind.KEEP):
            return None
        text = self.heard.text.lower()
        cancels = re.match(
            r"^\W*(?:pls |please |can you |can u |could you |i need to |i want to |i wanna )?"
            r"(?:cancel|call off)\b",
            text,
        )
        retimes = any(isinstance(a, Correct) and a.field in ("time", "day") for a in self.acts)
        if not (cancels or (retimes and (c.offer is None or self.notes.moving))):
            return None
        if not self._upcoming():
            return None
        return self._ask_cancel() if cancels else self._ask_move()

    def _listed_bookings(self) -> list[Booking]:
        """The bookings the last question listed that are still upcoming, in its order."""
        bookings = {str(b.uid): b for b in self._upcoming()}
        return [bookings[uid] for uid in self.notes.cancel_choices if uid in bookings]

    def _chosen_booking(self, choices: list[Booking]) -> Booking | None:
        """The listed booking the student means, by its number or by its day, time or tutor."""
        pick = self.act(Pick)
        if pick is not None and pick.number is not None and 1 <= pick.number <= len(choices):
            return choices[pick.number - 1]
        fitting = [b for b in choices if self._fits(b)]
        return fitting[0] if len(fitting) == 1 else None

    def _fits(self, booking: Booking) -> bool:
        """Whether the student's words single out ``booking`` (day, date, time, tutor)."""
        request = self.request
        start = booking.start.astimezone(self.now.tzinfo)
        days, dates = request.days or (), request.dates or ()
        tutors = request.tutor_ids or ()
        if not (days or dates or request.time or tutors):
            return False
        return (
            (not dates or start.date() in dates)
            and (not days or WEEKDAY_NAMES[start.weekday()] in days)
            and (request.time is None or start.time() == request.time)
            and (not tutors or booking.tutor_id in tutors)
        )

    def _ask_cancel(self) -> Reply:
        bookings = self._upcoming()
        if not bookings:
            return self._resume(_("You have no upcoming booking from this conversation to cancel."))
        named = [b for b in bookings if self._fits(b)]
        if len(named) == 1 or len(bookings) == 1:
            return self._confirm_cancel((named or bookings)[0])
        self._remember()
        self.notes.expecting = Expecting.CANCEL
        self.notes.cancel_choices = [str(b.uid) for b in bookings]
        lines = [_("You have %(count)s upcoming sessions. Which one should I cancel?")]
        lines[0] %= {"count": len(bookings)}
        lines += [f"{n}. {replies.booking_line(b)}" for n, b in enumerate(bookings, 1)]
        lines.append(_("Reply with its number, or *no* to keep them all."))
        return Reply("\n".join(lines))

    def _confirm_cancel(self, booking: Booking) -> Reply:
        self._remember()
        self.notes.expecting = Expecting.CANCEL
        self.notes.cancel_choices = [str(booking.uid)]
        return Reply(
            _("Cancel your %(booking)s? (yes/no)") % {"booking": replies.booking_line(booking)}
        )

    def _answer_cancel(self) -> Reply | None:
        choices = self._listed_bookings()
        if self._no():
            self._forget_question()
            return self._resume(_("Okay, I won't cancel anything; your bookings stay."))
        if not choices:
            self._forget_question()
            return None
        pick = self.act(Pick)
        if len(choices) > 1:
            picked = self._chosen_booking(choices)
            if picked is not None:
                return self._confirm_cancel(picked)
        elif self._yes() or self.manage(ManageKind.CANCEL):
            return self._cancel(choices[0])
        if not self.acts or pick is not None or self._yes():
            if len(choices) > 1:
                return Reply(
                    _("Please reply with a number from 1 to %(count)s, or *no* to keep them all.")
                    % {"count": len(choices)}
                )
            return Reply(_("Please answer yes to cancel it, or no to keep it."))
        self._forget_question()  # something else entirely: drop the question, carry on
        return None

    def _cancel(self, booking: Booking) -> Reply:
        self._forget_question()
        try:
            booking_cancel(booking=booking, now=self.now)
        except BookingNotCancellable as refused:
            return Reply(str(refused))
        if self.c.draft is not None and not self.c.draft.open:
            self.c.set_draft(None)
        return self._resume(
            _("Done: your %(booking)s is cancelled, and the slot is free.")
            % {"booking": replies.booking_line(booking)}
        )

    def _ask_move(self) -> Reply:
        bookings = self._upcoming()
        if not bookings:
            return self._resume(
                _("You have no upcoming booking from this conversation to move. Want a new one?")
            )
        named = [b for b in bookings if self._fits(b) and not self._new_time_given()]
        if len(bookings) > 1 and len(named) != 1:
            self._remember()
            self.notes.expecting = Expecting.MOVE
            self.notes.cancel_choices = [str(b.uid) for b in bookings]
            lines = [_("Which session should I move?")]
            lines += [f"{n}. {replies.booking_line(b)}" for n, b in enumerate(bookings, 1)]
            return Reply("\n".join(lines))
        return self._start_move((named or bookings)[0])

    def _new_time_given(self) -> bool:
        request = self.request
        return bool(
            request.days
            or request.dates
            or request.time
            or request.earliest
            or request.latest
            or request.week
            or request.part_of_day
            or request.soonest
        )

    def _start_move(self, booking: Booking) -> Reply:
        """Look for the new time: same subject, and the old day and time unless replaced."""
        self.notes.moving = str(booking.uid)
        self.notes.expecting = None
        start = booking.start.astimezone(self.now.tzinfo)
        subjects = tuple(s for s in booking.subject.split(", ") if s) or self.c.wishes.subjects
        old = Wishes(subjects=subjects, days=(WEEKDAY_NAMES[start.weekday()],), time=start.time())
        to_hour = _MOVE_TO_HOUR.search(self.heard.text)
        if to_hour and not self._new_time_given():
            # "can we push it to 2": the same day, at that hour.
            hour = _hour_named(f"the {to_hour[1]}{to_hour[2] or ''} one")
            if hour is not None:
                wishes = dataclasses.replace(old, dates=(start.date(),), text=self.heard.text)
                wishes.time = hour
                return self._move_search(booking, wishes)
        if not self._new_time_given():
            self.c.set_offer(None, [])
            self.c.set_wishes(Wishes(subjects=subjects))
            return Reply(
                _("Sure, let's move your %(booking)s. Which day or time would suit you better?")
                % {"booking": replies.booking_line(booking)}
            )
        wishes = self._merge(old, self.request, new_subject=False)
        same_time = re.search(r"\bsame (?:time|hour)\b", self.heard.text, re.I)
        if (self.request.days or self.request.dates) and not (
            self.request.time or self.request.earliest or self.request.part_of_day or same_time
        ):
            wishes.time = None  # "move it to thursday": any time that day
        return self._move_search(booking, wishes)

    def _move_search(self, booking: Booking, wishes: Wishes) -> Reply:
        """Offer the new times; when the wish pins one of the same tutor's, ask to move to it."""
        reply = self._run_search(wishes, prefer_tutor=booking.tutor_id)
        offer = self.c.offer
        if offer is not None and offer.slots and wishes.time is not None:
            first = offer.slots[0]
            pinned = first.start.time() == wishes.time and (
                not wishes.days or first.day in wishes.days
            )
            if pinned and offer.tutor_id == booking.tutor_id:
                return self._confirm_move(first)
        return reply

    def _moving(self) -> Booking | None:
        if not self.notes.moving:
            return None
        return (
            Booking.objects.filter(uid=self.notes.moving, status=Booking.Status.CONFIRMED)
            .select_related("tutor")
            .first()
        )

    def _answer_move(self) -> Reply | None:
        if self.notes.expecting == Expecting.MOVE:
            choices = self._listed_bookings()
            if self._no():
                self._forget_question()
                return self._resume(_("Okay, your bookings stay as they are."))
            picked = self._chosen_booking(choices)
            if picked is not None:
                self.notes.cancel_choices = []
                self.notes.expecting = None
                return self._start_move(picked)
            self._forget_question()
            return None
        # MOVE_CONFIRM: yes moves it, no keeps the old booking and the offer.
        booking = self._moving()
        target = self.notes.move_to or {}
        if booking is None or not target:
            self.notes.moving, self.notes.move_to = None, None
            self.notes.expecting = Expecting.SLOT if self.c.offer else None
            return None
        if self._yes():
            return self._move(
                booking, target["tutor"], datetime.datetime.fromisoformat(target["start"])
            )
        if self._no():
            self.notes.move_to = None
            self.notes.expecting = Expecting.SLOT if self.c.offer else None
            return Reply(
                _("Okay, not moved: your %(booking)s stays. Pick another time, or say *keep it*.")
                % {"booking": replies.booking_line(booking)}
            )
        self.notes.expecting = Expecting.SLOT if self.c.offer else None
        self.notes.move_to = None
        return None

    def _confirm_move(self, slot: Slot) -> Reply:
        booking = self._moving()
        self.notes.move_to = {"tutor": self.c.offer.tutor_id, "start": slot.start.isoformat()}
        self.notes.expecting = Expecting.MOVE_CONFIRM
        return Reply(
            _("Move your %(old)s to %(new)s with %(tutor)s? (yes/no)")
            % {
                "old": replies.booking_line(booking),
                "new": replies.when(slot),
                "tutor": self.c.offer.tutor_name,
            }
        )

    def _move(self, booking: Booking, tutor_id: int, start: datetime.datetime) -> Reply:
        old_line = replies.booking_line(booking)
        self.notes.moving, self.notes.move_to, self.notes.expecting = None, None, None
        try:
            moved = booking_reschedule(
                booking=booking, tutor_id=tutor_id, start=start, now=self.now
            )
        except SlotUnavailable as taken:
            self.notes.moving = str(booking.uid)
            return Reply(
                _("Sorry, %(reason)s Your %(old)s stays booked. Pick another time?")
                % {"reason": _lower_first(str(taken)), "old": old_line}
            )
        except BookingNotCancellable as refused:
            return Reply(str(refused))
        self.c.set_offer(None, [])
        moved = Booking.objects.select_related("tutor").get(pk=moved.pk)
        return Reply(
            replies.booked(
                moved,
                tutor_name=moved.tutor.name,
                email=moved.student_email,
                moved_from=old_line,
            )
        )

    def _book_another(self) -> Reply:
        c = self.c
        if c.form_open and c.draft.slot is not None:
            # Nothing is booked yet: finish this one first (dropping it would lose its answers).
            return self._resume(_("Let's finish this booking first; then I can book another."))
        if c.draft is not None and not c.draft.open:
            c.set_draft(None)
        c.set_offer(None, [])
        if self.search is not None and (self.request.subjects or self.request.courses):
            return self._search(self.search.request)
        wishes = Wishes(subjects=c.wishes.subjects)
        merged = self._merge(wishes, self.request, new_subject=False)
        if merged.subjects and (self._new_time_given() or self.request.part_of_day):
            return self._run_search(merged)
        c.set_wishes(merged if merged.subjects else None)
        subject = replies.list_subjects(list(merged.subjects))
        if merged.subjects:
            return Reply(
                _("Happy to book another. %(subject)s again? Tell me which day or time suits you.")
                % {"subject": subject}
            )
        self.notes.expecting = Expecting.SUBJECT
        return Reply(_("Happy to book another. What would you like help with, and when?"))

    def _remember(self) -> None:
        if self.notes.expecting not in (Expecting.CANCEL, Expecting.MOVE):
            self.notes.resume = self.notes.expecting

    def _forget_question(self) -> None:
        self.notes.cancel_choices = []
        self.notes.expecting = self.notes.resume
        self.notes.resume = None

    # --- questions -----------------------------------------------------------------------------

    def _search_outweighs(self, ask: Ask) -> bool:
        """A request to search in a message whose question is an aside ("... why i need
        something ... bio, saturday, online please"): the search is what the student wants."""
        search = self.search
        if search is None or self.heard.text.rstrip().endswith("?"):
            return False
        request = search.request
        named = request.subjects or request.courses or request.unknown_subject
        if (
            ask.topic == Topic.MODE
            and (request.tutor_ids or named)
            and (request.days or request.dates or request.time or request.part_of_day)
        ):
            return True  # "is leo free online sometime monday": a search for Leo's times
        return bool(named) and ask.topic in (Topic.WHY, Topic.HELP)

    def _is_form_text_answer(self) -> bool:
        """A question-like sentence typed as free text help ("how do I do recursion?")."""
        c = self.c
        return (
            c.form_open
            and c.draft.slot is not None
            and c.draft.step in ("specific-help", "additional-notes")
            and self.act(Ask).topic not in (Topic.WHY, Topic.MY_BOOKINGS)
            and "?" not in self.heard.text[-3:]
        )

    def _answer_question(self, ask: Ask) -> Reply:
        topic = ask.topic
        if topic == Topic.WHO_TEACHES:
            return self._who_teaches(ask)
        if topic == Topic.TUTOR_TIMES:
            return self._tutor_times(ask)
        if topic == Topic.SUBJECTS:
            subjects = directory.subjects_covered()
            courses = directory.courses_covered()
            text = _("We cover %(subjects)s.") % {"subjects": replies.list_subjects(subjects)}
            if courses:
                text += " " + _("Courses include %(courses)s.") % {
                    "courses": ", ".join(courses[:12])
                }
            return self._resume(text, lead=False)
        if topic == Topic.LENGTH:
            minutes = settings.TUTORING_SESSION_MINUTES
            return self._resume(
                _("Each session is %(minutes)s minutes.") % {"minutes": minutes}, lead=False
            )
        if topic == Topic.MODE:
            return self._resume(self._mode_answer(), lead=False)
        if topic == Topic.LOCATION and self._place():
            return self._resume(self._place(), lead=False)
        if topic in (Topic.LOCATION, Topic.HOURS, Topic.CONTACT):
            key = {Topic.LOCATION: "location", Topic.HOURS: "hours", Topic.CONTACT: "contact"}
            fact = center_fact(key[topic]) or _("Please ask at the front desk.")
            return self._resume(fact, lead=False)
        if topic == Topic.MY_BOOKINGS:
            return self._resume(self._my_bookings(), lead=False)
        if topic == Topic.WHY:
            step = ask.step or (self.c.draft.step if self.c.form_open else None)
            fact = center_fact(f"why:{step}") if step else ""
            fact = fact or _("We ask only what the tutor and the center need to run your session.")
            return self._resume(fact, lead=False)
        return self._resume(replies.help_text(), lead=False)

    def _my_bookings(self) -> str:
        """The student's upcoming bookings, and the time picked in a form not yet booked."""
        c = self.c
        text = replies.bookings_list(self._upcoming())
        if c.form_open and c.draft.slot is not None and c.offer is not None:
            text += "\n" + _("In progress, not booked yet: %(when)s with %(tutor)s.") % {
                "when": replies.when(c.draft.slot),
                "tutor": c.offer.tutor_name,
            }
        return text

    def _who_teaches(self, ask: Ask) -> Reply:
        subject = ask.subject
        if subject is None and ask.course:
            subject = next(
                (t.name for t in self.words.vocabulary.subjects if ask.course in t.courses), None
            )
        if subject is None:
            unknown = self.request.unknown_subject
            if unknown:
                return self._not_offered(unknown)
            return self._resume(
                _("We cover %(subjects)s. Which one?")
                % {"subjects": replies.list_subjects(directory.subjects_covered())},
                lead=False,
            )
        found = directory.who_teaches(subject=subject, now=self.now)
        if not found:
            return self._resume(_("Nobody teaches %(subject)s right now.") % {"subject": subject})
        lines = [_("%(subject)s is taught by:") % {"subject": ask.course or subject}]
        for n, match in enumerate(found, start=1):
            first = match.slots[0] if match.slots else None
            nxt = (
                _("next open: %(when)s") % {"when": replies.moment_label(first.start)}
                if first
                else _("no open times in the next two weeks")
            )
            lines.append(f"{n}. **{match.tutor.name}**, {nxt}")
        offers = [offer_of(m) for m in found if m.slots]
        if offers and not self.c.form_open:
            self.c.set_offer(self.c.offer, offers)
            if self.c.offer is None:
                self.notes.expecting = Expecting.TUTOR
            lines.append(_("Reply with a number or a name to see their times."))
            if not self.c.has_search:
                self.c.set_wishes(Wishes(subjects=(subject,)))
            return Reply("\n".join(lines))
        return self._resume("\n".join(lines), lead=False)

    def _tutor_times(self, ask: Ask) -> Reply:
        tutor_ids = ask.tutor_ids or self.request.tutor_ids
        if not tutor_ids and self.c.offer is not None:
            tutor_ids = (self.c.offer.tutor_id,)
        if not tutor_ids:
            return self._resume(_("Which tutor? Tell me their name."), lead=False)
        if self.c.form_open and self.c.draft.slot is not None:
            found = directory.tutor_times(tutor_ids[0], now=self.now)
            text = self._times_text(found)
            return self._resume(text, lead=False)
        wishes = Wishes(
            subjects=self.c.wishes.subjects if self._teaches(tutor_ids[0]) else (),
            tutor_ids=(tutor_ids[0],),
        )
        wishes = self._merge(wishes, self.request, new_subject=False)
        wishes.tutor_ids = (tutor_ids[0],)
        return self._run_search(wishes)

    def _teaches(self, tutor_id: int, subjects: tuple[str, ...] | None = None) -> bool:
        wanted = set(self.c.wishes.subjects if subjects is None else subjects)
        if not wanted:
            return False
        found = directory.tutor_times(tutor_id, now=self.now, limit=0)
        skills = {s.name for s in found.tutor.subjects.all()} if found else set()
        return bool(wanted & skills)

    def _times_text(self, found: TutorMatch | None) -> str:
        if found is None:
            return _("I don't know that tutor.")
        if not found.slots:
            return _("%(tutor)s has no open times in the next two weeks.") % {
                "tutor": found.tutor.name
            }
        lines = [_("%(tutor)s's next open times:") % {"tutor": found.tutor.name}]
        lines += [f"- {replies.moment_label(s.start)}" for s in found.slots]
        return "\n".join(lines)

    def _session_slot(self) -> tuple[Slot, int] | None:
        """The one session the student is looking at (in the form, or the offer's first)."""
        c = self.c
        if c.form_open and c.draft.slot is not None and c.offer is not None:
            return c.draft.slot, c.offer.tutor_id
        if c.offer is not None and c.offer.slots:
            return c.offer.slots[0], c.offer.tutor_id
        return None

    def _place(self) -> str:
        """Where the session on offer or in the form meets, from the tutor's availability."""
        found = self._session_slot()
        if found is None:
            return self._booked_place()
        slot, tutor_id = found
        offered = offered_slot(tutor_id=tutor_id, start=slot.start, now=self.now)
        room = offered.location if offered is not None else ""
        if slot.mode == "online":
            how = center_fact("online") or _("the link comes with your confirmation email.")
            if room:
                return _("That session is online, at %(link)s. %(how)s") % {
                    "link": room,
                    "how": how,
                }
            return _("That session is online: %(how)s") % {"how": how}
        if not room:
            return ""
        text = _("That session meets in %(room)s.") % {"room": room}
        campus = center_fact("location")
        return f"{text} {campus}" if campus else text

    def _booked_place(self) -> str:
        """Where the student's next booked session meets ("wheres that?" after booking)."""
        booking = next(iter(self._upcoming()), None)
        if booking is None or not booking.location:
            return ""
        if booking.mode == "online":
            return _("Your %(booking)s is online, at %(link)s.") % {
                "booking": replies.booking_line(booking),
                "link": booking.location,
            }
        return _("Your %(booking)s meets in %(room)s.") % {
            "booking": replies.booking_line(booking),
            "room": booking.location,
        }

    def _mode_answer(self) -> str:
        slot = None
        if self.c.form_open and self.c.draft.slot is not None:
            slot = self.c.draft.slot
        elif self.c.offer is not None and self.c.offer.slots:
            modes = {s.mode for s in self.c.offer.slots}
            if len(modes) == 1:
                slot = self.c.offer.slots[0]
            else:
                return _("%(tutor)s offers both: each time above says online or on campus.") % {
                    "tutor": self.c.offer.first_name
                }
        if slot is None:
            return " ".join(filter(None, [center_fact("online"), center_fact("campus")])) or _(
                "Tutors meet online or on campus; each time I offer says which."
            )
        if slot.mode == "online":
            return _("That session is online: %(how)s") % {
                "how": center_fact("online") or _("the link comes with your confirmation email.")
            }
        return _("That session is on campus: %(where)s") % {
            "where": center_fact("campus") or center_fact("location")
        }

    def _resume(self, text: str, *, lead: bool = True) -> Reply:
        """Say ``text``, then return to what the assistant was waiting for, and say so."""
        c = self.c
        if c.form_open and c.draft.slot is not None and c.offer is not None:
            if c.draft.step == "confirm":
                return Reply(
                    text
                    + "\n\n"
                    + _("Back to your booking:")
                    + "\n"
                    + replies.summary(c.draft, c.offer)
                )
            return Reply(
                text
                + "\n\n"
                + _("Back to your booking:")
                + " "
                + replies.ask(c.draft.step, c.draft.values)
            )
        if self.notes.expecting == Expecting.SLOT and c.offer is not None and c.offer.slots:
            return Reply(
                text
                + "\n\n"
                + _("Still want one of %(tutor)s's times? %(prompt)s")
                % {"tutor": c.offer.first_name, "prompt": replies.pick_prompt(c.offer)}
            )
        if self.notes.expecting == Expecting.TUTOR and c.shown:
            return Reply(text + "\n\n" + replies.fallback_tutors(self.notes.last_reply, text))
        if lead and not c.has_search:
            return Reply(text + " " + _("Anything else I can help with?"))
        return Reply(text)

    # --- the booking form ----------------------------------------------------------------------

    def _known_courses(self) -> tuple[str, ...]:
        """The roster's course codes, those of the subject being booked first (as examples)."""
        wanted = set(self.c.wishes.subjects) | set(self.c.offer.skills if self.c.offer else ())
        first = [
            code for t in self.words.vocabulary.subjects if t.name in wanted for code in t.courses
        ]
        return tuple(dict.fromkeys(first + sorted(self.words.courses)))

    def _start_form(self, slot: Slot) -> Reply:
        c = self.c
        if self.notes.moving and self._moving() is not None:
            return self._confirm_move(slot)
        if c.form_open:
            draft = dataclasses.replace(c.draft, slot=slot)
        else:
            draft = Draft(step="name-email", values={"classes": []}, slot=slot)
            self.notes.skipped = []
            self.notes.reviewing = False
        self.notes.expecting = None
        intro = _("Great: %(when)s with %(tutor)s.") % {
            "when": replies.when(slot),
            "tutor": c.offer.tutor_name,
        }
        if not c.form_open:
            earlier = self._earlier_details()
            if earlier is not None:
                draft.step = "name-email"
                c.set_draft(draft)
                self.notes.reuse_from = str(earlier.uid)
                self.notes.expecting = Expecting.REUSE
                return Reply(
                    intro
                    + "\n"
                    + _("Same details as before — %(name)s, %(email)s? (yes/no)")
                    % {"name": earlier.student_name, "email": earlier.student_email}
                )
        if booking_form.missing_required(draft.values) is None and self.notes.reviewing:
            draft.step = "confirm"
            c.set_draft(draft)
            return Reply(intro + "\n" + replies.summary(draft, c.offer))
        draft.step = booking_form.next_step(draft.values, frozenset(self.notes.skipped))
        c.set_draft(draft)
        if draft.step == "confirm":
            self.notes.reviewing = True
            return Reply(intro + "\n" + replies.summary(draft, c.offer))
        return Reply(intro + "\n" + replies.ask(draft.step, draft.values))

    def _earlier_details(self) -> Booking | None:
        return (
            Booking.objects.filter(chat_session_id=self.c.session.pk)
            .filter(~Q(student_email=""))
            .filter(anonymised_at__isnull=True)
            .order_by("-created_at")
            .first()
        )

    def _answer_reuse(self) -> Reply | None:
        c = self.c
        self.notes.expecting = None
        earlier = (
            Booking.objects.filter(uid=self.notes.reuse_from).first()
            if self.notes.reuse_from
            else None
        )
        self.notes.reuse_from = None
        if self._yes() and earlier is not None:
            answers = booking_answers(earlier)
            values = {
                "student_name": answers.student_name,
                "student_email": answers.student_email,
                "college_email": answers.college_email,
                "student_id": answers.student_id,
                "allow_other_students": answers.allow_other_students,
                "classes": list(answers.classes),
            }
            skipped = ["student-id"] if not answers.student_id else []
            self.notes.skipped = skipped + (["classes"] if not answers.classes else [])
            draft = dataclasses.replace(c.draft, values={**c.draft.values, **values})
            draft.step = booking_form.next_step(draft.values, frozenset(self.notes.skipped))
            c.set_draft(draft)
            return Reply(_("Great, same details.") + "\n" + replies.ask(draft.step, draft.values))
        if self._no():
            return Reply(_("Okay, fresh details then.") + "\n" + replies.ask("name-email"))
        return None  # an answer to the first question instead: read it as the form's

    def _answer_personal_email(self) -> Reply | None:
        c = self.c
        pending = self.notes.pending_email
        self.notes.expecting, self.notes.pending_email = None, None
        found = booking_form.emails_in(self.heard.text)
        personal = [a for a in found if not booking_form.is_college_address(a)]
        values = dict(c.draft.values)
        if personal:
            values["student_email"] = personal[0]
        elif pending and (
            self._yes() or "same" in self.heard.text.lower() or "use" in self.heard.text.lower()
        ):
            values["student_email"] = pending
        else:
            return None
        return self._advance(values, note="")

    def _form_turn(self) -> Reply:
        c = self.c
        draft = c.draft
        step = draft.step
        # Times were listed mid-form (a change of time that did not fit): a number picks one.
        choosing_time = self.notes.expecting == Expecting.SLOT
        self.notes.expecting = None
        pick = self.act(Pick)
        if choosing_time and pick is not None and pick.number is not None and c.offer.slots:
            if 1 <= pick.number <= len(c.offer.slots):
                return self._set_slot(c.offer.slots[pick.number - 1])
        if self.command(CommandKind.STOP):
            c.set_draft(None)
            self.notes.expecting = Expecting.SLOT if c.offer else None
            text = _("Okay, I've stopped the booking; nothing was booked.")
            if c.offer is not None and c.offer.slots:
                text += " " + replies.pick_prompt(c.offer)
            return Reply(text)
        if self.command(CommandKind.BACK):
            return self._back()
        corrected = self._correction()
        if corrected is not None:
            return corrected
        search = self.search
        free_text = step in ("classes", "specific-help", "additional-notes", "confirm")
        if search is not None and search.request.subjects and not free_text:
            implied = {
                t.name
                for t in self.words.vocabulary.subjects
                if set(t.courses) & set(search.request.courses)
            }
            new = set(search.request.subjects) - set(c.wishes.subjects) - implied
            if new:
                self.notes.expecting = Expecting.SWITCH
                self.notes.switch_to = self.heard.text[:4000]
                return Reply(
                    _(
                        "You're in the middle of booking. Stop this booking and look for "
                        "%(subjects)s instead? (yes/no)"
                    )
                    % {
                        "subjects": replies.list_subjects(
                            list(search.request.subjects or search.request.courses)
                        )
                    }
                )
        if step == "confirm":
            if self._yes():
                return self._book()
            if self.act(Decline):
                return Reply(
                    _(
                        "Okay, not booked yet. What would you like to change? For example "
                        "*my email is …*, *change the time to 6:30*, or say *cancel* to stop."
                    )
                )
        reading = booking_form.read_answer(
            step, self.heard.text, draft.values, known_courses=self._known_courses()
        )
        anywhere = booking_form.fields_anywhere(self.heard.text, draft.values)
        # An answer given before changes only when the student says so ("oops, my email is").
        corrected = {act.field for act in self.acts if isinstance(act, Correct)}
        anywhere = {
            name: value
            for name, value in anywhere.items()
            if draft.values.get(name) in (None, "", []) or name in corrected
        }
        values = {**draft.values, **anywhere, **reading.values}
        known = [code for code in self.request.courses if code in self._known_courses()]
        if known and not draft.values.get("classes") and step != "confirm":
            values["classes"] = list(dict.fromkeys(known))  # "W5551234 and im in cs 110a"
        table = booking_form.STEP.get(step)
        short = len(self.heard.text.split()) <= 6
        bare_yes_no = (self._yes() or self.act(Decline)) and len(self.heard.text.split()) <= 2
        if step == "specific-help" and bare_yes_no:
            # "yep" is no answer to "what would you like help with?"
            return self._form_fallback()
        if table is not None and not table.required and short and step != "confirm":
            if self.act(Decline) or self.command(CommandKind.SKIP):
                # "nah ur good", "no ty": an optional question declined, not its answer.
                reading = booking_form.Reading(skipped=frozenset({step}))
                values = {**draft.values, **anywhere}
        if table is not None and not reading.values and not reading.problem:
            declined = self.act(Decline) is not None or self.command(CommandKind.SKIP)
            if step == "allow-others" and (self._yes() or declined):
                values["allow_other_students"] = self._yes() and not declined
            elif not table.required and declined and step != "confirm":
                reading = dataclasses.replace(reading, skipped=frozenset({step}))
        if reading.skipped:
            self.notes.skipped = sorted(set(self.notes.skipped) | reading.skipped)
        if reading.college_as_personal:
            values.setdefault("college_email", None)
            if not values.get("college_email"):
                values["college_email"] = reading.college_as_personal
            c.set_draft(dataclasses.replace(draft, values=values))
            self.notes.pending_email = reading.college_as_personal
            self.notes.expecting = Expecting.PERSONAL_EMAIL
            return Reply(
                _(
                    "%(address)s is your college address, so I've kept it as your college "
                    "email. What's your personal email? (Or say *same* to use it for both.)"
                )
                % {"address": reading.college_as_personal}
            )
        changed = [
            name
            for name in anywhere
            if draft.values.get(name) not in (None, "", [])
            and draft.values.get(name) != values[name]
        ]
        note = replies.changed(changed, values) if changed else ""
        if reading.problem and values == draft.values:
            return Reply(
                replies.not_again(
                    f"{reading.problem}\n{replies.ask(step, values)}",
                    self.notes.last_reply,
                    self.heard.text,
                )
            )
        if values == draft.values and not reading.skipped:
            return self._form_fallback()
        return self._advance(values, note=note, problem=reading.problem)

    def _advance(self, values: dict, *, note: str, problem: str | None = None) -> Reply:
        c = self.c
        draft = c.draft
        skipped = frozenset(self.notes.skipped)
        if self.notes.reviewing and booking_form.missing_required(values) is None:
            step = "confirm"
        else:
            step = booking_form.next_step(values, skipped, after=draft.step)
            if step != "confirm" and booking_form.is_answered(draft.step, values, skipped) is False:
                step = draft.step if draft.step != "confirm" else step
        new = dataclasses.replace(draft, values=values, step=step)
        c.set_draft(new)
        lead = "\n".join(filter(None, [note, problem]))
        if step == "confirm":
            self.notes.reviewing = True
            text = replies.summary(new, c.offer)
        else:
            text = replies.ask(step, values)
        return Reply(f"{lead}\n{text}" if lead else text)

    def _form_fallback(self) -> Reply:
        draft = self.c.draft
        if draft.step == "confirm":
            text = _("Please answer *yes* to book it, or tell me what to change.")
        else:
            step = booking_form.STEP[draft.step]
            text = (
                _("I still need this one (%(what)s) before I can book.") % {"what": step.label}
                + "\n"
                + replies.ask(draft.step, draft.values)
            )
        return Reply(replies.not_again(text, self.notes.last_reply, self.heard.text))

    def _correction(self) -> Reply | None:
        """ "oops my email is …", "actually my name is …", "change the time to 6:30"."""
        c = self.c
        correct = self.act(Correct)
        pick = self.act(Pick)
        search = self.search
        wants_time = correct is not None and correct.field in ("time", "day")
        retime = (
            search is not None
            and not (search.request.subjects or search.request.courses)
            and (search.request.time or search.request.days or search.request.dates)
            and c.draft.step not in ("specific-help", "additional-notes")
        )
        if wants_time or retime or (pick is not None and (pick.time or pick.day or pick.date)):
            return self._change_slot()
        if correct is None or correct.field not in booking_form.FIELD:
            return None
        if c.draft.values.get(correct.field) in (None, "", []):
            return None  # not a correction: a first answer, read with the rest of the message
        name = correct.field
        step = booking_form.STEP_OF_FIELD[name]
        reading = booking_form.read_answer(
            step, correct.value, c.draft.values, known_courses=self._known_courses()
        )
        found = {**booking_form.fields_anywhere(correct.value, c.draft.values), **reading.values}
        if (
            name in ("student_email", "college_email")
            and found.get("student_email")
            and name == "college_email"
        ):
            found = {"college_email": found["student_email"]}
        if name not in found:
            if reading.problem:
                return Reply(f"{reading.problem}\n{replies.ask(c.draft.step, c.draft.values)}")
            return None
        value = found[name]
        if name == "student_name":
            value = _corrected_name(c.draft.values.get(name) or "", value, self.heard.text)
        values = {**c.draft.values, name: value}
        return self._advance(values, note=replies.changed([name], values))

    def _new_moment(self) -> tuple:
        """The time, days and dates a change of time names, from the pick, correction or search."""
        request = self.request
        pick = self.act(Pick)
        time = pick.time if pick is not None and pick.time else request.time
        said = next(
            (a.value for a in self.acts if isinstance(a, Correct) and a.field == "time"), ""
        )
        if said and re.search(r"\binstead of\b", self.heard.text, re.I):
            # "can it be 4 instead of 3:30": the time named first is the new one.
            fixed = parse_time(said) or (_hour(int(said)) if said.isdigit() else None)
            time = fixed or time
        days = request.days or (_tuple(pick.day) if pick is not None else ())
        dates = request.dates or (_tuple(pick.date) if pick is not None else ())
        for correct in (a for a in self.acts if isinstance(a, Correct)):
            if correct.field == "time" and time is None:
                time = parse_time(correct.value)
            if correct.field == "day" and not days and correct.value in WEEKDAY_NAMES:
                days = (correct.value,)
        return time, days, dates

    def _change_slot(self) -> Reply:
        c = self.c
        request = self.request
        time, days, dates = self._new_moment()
        if time is None and not days and not dates:
            return self._form_fallback()
        slot = self._slot_for(time, days, dates, number=None)
        if slot is None:
            wishes = self._merge(dataclasses.replace(c.wishes), request, new_subject=False)
            wishes.time, wishes.days, wishes.dates = time, tuple(days), tuple(dates)
            wishes.tutor_ids = (c.offer.tutor_id,)
            result = tutors_match(wishes.wish(), now=self.now, limit=1)
            if result.matches and result.matches[0].tutor.pk == c.offer.tutor_id:
                fresh = offer_of(result.matches[0])
                fit = [s for s in fresh.slots if self._slot_matches(s, time, days, dates)]
                if fit:
                    slot = fit[0]
                    c.set_offer(fresh, c.shown)
        if slot is None:
            # The form stays at its step, so say plainly that the time picked before still holds.
            self.notes.expecting = Expecting.SLOT
            return Reply(
                _("%(tutor)s isn't free then, so your time is still %(when)s. Their open times:")
                % {"tutor": c.offer.tutor_name, "when": replies.when(c.draft.slot)}
                + "\n"
                + "\n".join(replies.numbered_times(c.offer.slots))
                + "\n"
                + _("Pick one of these to change it; your answers are kept.")
            )
        return self._set_slot(slot)

    def _set_slot(self, slot: Slot) -> Reply:
        """Put ``slot`` in the form in place of the time picked before, and say so."""
        c = self.c
        old = c.draft.slot
        if old is not None and slot.start == old.start:
            return Reply(
                _("That's already your time: %(when)s.") % {"when": replies.when(slot)}
                + "\n"
                + replies.ask(c.draft.step, c.draft.values)
            )
        draft = dataclasses.replace(c.draft, slot=slot)
        c.set_draft(draft)
        note = _("Changed the time to %(when)s (was %(old)s).") % {
            "when": replies.when(slot),
            "old": replies.slot_short(old),
        }
        if draft.step == "confirm":
            return Reply(note + "\n" + replies.summary(draft, c.offer))
        return Reply(note + "\n" + replies.ask(draft.step, draft.values))

    def _back(self) -> Reply:
        c = self.c
        previous = booking_form.previous_step(c.draft.step)
        if previous is None:
            c.set_draft(None)
            self.notes.expecting = Expecting.SLOT if c.offer else None
            if c.offer is None:
                return Reply(_("Okay. Tell me whenever you'd like to look for a tutor."))
            return Reply(replies.offer(c.offer, intro=_("Okay, back to the open times.")), c.offer)
        c.set_draft(dataclasses.replace(c.draft, step=previous))
        self.notes.reviewing = False
        return Reply(_("Okay, going back.") + "\n" + replies.ask(previous, c.draft.values))

    def _answer_switch(self) -> Reply | None:
        c = self.c
        switch_to = self.notes.switch_to
        self.notes.switch_to = ""
        if self._yes():
            self.notes.expecting = None
            c.set_draft(None)
            from chat.assistant.understanding import understand

            heard = understand(switch_to, vocabulary=self.words.vocabulary, today=self.now.date())
            return self._search(heard.request, new_subject=True)
        if self._no():
            self.notes.expecting = None
            if c.form_open and c.draft.slot is not None:
                return Reply(
                    _("Okay, let's carry on.") + "\n" + replies.ask(c.draft.step, c.draft.values)
                )
            return Reply(_("Okay, let's carry on."))
        self.notes.expecting = None
        return None

    def _book(self) -> Reply:
        c = self.c
        draft = c.draft
        values = draft.values
        answers = StudentAnswers(
            student_name=values.get("student_name"),
            student_email=values.get("student_email"),
            college_email=values.get("college_email"),
            student_id=values.get("student_id"),
            allow_other_students=values.get("allow_other_students"),
            classes=tuple(values.get("classes") or ()),
            specific_help=values.get("specific_help"),
            additional_notes=values.get("additional_notes"),
        )
        try:
            booking = booking_create(
                tutor_id=c.offer.tutor_id,
                start=draft.slot.start,
                answers=answers,
                subject=", ".join(c.wishes.subjects) or ", ".join(c.offer.skills[:1]),
                chat_session_id=c.session.pk,
                now=self.now,
            )
        except SlotUnavailable as taken:
            return self._slot_taken(str(taken))
        except InvalidAnswer as invalid:
            step = booking_form.STEP_OF_FIELD[invalid.field]
            values = {**values, invalid.field: [] if invalid.field == "classes" else None}
            self.notes.reviewing = True
            c.set_draft(dataclasses.replace(draft, values=values, step=step))
            return Reply(
                _("Before I can book it: %(problem)s") % {"problem": invalid.message}
                + "\n"
                + replies.ask(step, values)
            )
        c.set_draft(dataclasses.replace(draft, step=booking_form.COMPLETE))
        c.set_offer(None, c.shown)
        self.notes.expecting = None
        self.notes.reviewing = False
        booking = Booking.objects.select_related("tutor").get(pk=booking.pk)
        return Reply(
            replies.booked(booking, tutor_name=booking.tutor.name, email=booking.student_email)
        )

    def _slot_taken(self, reason: str) -> Reply:
        c = self.c
        c.set_draft(dataclasses.replace(c.draft, slot=None))
        wishes = dataclasses.replace(c.wishes, tutor_ids=(c.offer.tutor_id,))
        result = tutors_match(wishes.wish(), now=self.now, limit=1)
        if result.matches and result.matches[0].slots:
            fresh = offer_of(result.matches[0])
            c.set_offer(fresh, c.shown)
            self.notes.expecting = Expecting.SLOT
            return Reply(
                replies.offer(
                    fresh,
                    intro=_("Sorry, %(reason)s Your answers are kept; pick another time:")
                    % {"reason": _lower_first(reason)},
                ),
                fresh,
            )
        self.notes.expecting = None
        return Reply(
            _("Sorry, %(reason)s This tutor has no other open times; say *someone else*.")
            % {"reason": _lower_first(reason)}
        )

    # --- an offer on the table -------------------------------------------------------------------

    def _slot_matches(self, slot: Slot, time, days, dates) -> bool:
        return (
            (time is None or slot.start.time() == time)
            and (not days or slot.day in days)
            and (not dates or slot.start.date() in dates)
        )

    def _slot_for(self, time, days, dates, *, number: int | None) -> Slot | None:
        """Return the offered slot the student means by number, time or day, if exactly one."""
        offer = self.c.offer
        if offer is None:
            return None
        if number is not None:
            return offer.slots[number - 1] if 1 <= number <= len(offer.slots) else None
        if time is None and not days and not dates:
            return None
        fitting = [s for s in offer.slots if self._slot_matches(s, time, days, dates)]
        if not fitting and time is not None and time.hour < 12:
            # "at 8:30" when every time offered is in the evening: 8:30 PM.
            evening = time.replace(hour=time.hour + 12)
            fitting = [s for s in offer.slots if self._slot_matches(s, evening, days, dates)]
        if len(fitting) >= 1 and (time is not None or len(fitting) == 1):
            return fitting[0]
        if time is not None:
            # A free time of this tutor not on the short list ("6:30 works").
            for day in self._candidate_dates(days, dates):
                start = datetime.datetime.combine(day, time, tzinfo=self.now.tzinfo)
                found = offered_slot(tutor_id=offer.tutor_id, start=start, now=self.now)
                if found is not None:
                    return Slot(start=found.start, end=found.end, mode=found.mode)
        return None

    def _candidate_dates(self, days, dates) -> list[datetime.date]:
        if dates:
            return list(dates)
        offered = [s.start.date() for s in self.c.offer.slots]
        if days:
            offered = [d for d in offered if WEEKDAY_NAMES[d.weekday()] in days] or [
                self.now.date() + datetime.timedelta(days=n)
                for n in range(15)
                if WEEKDAY_NAMES[(self.now.date() + datetime.timedelta(days=n)).weekday()] in days
            ]
        return list(dict.fromkeys(offered))

    def _offer_turn(self) -> Reply | None:
        c = self.c
        offer = c.offer
        search = self.search
        if search is not None and search.same_tutor and not search.request.tutor_ids:
            # "does she have anything on friday": the tutor on offer, at the new time.
            wishes = self._merge(dataclasses.replace(c.wishes), search.request, new_subject=False)
            wishes.tutor_ids = (offer.tutor_id,)
            return self._run_search(wishes)
        if search is not None and (
            (search.request.tutor_ids and offer.tutor_id not in search.request.tutor_ids)
            or set(search.request.subjects) - set(offer.skills)
        ):
            return self._search(search.request)
        pick = self.act(Pick)
        if pick is not None and pick.order and offer.slots:
            ordered = sorted(offer.slots, key=lambda s: s.start)
            return self._start_form(ordered[0] if pick.order == "earliest" else ordered[-1])
        if pick is not None:
            slot = self._slot_for(
                pick.time, _tuple(pick.day), _tuple(pick.date), number=pick.number
            )
            if slot is not None:
                return self._start_form(slot)
            if pick.number is not None and not (pick.time or pick.day or pick.date):
                if self.notes.expecting == Expecting.TUTOR:
                    return None
                hour = _hour(pick.number)
                slot = self._slot_for(hour, (), (), number=None) if hour else None
                if slot is not None:  # "7 works" with four times listed: 7:00 PM
                    return self._start_form(slot)
                return Reply(
                    _("Please pick a number from 1 to %(count)s.") % {"count": len(offer.slots)}
                )
            if search is not None and (pick.day or pick.date or pick.time):
                # "no wait, tuesday was better after all. 6pm", "630 pm pls" when another
                # tutor has 6:30: a new search, not a pick from this list …
                reply = self._search(search.request)
                found = self.c.offer
                first = found.slots[0] if found is not None and found.slots else None
                if first is not None and pick.time and first.start.time() == pick.time:
                    if (not pick.day or first.day == pick.day) and (
                        not pick.date or first.start.date() == pick.date
                    ):
                        return self._start_form(first)  # … and the time picked is there
                return reply
            return Reply(
                _("%(tutor)s isn't free then. Their open times:") % {"tutor": offer.tutor_name}
                + "\n"
                + "\n".join(replies.numbered_times(offer.slots))
            )
        if offer.slots and (
            _EARLIEST.search(self.heard.text) or (self.act(Refine, kind=RefineKind.SOONEST))
        ):
            if not (search and (search.request.subjects or search.request.tutor_ids)):
                # "earliest pls", "whatevers soonest": the earliest of the times on offer.
                return self._start_form(min(offer.slots, key=lambda s: s.start))
        if _TODAYS.search(self.heard.text) and offer.slots:
            today = [s for s in offer.slots if s.start.date() == self.now.date()]
            if today:  # "today's": the (first) time offered today
                return self._start_form(min(today, key=lambda s: s.start))
        bare = _BARE_HOUR.search(self.heard.text)
        if bare and pick is None and search is None and offer.slots:
            hour = _hour(int(bare[1] or bare[2]))  # "11 is perfect"
            slot = self._slot_for(hour, (), (), number=None) if hour else None
            if slot is not None:
                return self._start_form(slot)
        hour = _hour_named(self.heard.text)
        if hour is not None and pick is None and search is None:
            slot = self._slot_for(hour, (), (), number=None)
            if slot is not None:  # "the 11 one"
                return self._start_form(slot)
        if self._yes() and offer.slots:
            slot = self._pinned_slot()
            if slot is not None:
                return self._start_form(slot)
            self.notes.expecting = Expecting.SLOT
            return Reply(replies.which_time(offer))
        refine = self.act(Refine)
        concrete = search is not None and (
            search.request.days
            or search.request.dates
            or search.request.time
            or search.request.part_of_day
        )
        relative = (RefineKind.SOMEONE_ELSE, RefineKind.OTHER_DAY)  # their days are refused ones
        if refine is not None and refine.kind not in relative and concrete:
            # "anytime tuesday morning", "next week thursday evening": the days and times said.
            return self._search(search.request)
        if refine is not None:
            return self._refine(refine)
        if _WHAT_TEACHES.search(self.heard.text) and not self.request.subjects:
            return self._resume(
                _("%(tutor)s teaches %(skills)s.")
                % {"tutor": offer.tutor_name, "skills": replies.list_subjects(list(offer.skills))},
                lead=False,
            )
        if _DAY_AFTER.search(self.heard.text) and offer.slots:
            # "what about the day after?": the day after the one offered, any tutor.
            wishes = dataclasses.replace(c.wishes, tutor_ids=())
            wishes.days, wishes.week = (), None
            wishes.dates = (offer.slots[0].start.date() + datetime.timedelta(days=1),)
            wishes.after = wishes.before = None
            return self._run_search(wishes)
        if self.act(Decline) and self.search is None:
            return self._other_tutors()
        if search is not None:
            request = search.request
            other_tutor = set(request.tutor_ids) - {offer.tutor_id}
            is_new = bool(request.subjects or request.courses or other_tutor)
            if not is_new:
                # "thursday at 6:30": the student may be picking one of the offered times.
                slot = self._slot_for(request.time, request.days, request.dates, number=None)
                if slot is not None and request.time is not None:
                    return self._start_form(slot)
            return self._search(request)
        if self.command(CommandKind.STOP):
            self.notes.expecting = None
            return Reply(_("Okay. Tell me whenever you'd like to look again."))
        if self.command(CommandKind.BACK):
            return Reply(replies.offer(offer, intro=_("Here are the open times again.")), offer)
        return None

    def _pinned_slot(self) -> Slot | None:
        """The one offered time the student's wish pins down, if their "yes" can mean only it."""
        offer = self.c.offer
        if len(offer.slots) == 1:
            return offer.slots[0]
        wishes = self.c.wishes
        first = offer.slots[0]
        if wishes.soonest and not (wishes.earliest or wishes.latest or wishes.part_of_day):
            return first
        if wishes.time is not None and first.start.time() == wishes.time:
            return first
        if wishes.time is not None:
            exact = [s for s in offer.slots if s.start.time() == wishes.time]
            days = [s for s in exact if not wishes.days or s.day in wishes.days]
            if wishes.dates:
                days = [s for s in days if s.start.date() in wishes.dates]
            if len(days) == 1:
                return days[0]
        return None

    def _wants_a_list(self) -> bool:
        """ "other tutors", "who else", "any other options": a list to choose from, rather
        than "someone else" / "no", which move straight on to the next tutor's times."""
        return bool(
            re.search(r"\b(?:tutors|options|others|who else|list|all)\b", self.heard.text, re.I)
        )

    def _other_tutors(self) -> Reply:
        c = self.c
        wishes = dataclasses.replace(c.wishes, tutor_ids=())
        if not wishes.subjects and c.offer is not None:
            wishes.subjects = c.offer.skills[:1]
        if c.offer is not None and c.offer.tutor_id not in self.notes.declined:
            self.notes.declined.append(c.offer.tutor_id)
        result = tutors_match(wishes.wish(), now=self.now, exclude_tutor_ids=self.notes.declined)
        if not result.matches:
            self.notes.declined = [c.offer.tutor_id] if c.offer else []
            return Reply(
                _("Nobody else fits this search. Try another day or time, or say *any day*?")
            )
        c.set_wishes(wishes, keep_declined=True)
        others = [offer_of(self._fitting(m)) for m in result.matches]
        if self._wants_a_list():
            c.set_offer(c.offer, others)
            self.notes.expecting = Expecting.TUTOR
            return Reply(replies.tutors_list(others, intro=_("Other tutors who can help:")))
        best = others[0]
        c.set_offer(best, others)
        self.notes.expecting = Expecting.SLOT
        intro = _("Here's someone else:")
        if len(others) > 1:
            intro = _(
                "Here's someone else (%(count)s more can help; say *other tutors* to see them):"
            ) % {"count": len(others) - 1}
        return Reply(replies.offer(best, intro=intro), best)

    def _tutors_turn(self) -> Reply | None:
        c = self.c
        pick = self.act(Pick)
        chosen = None
        if pick is not None and pick.number is not None:
            if not 1 <= pick.number <= len(c.shown):
                return Reply(
                    _("Please pick a number from 1 to %(count)s.") % {"count": len(c.shown)}
                )
            chosen = c.shown[pick.number - 1]
        elif self.request.tutor_ids and not self.request.subjects:
            chosen = next((o for o in c.shown if o.tutor_id in self.request.tutor_ids), None)
        elif self.request.subjects or self.request.unknown_subject:
            # "the accounting one": the listed tutor who teaches it.
            wanted = set(self.request.subjects) | {self.request.unknown_subject}
            teaching = [o for o in c.shown if wanted & set(o.skills)]
            chosen = teaching[0] if len(teaching) == 1 else None
        if chosen is None:
            return None
        wishes = self._merge(c.wishes, self.request, new_subject=False)
        if wishes.days or wishes.dates or wishes.time or wishes.earliest or wishes.part_of_day:
            # "is chris free monday" … "the accounting one": that Chris, on Monday.
            return self._run_search(dataclasses.replace(wishes, tutor_ids=(chosen.tutor_id,)))
        c.set_offer(chosen, c.shown)
        self.notes.expecting = Expecting.SLOT
        return Reply(replies.offer(chosen), chosen)

    # --- searching -----------------------------------------------------------------------------

    def _refine(self, refine: Refine) -> Reply:
        c = self.c
        kind = refine.kind
        if kind == RefineKind.SOMEONE_ELSE:
            return self._other_tutors()
        wishes = dataclasses.replace(c.wishes)
        if not wishes.subjects and c.offer is not None:
            wishes.subjects = c.offer.skills[:1]
        offered = c.offer.slots if c.offer else ()
        if kind == RefineKind.LATER and re.search(r"\bweek\b", self.heard.text, re.I):
            # "later in the week": the days after the one offered, any time.
            if offered:
                wishes.after = datetime.datetime.combine(
                    offered[0].start.date() + datetime.timedelta(days=1),
                    datetime.time(0),
                    tzinfo=self.now.tzinfo,
                )
            wishes.days, wishes.dates, wishes.week = (), (), None
            wishes.time = wishes.earliest = wishes.latest = wishes.part_of_day = None
        elif kind in (RefineKind.LATER, RefineKind.EARLIER):
            # Relative to the times shown on their first day: after the last, before the first.
            first_day = [s for s in offered if s.start.date() == offered[0].start.date()]
            wishes.clear_times()
            if first_day and kind == RefineKind.LATER:
                wishes.earliest = max(s.end for s in first_day).time()
                if _SAME_DAY.search(self.heard.text):  # "anything later that day?"
                    wishes.days, wishes.week = (), None
                    wishes.dates = (first_day[0].start.date(),)
            elif first_day:
                wishes.latest = min(s.start for s in first_day).time()
        elif kind == RefineKind.OTHER_DAY:
            # "another day", "mondays dont work": any weekday but the one(s) offered or named.
            refused = {slot.day for slot in offered[:1]} | set(self.request.days)
            wishes.days = tuple(day for day in WEEKDAY_NAMES if day not in refused)
            wishes.dates, wishes.week = (), None
            wishes.after = wishes.before = None
        elif kind == RefineKind.OTHER_TIME and c.offer is not None:
            # "other times?": more of this tutor's times, after the ones shown.
            wishes.tutor_ids = (c.offer.tutor_id,)
            wishes.time = wishes.earliest = wishes.latest = None
            wishes.part_of_day = None
            if offered:
                wishes.after = max(s.start for s in offered)
        elif kind == RefineKind.NEXT_WEEK:
            wishes.week, wishes.dates, wishes.after, wishes.before = "next", (), None, None
        elif kind == RefineKind.ANY_DAY:
            wishes.days, wishes.dates, wishes.week = (), (), None
            wishes.after = wishes.before = None
        elif kind == RefineKind.ONLINE:
            wishes.mode = "online"
        elif kind == RefineKind.ON_CAMPUS:
            wishes.mode = "on campus"
        elif kind == RefineKind.SOONEST:
            wishes.clear_times()
            wishes.days, wishes.dates, wishes.week, wishes.soonest = (), (), None, True
        if not wishes.subjects and not wishes.tutor_ids:
            self.notes.expecting = Expecting.SUBJECT
            c.set_wishes(wishes)
            return Reply(_("Which subject or class would you like help with?"))
        if c.offer is not None and kind not in (RefineKind.ONLINE, RefineKind.ON_CAMPUS):
            wishes.tutor_ids = wishes.tutor_ids or ()
        return self._run_search(wishes, prefer_tutor=c.offer.tutor_id if c.offer else None)

    def _merge(self, old: Wishes, request, *, new_subject: bool) -> Wishes:
        """A new search keeps what it does not replace: a new time replaces the old time."""
        wishes = Wishes() if new_subject else dataclasses.replace(old)
        if new_subject:
            wishes.mode = None
        if request.subjects:
            wishes.subjects = tuple(request.subjects)
        elif request.courses and not wishes.subjects:
            wishes.subjects = tuple(
                t.name
                for t in self.words.vocabulary.subjects
                if set(t.courses) & set(request.courses)
            )[:1]
        if request.days or request.dates or request.week or request.any_day:
            wishes.days = tuple(request.days)
            wishes.dates = tuple(request.dates)
            wishes.week = request.week
            wishes.after = wishes.before = None
        if (
            request.time
            or request.earliest
            or request.latest
            or request.part_of_day
            or request.soonest
        ):
            wishes.time = request.time
            wishes.earliest = request.earliest
            wishes.latest = request.latest
            wishes.part_of_day = request.part_of_day
            wishes.soonest = bool(request.soonest)
            wishes.after = wishes.before = None
        if request.mode:
            wishes.mode = request.mode
        if request.tutor_ids:
            wishes.tutor_ids = tuple(request.tutor_ids)
        elif new_subject or request.subjects:
            wishes.tutor_ids = ()
        wishes.text = self.heard.text[:2000]
        return wishes

    def _search(self, request, *, new_subject: bool | None = None) -> Reply:
        c = self.c
        titled = _TITLED_NAME.search(self.heard.text)
        if titled and not (request.tutor_ids or request.subjects or request.courses):
            # "with Professor Smith" and nothing else to search by (a professor beside a
            # subject is the student's teacher, not a tutor).
            return self._no_such_tutor(titled[1])
        if new_subject is None:
            named = set(request.subjects)
            new_subject = (
                bool(named)
                and (named != set(c.wishes.subjects) or self.notes.expecting != Expecting.SUBJECT)
                and not named <= set(c.wishes.subjects)
            )
        known_courses = [code for code in request.courses if code in self.words.courses]
        if (
            request.unknown_subject
            and not request.subjects
            and not known_courses
            and not request.tutor_ids
        ):
            return self._not_offered(request.unknown_subject)
        live = c.offer is not None or self.notes.expecting in (
            Expecting.SUBJECT,
            Expecting.TUTOR,
            Expecting.SLOT,
        )
        if new_subject and live and c.has_search:
            # "wait no, java not python": a new subject on the same search keeps its times.
            base = dataclasses.replace(c.wishes, tutor_ids=(), after=None, before=None)
            wishes = self._merge(base, request, new_subject=False)
        else:
            wishes = self._merge(
                c.wishes if c.has_search else Wishes(), request, new_subject=new_subject
            )
        if not wishes.subjects and not wishes.tutor_ids:
            c.set_wishes(wishes)
            self.notes.expecting = Expecting.SUBJECT
            return Reply(
                _("Which subject or class would you like help with? We cover %(subjects)s.")
                % {"subjects": replies.list_subjects(directory.subjects_covered())}
            )
        return self._run_search(wishes)

    def _no_such_tutor(self, name: str) -> Reply:
        """ "with Professor Smith": say there is no such tutor, and who teaches what."""
        text = _("We don't have a tutor called %(name)s.") % {"name": name.capitalize()}
        tutors = [full for _id, full in self.words.vocabulary.tutors][:12]
        if tutors:
            text += " " + _("Our tutors are %(names)s.") % {"names": replies.list_subjects(tutors)}
        text += " " + _("Tell me the subject and I'll find who can help.")
        self.notes.expecting = Expecting.SUBJECT if not self.c.offer else self.notes.expecting
        return Reply(text)

    def _not_offered(self, unknown: str) -> Reply:
        closest = directory.closest_subjects(unknown)
        text = replies.not_offered(unknown, closest, directory.subjects_covered())
        if self.c.form_open or (
            self.c.offer is not None and self.notes.expecting == Expecting.SLOT
        ):
            return self._resume(text, lead=False)
        self.notes.expecting = Expecting.SUBJECT
        return Reply(text)

    def _run_search(self, wishes: Wishes, *, prefer_tutor: int | None = None) -> Reply:
        reply = self._search_and_offer(wishes, prefer_tutor=prefer_tutor)
        c = self.c
        if c.offer is not None and c.offer.slots and _BOOK_IT.search(self.heard.text):
            slot = self._pinned_slot()  # "java w/ maya thursday 7pm and yes book it"
            if slot is not None and not c.form_open:
                return self._start_form(slot)
        return reply

    def _search_and_offer(self, wishes: Wishes, *, prefer_tutor: int | None = None) -> Reply:
        c = self.c
        c.set_wishes(wishes)
        wish = wishes.wish()
        result = tutors_match(wish, now=self.now)
        record_unmet_search(wish=wish, result=result)
        if len(wishes.tutor_ids) > 1 and self._one_first_name(wishes.tutor_ids):
            teaching = [t for t in wishes.tutor_ids if self._teaches(t, wishes.subjects)]
            if len(teaching) == 1:
                # "accounting with chris": the Chris who teaches accounting.
                wishes.tutor_ids = tuple(teaching)
                return self._run_search(wishes, prefer_tutor=prefer_tutor)
            return self._which_tutor(wishes)
        if wishes.tutor_ids:
            return self._present_named(result, wishes)
        return self._present(result, prefer_tutor=prefer_tutor)

    def _one_first_name(self, tutor_ids: tuple[int, ...]) -> bool:
        names = dict(self.words.vocabulary.tutors)
        firsts = {names[t].split()[0].lower() for t in tutor_ids if names.get(t)}
        return len(firsts) == 1

    def _which_tutor(self, wishes: Wishes) -> Reply:
        """ "book with chris" and two Chrises: list both, with their times, and ask."""
        offers = []
        for tutor_id in wishes.tutor_ids:
            found = directory.tutor_times(tutor_id, now=self.now, limit=4)
            if found is not None:
                offers.append(offer_of(found))
        self.c.set_offer(None, offers)
        self.notes.expecting = Expecting.TUTOR
        name = offers[0].first_name if offers else ""
        intro = _("We have %(count)s tutors called %(name)s:") % {
            "count": len(offers),
            "name": name,
        }
        return Reply(replies.tutors_list(offers, intro=intro))

    def _fitting(self, match: TutorMatch) -> TutorMatch:
        """Keep only the times in the part of day asked for, when some are."""
        part = self.c.wishes.part_of_day
        if not part:
            return match
        low, high = PARTS[part]
        inside = tuple(s for s in match.slots if low <= s.start.hour * 60 + s.start.minute < high)
        return dataclasses.replace(match, slots=inside) if inside else match

    def _present(
        self, result: MatchResult, *, prefer_tutor: int | None = None, intro: str = ""
    ) -> Reply:
        c = self.c
        if not result.matches:
            c.set_offer(None, [])
            self.notes.expecting = Expecting.SUBJECT if not c.wishes.subjects else None
            return Reply(
                result.explanation
                or _("I couldn't find a tutor for that. Try another day, time or subject.")
            )
        matches = [self._fitting(m) for m in result.matches]
        if prefer_tutor is not None:
            same = [m for m in matches if m.tutor.pk == prefer_tutor and m.slots]
            if same and matches[0].score <= same[0].score + 1e-9:
                matches.remove(same[0])
                matches.insert(0, same[0])
        best = offer_of(matches[0])
        shown = [offer_of(m) for m in matches]
        c.set_offer(best, shown)
        self.notes.expecting = Expecting.SLOT
        lead = "\n".join(filter(None, [intro, result.explanation]))
        return Reply(replies.offer(best, intro=lead), best)

    def _present_named(self, result: MatchResult, wishes: Wishes) -> Reply:
        c = self.c
        tutor_id = wishes.tutor_ids[0]
        own = [m for m in result.matches if m.tutor.pk == tutor_id and m.slots]
        if own:
            return self._present(
                MatchResult(matches=tuple(own), unmet=result.unmet, explanation=result.explanation)
            )
        elsewhere = getattr(result, "tutor_elsewhere", None)
        others = [m for m in result.matches if m.tutor.pk != tutor_id]
        if elsewhere is not None and elsewhere.slots:
            name = elsewhere.tutor.name.split()[0]
            best = offer_of(elsewhere)
            shown = [best] + [offer_of(m) for m in others]
            c.set_offer(best, shown)
            self.notes.expecting = Expecting.SLOT
            intro = _("%(name)s has nothing that fits that; here is what %(name)s does have.") % {
                "name": name
            }
            text = replies.offer(best, intro=intro)
            if others:
                text += "\n" + _("Others who fit your time: %(names)s (say *someone else*).") % {
                    "names": ", ".join(
                        f"{m.tutor.name} ({replies.moment_label(m.slots[0].start)})"
                        for m in others[:3]
                        if m.slots
                    )
                }
            return Reply(text, best)
        if others:
            return self._present(
                MatchResult(matches=tuple(others), unmet=result.unmet, explanation=""),
                intro=_("That tutor has no open times in the next two weeks; these fit:"),
            )
        c.set_offer(None, [])
        return Reply(_("That tutor has no open times in the next two weeks. Try another tutor?"))

    # --- small talk and fallbacks --------------------------------------------------------------

    def _small_talk_or_fallback(self) -> Reply:
        c = self.c
        titled = _TITLED_NAME.search(self.heard.text)
        if titled:
            return self._no_such_tutor(titled[1])
        if self.command(CommandKind.HELP):
            return self._resume(replies.help_text(), lead=False)
        if self.command(CommandKind.GREETING):
            return self._resume(_("Hi! What would you like help with, and when?"), lead=False)
        if self.command(CommandKind.THANKS):
            return self._resume(_("You're welcome! Anything else I can help with?"), lead=False)
        if self.command(CommandKind.STOP):
            self.notes.expecting = None
            return Reply(_("Okay. Tell me whenever you'd like to look for a tutor."))
        if self.command(CommandKind.BACK) and c.offer is not None:
            self.notes.expecting = Expecting.SLOT
            return Reply(replies.offer(c.offer, intro=_("Here are the open times again.")), c.offer)
        if self._yes() and c.offer is None and c.has_search and c.wishes.subjects:
            return self._run_search(c.wishes)
        if c.form_open and c.draft.slot is None:
            if c.offer is not None:
                self.notes.expecting = Expecting.SLOT
                return Reply(
                    replies.offer(c.offer, intro=_("Please pick one of these times first:")),
                    c.offer,
                )
            self.notes.expecting = Expecting.SUBJECT
            return Reply(
                _(
                    "Let's find a time first: which subject or class would you like help "
                    "with, and when? Your answers so far are kept."
                )
            )
        seed = self.heard.text + str(c.session.version)
        if self.notes.expecting == Expecting.SLOT and c.offer is not None and c.offer.slots:
            return Reply(replies.fallback_offer(c.offer, self.notes.last_reply, seed))
        if self.notes.expecting == Expecting.TUTOR and c.shown:
            return Reply(replies.fallback_tutors(self.notes.last_reply, seed))
        return Reply(replies.fallback_idle(self.notes.last_reply, seed))


_HOUR_NAMED = re.compile(
    r"\bthe (\d{1,2})(?::([0-5]\d))?\s*(am|pm|a\.m\.|p\.m\.)?\s*(?:o'?clock )?"
    r"(?:one|slot|time|session)\b",
    re.I,
)
_MOVE_TO_HOUR = re.compile(
    r"\b(?:to|at|for|till|til)\s+(\d{1,2})((?::[0-5]\d)?\s*(?:am|pm)?)(?![\d:/])", re.I
)
_EARLIEST = re.compile(
    r"^\W*(?:the |whatever'?s |whichever'?s |just )?(?:earliest|soonest|first available)"
    r"(?: one| time| slot)?(?: (?:pls|please|works|is fine|thx|thanks))?\W*$",
    re.I,
)
_WHAT_TEACHES = re.compile(
    r"\bwhat(?:'?s| does| do| else does)? (?:she|he|they|\w+) (?:teach|tutor|cover|do)\b", re.I
)
_TODAYS = re.compile(r"^\W*(?:the )?(?:todays|today'?s|today)(?: one| time| slot)?\W*$", re.I)
_BARE_HOUR = re.compile(
    r"^\W*(\d{1,2})\s+(?:is|works|would work|sounds)\b.{0,20}$|^\W*(\d{1,2})\s*(?:pls|please)\W*$",
    re.I,
)
_DAY_AFTER = re.compile(r"\b(?:the )?(?:day after|next day|following day)\b(?! tomorrow)", re.I)
_SAME_DAY = re.compile(r"\b(?:that|the same|same) day\b", re.I)
_TITLED_NAME = re.compile(
    r"\b(?:with|book|see)\s+(?:professor|prof|mr|mrs|ms|miss|dr|teacher)\.?\s+([a-z][\w'-]+)",
    re.I,
)
_BOOK_IT = re.compile(r"\b(?:yes |and |pls |please )*book (?:it|me in|that)\b", re.I)


def _corrected_name(current: str, given: str, text: str) -> str:
    """ "It is Katharine, with an a": one word replaces the closest word of the name given."""
    words = current.split()
    if len(given.split()) != 1 or len(words) < 2:
        return given
    if re.search(r"\blast name\b", text, re.I):
        return " ".join([*words[:-1], given])
    closest = max(
        range(len(words)),
        key=lambda i: difflib.SequenceMatcher(None, words[i].lower(), given.lower()).ratio(),
    )
    return " ".join(given if i == closest else word for i, word in enumerate(words))


def _hour_named(text: str) -> datetime.time | None:
    """ "the 11 one", "the 6:30 slot": an offered time named by its hour."""
    found = _HOUR_NAMED.search(text)
    if found is None:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    suffix = (found[3] or "").replace(".", "").lower()
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif not suffix:
        guess = _hour(hour)
        hour = guess.hour if guess else hour
    return datetime.time(hour, minute) if hour < 24 else None


def _hour(number: int) -> datetime.time | None:
    """A bare number as a clock hour, as the center reads them: 1-7 PM, 8-11 AM, 12 noon."""
    if not 1 <= number <= 12:
        return None
    return datetime.time(number + 12 if number <= 7 else number)


def _tuple(value) -> tuple:
    return () if value is None else (value,)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
