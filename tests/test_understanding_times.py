"""Time phrases as students type them: bounds, several days, weeks, due dates, soonest.

Pure: no database. The clock is fixed at Wednesday 2 December 2026.
"""

from datetime import date, time

import pytest

from chat.assistant.understanding import READ_LIMIT, Request, understand
from tests.understanding_roster import VOCABULARY

TODAY = date(2026, 12, 2)  # a Wednesday
THURSDAY = date(2026, 12, 3)
NEXT_TUESDAY = date(2026, 12, 8)


def request_of(text: str) -> Request:
    return understand(text, vocabulary=VOCABULARY, today=TODAY).request


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "point"),
    [
        ("thursday after 4", time(16), None, None),
        ("data structures thursday after 4", time(16), None, None),
        ("java thursday after 6 online", time(18), None, None),
        ("after 4pm", time(16), None, None),
        ("after 4:30", time(16, 30), None, None),
        ("python from 3 on", time(15), None, None),
        ("python 3pm or later", time(15), None, None),
        ("stats no earlier than 10", time(10), None, None),
        ("after my class at 2 on thursday", time(14), None, None),
        ("after my class ends at 2 on thursday", time(14), None, None),
        ("im free monday after 3", time(15), None, None),
        ("spanish after 7pm any weekday", time(19), None, None),
        ("python before noon", None, time(12), None),
        ("python today before noon", None, time(12), None),
        ("python by 3", None, time(15), None),
        ("linux monday until 5", None, time(17), None),
        ("linux monday no later than 4", None, time(16), None),
        ("linux tuesday between 2 and 5", time(14), time(17), None),
        ("linux tuesday btwn 2 and 5", time(14), time(17), None),
        ("python from 3 to 5", time(15), time(17), None),
        ("python 10-11am monday", time(10), time(11), None),
        ("python 11-1pm monday", time(11), time(13), None),
        ("python between 10 and noon", time(10), time(12), None),
        ("python at 3", None, None, time(15)),
        ("python around 3", None, None, time(15)),
        ("python monday 6:30", None, None, time(18, 30)),
        ("python 10ish", None, None, time(10)),
        ("wednesday after 5 or thursday morning", time(17), None, None),
        ("python monday evening after 8", time(20), None, None),
        ("im busy till 3 on monday", time(15), None, None),
        ("i work until 5 so after that", time(17), None, None),
    ],
)
def test_bounds_and_point_times_are_told_apart(text, earliest, latest, point):
    request = request_of(text)
    assert (request.earliest, request.latest, request.time) == (earliest, latest, point)


def test_a_quantity_is_not_a_bound():
    assert request_of("python monday after 2 hours of class").earliest is None


def test_a_bare_dash_range_without_am_or_pm_is_not_a_window():
    request = request_of("python 2-5 monday")
    assert (request.earliest, request.latest) == (None, None)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("java wednesday or thursday", ("Wednesday", "Thursday")),
        ("bio on tues or fri", ("Tuesday", "Friday")),
        ("python mon, wed or fri", ("Monday", "Wednesday", "Friday")),
        ("python thursday", ("Thursday",)),
        ("python mondays and wednesdays", ("Monday", "Wednesday")),
        ("chem this weekend", ("Saturday", "Sunday")),
        ("python weekdays after 5", ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
        ("spanish any weekday", ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
        ("sql mon-wed", ("Monday", "Tuesday", "Wednesday")),
        ("sql monday through thursday", ("Monday", "Tuesday", "Wednesday", "Thursday")),
        ("sql fri to sun", ("Friday", "Saturday", "Sunday")),
    ],
)
def test_every_day_mentioned_is_a_wish(text, days):
    assert request_of(text).days == days


@pytest.mark.parametrize("text", ["python not monday", "python any day but monday"])
def test_a_day_ruled_out_is_not_a_wish(text):
    assert "Monday" not in request_of(text).days


def test_the_first_day_still_fills_the_older_day_field():
    request = request_of("java wednesday or thursday")
    assert request.day == "Wednesday"


@pytest.mark.parametrize(
    "text",
    [
        "java hw due friday, can i meet wednesday or thursday evening online?",
        "my java homework is due friday. wednesday or thursday?",
        "java project due on friday, wed or thurs works",
        "exam is friday, java wednesday or thursday",
    ],
)
def test_a_due_date_is_not_a_day_to_meet(text):
    request = request_of(text)
    assert request.days == ("Wednesday", "Thursday")
    assert request.subjects == ("Java",)


def test_a_due_date_message_keeps_the_rest_of_the_wish():
    request = request_of("java hw due friday, can i meet wednesday or thursday evening online?")
    assert (request.part_of_day, request.mode) == ("evening", "online")


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("python tomorrow or this friday", (THURSDAY, date(2026, 12, 4))),
        ("python next tuesday", (NEXT_TUESDAY,)),
        ("python 12/3 or 12/8", (THURSDAY, NEXT_TUESDAY)),
        ("python today", (TODAY,)),
    ],
)
def test_every_date_mentioned_is_kept(text, dates):
    assert request_of(text).dates == dates


@pytest.mark.parametrize(
    ("text", "week"),
    [
        ("calc this week", "this"),
        ("discrete math sometime next week", "next"),
        ("what about next week", "next"),
        ("python next wk", "next"),
        ("chem this weekend", "this"),
        ("python monday", None),
        ("python next monday", None),
    ],
)
def test_weeks(text, week):
    assert request_of(text).week == week


@pytest.mark.parametrize(
    "text",
    [
        "i need help with python right now",
        "python asap",
        "whats the soonest i can get someone for mips",
        "earliest you have for stats",
        "next available python tutor",
        "first available sql",
        "python as soon as possible",
    ],
)
def test_soonest(text):
    assert request_of(text).soonest


@pytest.mark.parametrize(
    "text", ["python monday", "the earliest one", "do i have anything booked now"]
)
def test_not_soonest(text):
    assert not request_of(text).soonest


@pytest.mark.parametrize(
    "text",
    [
        "any day is fine",
        "c++ before noon any day",
        "chem, online only, whenever",
        "any time is fine",
        "anytime works",
        "physics help any evening",
        "im flexible",
    ],
)
def test_any_day(text):
    assert request_of(text).any_day


def test_any_evening_keeps_the_part_of_day():
    assert request_of("physics help any evening").part_of_day == "evening"


@pytest.mark.parametrize(
    "text",
    [
        "sql class thurs nite",
        "sql thursday night",
        "sql tonight",
        "sql tonite",
        "need help w/ javascript monday night",
        "python thursday evening",
        "python after dinner",
    ],
)
def test_night_words_mean_evening(text):
    assert request_of(text).part_of_day == "evening"


def test_tonight_is_today():
    assert request_of("sql tonite").on_date == TODAY


def test_a_request_at_the_end_of_a_long_message_is_read():
    text = "sorry for the long story. " * 120 + "python on monday please"
    assert 2000 < len(text) < READ_LIMIT
    request = request_of(text)
    assert (request.subjects, request.day) == (("Python",), "Monday")


def test_the_read_limit_is_four_thousand_characters():
    assert READ_LIMIT == 4000


@pytest.mark.parametrize(
    ("text", "day", "part", "mode"),
    [
        ("necesito ayuda con python el jueves por la tarde", "Thursday", "afternoon", None),
        ("python el lunes en linea", "Monday", None, "online"),
        ("python el viernes por la noche, presencial", "Friday", "evening", "on campus"),
    ],
)
def test_spanish_days_parts_and_modes(text, day, part, mode):
    request = request_of(text)
    assert (request.day, request.part_of_day, request.mode) == (day, part, mode)
