"""Matching results in words: why a tutor was offered, and which wishes could not be met.

Kept apart from the ranking (tutoring.ranking) so the order of tutors can change without
touching a sentence, and the sentences without touching the order. Times use
tutoring.labels, on a 12-hour clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import dateformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from tutoring.center import center_zone
from tutoring.labels import slot_label, time_label
from tutoring.models import Mode, PartOfDay, Tutor, Weekday
from tutoring.slots import OfferedSlot

if TYPE_CHECKING:  # ranking imports this module; the names are for type hints only
    from tutoring.ranking import Candidate, TutorMatch, Wish, _Ranking


def when(slot: OfferedSlot) -> str:
    """Return "Monday Dec 7 at 10:00 AM"."""
    return _("%(date)s at %(time)s") % {
        "date": dateformat.format(slot.start, "l M j"),
        "time": time_label(slot.start),
    }


def _dates_words(dates: Iterable[datetime.date]) -> str:
    return get_text_list([dateformat.format(d, "l M j") for d in dates], _("or"))


def day_words(wish: Wish) -> str:
    """Return the wished day: "Thursday", "Wednesday or Thursday", "Monday Dec 7", "next week"."""
    if wish.dates:
        return _dates_words(wish.dates)
    days = get_text_list([str(Weekday(day).label) for day in wish.days], _("or"))
    week = {"this": _("this week"), "next": _("next week")}.get(wish.week or "", "")
    if days and week:
        return _("%(days)s %(week)s") % {"days": days, "week": week}
    return days or week


def _part_words(part: str) -> str:
    return {
        PartOfDay.MORNING: _("in the morning"),
        PartOfDay.AFTERNOON: _("in the afternoon"),
        PartOfDay.EVENING: _("in the evening"),
    }[PartOfDay(part)]


def _moment(moment: datetime.datetime, wish: Wish) -> str:
    local = moment.astimezone(center_zone())
    # "on Thursday Dec 3 after 8:00 PM", not "... after Thu Dec 3, 8:00 PM" again.
    if wish.dates == (local.date(),):
        return time_label(local)
    return slot_label(local)


def wish_words(wish: Wish, which: Iterable[str]) -> list[str]:
    """Return phrases for the given wishes among ``which``: "on Sunday", "at 10:00 AM"…"""
    which = set(which)
    words = []
    if "day" in which and wish.wants_day:
        text = day_words(wish)
        # "next week" stands alone; a weekday or date takes "on".
        only_week = wish.week and not (wish.days or wish.dates)
        words.append(text if only_week else _("on %(day)s") % {"day": text})
    if "after" in which and wish.after is not None:
        words.append(_("after %(when)s") % {"when": _moment(wish.after, wish)})
    if "before" in which and wish.before is not None:
        words.append(_("before %(when)s") % {"when": _moment(wish.before, wish)})
    earliest = wish.earliest if "earliest" in which else None
    latest = wish.latest if "latest" in which else None
    if earliest is not None and latest is not None:
        words.append(
            _("between %(start)s and %(end)s")
            % {"start": time_label(earliest), "end": time_label(latest)}
        )
    elif earliest is not None:
        words.append(_("from %(time)s on") % {"time": time_label(earliest)})
    elif latest is not None:
        words.append(_("ending by %(time)s") % {"time": time_label(latest)})
    if "time" in which and wish.time is not None:
        words.append(_("at %(time)s") % {"time": time_label(wish.time)})
    elif "part_of_day" in which and wish.part_of_day is not None:
        words.append(_part_words(wish.part_of_day))
    if "mode" in which and wish.mode is not None:
        words.append(str(Mode(wish.mode).label))
    return words


ALL_WHEN = ("day", "after", "before", "earliest", "latest", "time", "part_of_day", "mode")


def reasoning(
    candidate: Candidate, wish: Wish, names: dict[str, str], *, any_subject: bool = False
) -> str:
    """Return why this tutor: "Teaches Python; free Monday Dec 7 at 10:00 AM, online.".

    ``any_subject``: the subjects were alternatives, so those not taught go unsaid.
    """
    if names:
        teaches = get_text_list(candidate.covered, _("and"))
        missing = [name for name in names.values() if name not in candidate.covered]
        if any_subject:
            missing = []
        if missing:
            teaches = _("%(taught)s (not %(missing)s)") % {
                "taught": teaches,
                "missing": get_text_list(missing, _("or")),
            }
    else:
        teaches = get_text_list([s.name for s in candidate.tutor.subjects.all()][:3], _("and"))
    look = candidate.best
    text = _("Teaches %(subjects)s; free %(when)s, %(mode)s") % {
        "subjects": teaches,
        "when": when(look.slot),
        "mode": Mode(look.slot.mode).label,
    }
    missed = wish_words(wish, look.missed)
    if missed:
        text += " " + _("(not %(wishes)s)") % {"wishes": ", ".join(missed)}
    return text + "."


def explain(wish: Wish, ranking: _Ranking) -> tuple[set[str], str]:
    """Return the wishes not met and one or two sentences saying so ("" when all are met)."""
    names, untaught, hidden = ranking.names, ranking.untaught, ranking.hidden
    any_subject = ranking.any_subject
    if any_subject:
        untaught = []
    ranked = ranking.candidates
    unmet: set[str] = set()
    sentences: list[str] = []
    if untaught:
        unmet.add("subjects")
        nobody = [names[key] for key in untaught if key not in hidden]
        others = [names[key] for key in untaught if key in hidden]
        if nobody:
            sentences.append(
                _("No tutor teaches %(subjects)s.") % {"subjects": get_text_list(nobody, _("or"))}
            )
        if others:
            sentences.append(
                _("No other tutor teaches %(subjects)s.")
                % {"subjects": get_text_list(others, _("or"))}
            )

    taught = [names[key] for key in names if key not in untaught]
    if not ranked:
        days = settings.BOOKING_HORIZON_DAYS
        if taught:
            unmet.add("subjects")
            sentences.append(
                _("Everyone who teaches %(subjects)s is fully booked for the next %(days)s days.")
                % {"subjects": get_text_list(taught, _("or")), "days": days}
            )
        elif not names:
            sentences.append(
                _("No tutor has a free session in the next %(days)s days.") % {"days": days}
            )
        return unmet, " ".join(sentences)

    top = ranked[0]
    if len(top.covered) < len(taught) and not any_subject:
        unmet.add("subjects")
        sentences.append(
            _("No tutor teaches all of %(subjects)s; %(tutor)s teaches %(covered)s.")
            % {
                "subjects": get_text_list(taught, _("and")),
                "tutor": top.tutor.name,
                "covered": get_text_list(top.covered, _("and")),
            }
        )

    look = top.best
    if look.missed:
        unmet.update(look.missed)
        # Say the whole wish: "free on Sunday" alone may be true on campus but not online.
        wished = " ".join(wish_words(wish, ALL_WHEN))
        subjects = get_text_list(top.covered, _("and"))
        if subjects:
            nobody = _("Nobody is free for %(subjects)s %(wish)s") % {
                "subjects": subjects,
                "wish": wished,
            }
        else:
            nobody = _("Nobody is free %(wish)s") % {"wish": wished}
        sentences.append(
            _("%(nobody)s; the nearest is %(when)s (%(mode)s) with %(tutor)s.")
            % {
                "nobody": nobody,
                "when": when(look.slot),
                "mode": Mode(look.slot.mode).label,
                "tutor": top.tutor.name,
            }
        )
    return unmet, " ".join(sentences)


def named_tutor_sentence(
    wish: Wish, *, tutor: Tutor | None, elsewhere: TutorMatch | None, missing: list[str]
) -> str:
    """Return what a named tutor cannot do, and when they are free instead."""
    if tutor is None:
        return ""
    if missing:
        text = _("%(tutor)s does not teach %(subjects)s.") % {
            "tutor": tutor.name,
            "subjects": get_text_list(missing, _("or")),
        }
    else:
        wished = " ".join(wish_words(wish, ALL_WHEN))
        text = (
            _("%(tutor)s is not free %(wish)s.") % {"tutor": tutor.name, "wish": wished}
            if wished
            else ""
        )
    if elsewhere is None:
        free = _("%(tutor)s has no open time in the next %(days)s days.") % {
            "tutor": tutor.name,
            "days": settings.BOOKING_HORIZON_DAYS,
        }
    else:
        free = _("%(tutor)s's next open time is %(when)s.") % {
            "tutor": tutor.name,
            "when": when(elsewhere.slots[0]),
        }
    return " ".join(part for part in (text, free) if part)


def directory_reasoning(tutor: Tutor, slots: tuple[OfferedSlot, ...]) -> str:
    """Return "Teaches Java and Python; next free Thursday Dec 3 at 6:00 PM, online."."""
    teaches = get_text_list([s.name for s in tutor.subjects.all()], _("and"))
    if not slots:
        return _("Teaches %(subjects)s; no open time in the next %(days)s days.") % {
            "subjects": teaches,
            "days": settings.BOOKING_HORIZON_DAYS,
        }
    return _("Teaches %(subjects)s; next free %(when)s, %(mode)s.") % {
        "subjects": teaches,
        "when": when(slots[0]),
        "mode": Mode(slots[0].mode).label,
    }
