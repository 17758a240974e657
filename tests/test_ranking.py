"""Matching tutors and sessions to a wish (tutoring.ranking, tutoring.slots), its JSON routes.

The clock is frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific (conftest.CENTER_NOW): the
bookable window runs from 11:00 AM that day (two hours' notice) to Wednesday Dec 16, 9:00 AM.
"""

import json
from dataclasses import replace
from datetime import date, datetime, time

import pytest

from chat.schemas import Match
from tests.tutors import book, local, make_tutor
from tutoring.models import Tutor
from tutoring.ranking import Wish, tutors_match
from tutoring.slots import upcoming_slots

pytestmark = pytest.mark.django_db


def names(result) -> list[str]:
    return [match.tutor.name for match in result.matches]


def starts(match) -> list[datetime]:
    return [slot.start for slot in match.slots]


# --- Subjects --------------------------------------------------------------------------------


def test_a_tutor_is_found_by_the_subject_name(frozen_clock, ada_weekly, ben_weekly):
    assert names(tutors_match(Wish(subjects=("Python",)))) == ["Ada Lin"]
    assert names(tutors_match(Wish(subjects=("MIPS Assembly",)))) == ["Ben Ortiz"]


def test_subject_names_are_matched_whatever_their_case(frozen_clock, ada_weekly, ben_weekly):
    assert names(tutors_match(Wish(subjects=("python",)))) == ["Ada Lin"]


def test_a_tutor_teaching_more_of_the_wished_subjects_ranks_first(frozen_clock, ada_weekly):
    # Cy is free on Wednesday evening as wished and Ada only in the day (a soft wish, a
    # time of day), but Ada teaches both subjects.
    make_tutor("Cy Moss", ["Python"], ("Wednesday", "17:00", "19:00", "online", ""))

    result = tutors_match(Wish(subjects=("Python", "C++"), day="Wednesday", part_of_day="evening"))

    assert names(result) == ["Ada Lin", "Cy Moss"]
    assert result.matches[0].score > result.matches[1].score
    assert result.matches[1].reasoning.startswith("Teaches Python (not C++)")


def test_a_tutor_teaching_none_of_the_wished_subjects_is_never_offered(
    frozen_clock, ada_weekly, ben_weekly
):
    # Ben is not free on Wednesday and Ada is, but Ada does not teach MIPS.
    result = tutors_match(Wish(subjects=("MIPS Assembly",), day="Wednesday"))

    assert names(result) == ["Ben Ortiz"]
    assert result.unmet == ("day",)


def test_without_subjects_every_active_tutor_is_a_candidate(frozen_clock, ada_weekly, ben_weekly):
    Tutor.objects.filter(pk=ben_weekly.pk).update(is_active=False)
    make_tutor("Cy Moss", ["Python"], ("Thursday", "10:00", "12:00", "online", ""))

    assert names(tutors_match(Wish())) == ["Ada Lin", "Cy Moss"]


# --- Day, date, time, part of day, mode -------------------------------------------------------


def test_a_wished_weekday_offers_that_days_sessions_first(frozen_clock, ada_weekly):
    result = tutors_match(Wish(subjects=("Python",), day="Monday"))

    assert starts(result.matches[0]) == [
        local(12, 7, h, m) for h, m in [(10, 0), (10, 30), (11, 0), (11, 30)]
    ]
    assert result.unmet == ()
    assert result.explanation == ""


def test_a_wished_date_offers_that_dates_sessions(frozen_clock, ada_weekly):
    result = tutors_match(Wish(on_date=date(2026, 12, 9), day="Monday"))

    assert result.matches[0].slots[0].start == local(12, 9, 8)
    assert result.unmet == ()


def test_sessions_closest_to_the_wished_time_come_first_on_the_soonest_date(
    frozen_clock, ada_weekly
):
    # Equally good sessions come in date order: Monday Dec 14 at 11 only after Dec 7's.
    result = tutors_match(Wish(subjects=("Python",), day="Monday", time=time(11, 0)))

    assert starts(result.matches[0]) == [
        local(12, 7, 11),
        local(12, 7, 10, 30),
        local(12, 7, 11, 30),
        local(12, 7, 10),
    ]
    assert result.unmet == ()


def test_the_tutor_free_closest_to_the_wished_time_ranks_first(frozen_clock, ada_weekly):
    # Aaron sorts first by name and is free an hour later than wished; Ada exactly then.
    make_tutor("Aaron Diaz", ["Python"], ("Wednesday", "16:00", "17:00", "on campus", ""))

    result = tutors_match(Wish(subjects=("Python",), day="Wednesday", time=time(15, 0)))

    assert names(result) == ["Ada Lin", "Aaron Diaz"]
    assert result.matches[0].slots[0].start == local(12, 2, 15)
    assert result.matches[0].score > result.matches[1].score


def test_a_wished_part_of_day_offers_sessions_in_it(frozen_clock, ada_weekly):
    result = tutors_match(Wish(subjects=("Python",), part_of_day="afternoon"))

    assert result.matches[0].slots[0].start == local(12, 2, 14)
    assert all(12 <= slot.start.hour < 17 for slot in result.matches[0].slots)


def test_a_wished_mode_offers_sessions_in_that_mode_with_their_place(frozen_clock, ada_weekly):
    slot = tutors_match(Wish(subjects=("Python",), mode="on campus")).matches[0].slots[0]

    assert (slot.start, slot.mode, slot.location) == (local(12, 2, 14), "on campus", "Room 204")


def test_a_perfect_fit_scores_one_and_says_why(frozen_clock, ada_weekly):
    match = tutors_match(Wish(subjects=("Python",), day="Monday", time=time(10))).matches[0]

    assert match.score == 1.0
    assert match.reasoning == "Teaches Python; free Monday Dec 7 at 10:00 AM, online."


# --- Who is left out ---------------------------------------------------------------------------


def test_excluded_tutors_are_left_out(frozen_clock, ada_weekly, ben_weekly):
    assert names(tutors_match(Wish(), exclude_tutor_ids=[ada_weekly.pk])) == ["Ben Ortiz"]


def test_only_the_named_tutors_are_considered_when_asked(frozen_clock, ada_weekly, ben_weekly):
    assert names(tutors_match(Wish(), only_tutor_ids=[ben_weekly.pk])) == ["Ben Ortiz"]


def test_inactive_tutors_are_never_offered(frozen_clock, ada_weekly):
    Tutor.objects.filter(pk=ada_weekly.pk).update(is_active=False)

    result = tutors_match(Wish(subjects=("Python",)))

    assert result.matches == ()
    assert result.explanation == "No tutor teaches Python."


# --- Saying what could not be met ----------------------------------------------------------------


def test_a_day_nobody_is_free_is_reported_with_the_nearest_offer(frozen_clock, ada_weekly):
    result = tutors_match(Wish(subjects=("Python",), day="Sunday"))

    assert result.unmet == ("day",)
    assert result.explanation == (
        "Nobody is free for Python on Sunday; the nearest is Monday Dec 7 at 10:00 AM (online) "
        "with Ada Lin."
    )
    assert result.matches[0].reasoning.endswith("(not on Sunday).")


def test_a_time_nobody_is_free_keeps_the_day_and_reports_the_time(frozen_clock, ada_weekly):
    result = tutors_match(Wish(subjects=("Python",), day="Monday", time=time(7, 0)))

    assert result.unmet == ("time",)
    assert result.matches[0].slots[0].start == local(12, 7, 10)
    assert result.explanation.startswith(
        "Nobody is free for Python on Monday at 7:00 AM; the nearest is Monday Dec 7 at 10:00 AM"
    )


def test_the_mode_is_kept_before_the_day_when_both_cannot_be_met(frozen_clock, ben_weekly):
    # Ben is on campus on Mondays and online on Thursdays.
    result = tutors_match(Wish(subjects=("MIPS Assembly",), day="Monday", mode="online"))

    assert result.unmet == ("day",)
    slot = result.matches[0].slots[0]
    assert (slot.start, slot.mode) == (local(12, 3, 18), "online")


def test_a_part_of_day_nobody_is_free_is_reported(frozen_clock, ben_weekly):
    result = tutors_match(Wish(subjects=("MIPS Assembly",), part_of_day="morning", mode="online"))

    assert result.unmet == ("part_of_day",)
    assert "Nobody is free for MIPS Assembly in the morning online" in result.explanation


def test_a_subject_nobody_teaches_is_said_plainly(frozen_clock, ada_weekly):
    result = tutors_match(Wish(subjects=("Cobol",)))

    assert result.matches == ()
    assert result.unmet == ("subjects",)
    assert result.explanation == "No tutor teaches Cobol."


def test_a_subject_nobody_teaches_does_not_hide_the_ones_taught(frozen_clock, ada_weekly):
    result = tutors_match(Wish(subjects=("Python", "Cobol")))

    assert names(result) == ["Ada Lin"]
    assert result.unmet == ("subjects",)
    assert result.explanation == "No tutor teaches Cobol."


def test_when_no_tutor_teaches_all_wished_subjects_it_says_so(frozen_clock, ada_weekly, ben_weekly):
    result = tutors_match(Wish(subjects=("Python", "MIPS Assembly")))

    assert set(names(result)) == {"Ada Lin", "Ben Ortiz"}
    assert result.unmet == ("subjects",)
    assert result.explanation.startswith("No tutor teaches all of Python and MIPS Assembly;")


def test_excluding_the_only_tutor_of_a_subject_says_no_other_tutor_teaches_it(
    frozen_clock, ada_weekly
):
    result = tutors_match(Wish(subjects=("Python",)), exclude_tutor_ids=[ada_weekly.pk])

    assert result.matches == ()
    assert result.explanation == "No other tutor teaches Python."


def test_a_fully_booked_subject_is_reported_as_such(frozen_clock, ben_weekly):
    for start in upcoming_slots(tutors=[ben_weekly], now=frozen_clock)[ben_weekly.pk]:
        book(ben_weekly, start.start)

    result = tutors_match(Wish(subjects=("MIPS Assembly",)))

    assert result.matches == ()
    assert result.unmet == ("subjects",)
    assert result.explanation == (
        "Everyone who teaches MIPS Assembly is fully booked for the next 14 days."
    )


# --- Order, shapes, queries --------------------------------------------------------------------


def test_ties_are_broken_by_start_time_then_tutor_name(frozen_clock):
    window = ("Thursday", "10:00", "11:00", "online", "")
    make_tutor("Zoe Hart", ["Python"], window)
    make_tutor("Abe Cole", ["Python"], window)
    make_tutor("Max Webb", ["Python"], ("Thursday", "09:30", "10:00", "online", ""))

    result = tutors_match(Wish(subjects=("Python",)))

    assert names(result) == ["Max Webb", "Abe Cole", "Zoe Hart"]
    assert names(tutors_match(Wish(subjects=("Python",)))) == names(result)


def test_scores_are_between_zero_and_one_and_never_rise_down_the_list(frozen_clock, ada_weekly):
    make_tutor("Cy Moss", ["Python"], ("Saturday", "10:00", "12:00", "on campus", ""))
    make_tutor("Di Long", ["Python"], ("Sunday", "19:00", "20:00", "online", ""))

    result = tutors_match(Wish(subjects=("Python",), day="Sunday", time=time(10), mode="online"))

    scores = [match.score for match in result.matches]
    assert all(0 <= score <= 1 for score in scores)
    assert scores == sorted(scores, reverse=True)


def test_limit_and_slots_per_tutor_bound_the_result(frozen_clock, ada_weekly, ben_weekly):
    result = tutors_match(Wish(), limit=1, slots_per_tutor=2)

    assert len(result.matches) == 1
    assert len(result.matches[0].slots) == 2


def test_a_match_renders_in_the_shape_the_chat_session_stores(frozen_clock, ada_weekly):
    match = tutors_match(Wish(subjects=("Python",))).matches[0]

    data = match.as_json()

    assert Match.model_validate(data).tutor.id == ada_weekly.pk
    assert data["tutor"] == {
        "id": ada_weekly.pk,
        "name": "Ada Lin",
        "pronouns": "she/her",
        "bio": "Loves recursion.",
        "skills": ["C++", "Python"],
    }


@pytest.mark.parametrize("count", [3, 12])
def test_matching_runs_a_constant_number_of_queries(
    frozen_clock, django_assert_max_num_queries, count
):
    for number in range(count):
        tutor = make_tutor(
            f"Tutor {number:02}",
            ["Python", f"Subject {number}"],
            ("Monday", "10:00", "12:00", "online", ""),
            ("Thursday", "14:00", "15:00", "on campus", ""),
        )
        book(tutor, local(12, 7, 10))

    with django_assert_max_num_queries(4):
        result = tutors_match(Wish(subjects=("Python",), day="Monday"), limit=20)
        for match in result.matches:
            [subject.name for subject in match.tutor.subjects.all()]
    with django_assert_max_num_queries(4):
        tutors_match(Wish(), limit=20)

    assert len(result.matches) == count
    assert all(match.slots[0].start == local(12, 7, 10, 30) for match in result.matches)


# --- HTTP: /api/tutors and /api/match ---------------------------------------------------------


def post_match(client, body) -> tuple[int, dict]:
    response = client.post("/api/match", data=json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_the_tutor_directory_lists_active_tutors_with_subjects_and_weekly_hours(
    client, ada_weekly, ben_weekly
):
    Tutor.objects.create(name="Gone Away", email="gone@example.edu", is_active=False)

    response = client.get("/api/tutors")

    assert response.status_code == 200
    tutors = response.json()["tutors"]
    assert [t["name"] for t in tutors] == ["Ada Lin", "Ben Ortiz"]
    assert tutors[1] == {
        "id": ben_weekly.pk,
        "name": "Ben Ortiz",
        "pronouns": "he/him",
        "bio": "Registers!",
        "skills": ["MIPS Assembly"],
        "availability": [
            {"day": "Monday", "start": "10:00", "end": "11:00", "mode": "on campus"},
            {"day": "Thursday", "start": "18:00", "end": "19:00", "mode": "online"},
        ],
    }


def test_one_tutor_is_served_by_id(client, ada_weekly):
    response = client.get(f"/api/tutors/{ada_weekly.pk}")

    assert response.status_code == 200
    assert response.json()["skills"] == ["C++", "Python"]
    assert len(response.json()["availability"]) == 3


@pytest.mark.parametrize("path", ["/api/tutors/999999", "/api/tutors/abc"])
def test_an_unknown_tutor_is_a_json_404(client, ada_weekly, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert response.json()["message"]


def test_an_inactive_tutor_is_a_404(client, ada_weekly):
    Tutor.objects.filter(pk=ada_weekly.pk).update(is_active=False)

    assert client.get(f"/api/tutors/{ada_weekly.pk}").status_code == 404


def test_the_match_route_returns_tutors_slots_and_what_was_unmet(client, frozen_clock, ada_weekly):
    status, body = post_match(client, {"skill": ["python"], "day": "Monday", "time": "10:00"})

    assert status == 200
    assert set(body) == {"matches", "unmet", "explanation"}
    assert (body["unmet"], body["explanation"]) == ([], "")
    first = body["matches"][0]
    assert set(first) == {"tutor", "matchScore", "reasoning", "availableSlots"}
    assert (first["tutor"]["name"], first["matchScore"]) == ("Ada Lin", 1.0)
    assert first["availableSlots"][0] == {
        "day": "Monday",
        "time": "10:00-10:30",
        "mode": "online",
        "start": "2026-12-07T10:00:00-08:00",
    }


def test_the_match_route_understands_a_date_part_of_day_and_mode(client, frozen_clock, ada_weekly):
    status, body = post_match(
        client, {"date": "2026-12-09", "partOfDay": "afternoon", "mode": "on campus"}
    )

    assert status == 200
    assert body["matches"][0]["availableSlots"][0]["start"] == "2026-12-09T14:00:00-08:00"


def test_the_match_route_reports_an_unmet_day(client, frozen_clock, ada_weekly):
    status, body = post_match(client, {"skill": ["Python"], "day": "Sunday"})

    assert status == 200
    assert body["unmet"] == ["day"]
    assert "the nearest is Monday Dec 7 at 10:00 AM" in body["explanation"]


def test_the_match_route_refuses_unknown_subjects_by_name(client, frozen_clock, ada_weekly):
    status, body = post_match(client, {"skill": ["Python", "Cobol", "Fortran"]})

    assert status == 400
    assert body["error"] == "bad_request"
    assert "Unknown subject: Cobol, Fortran." in body["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"day": "Funday"},
        {"time": "25:00"},
        {"time": "10am"},
        {"date": "2026-02-30"},
        {"date": "12/07/2026"},
        {"partOfDay": "night"},
        {"mode": "hybrid"},
        {"skill": "Python"},
        {"skill": [1]},
        {"skills": ["Python"]},
        {"skill": ["Python"], "extra": True},
    ],
)
def test_the_match_route_refuses_bad_input_with_a_json_400(client, frozen_clock, ada_weekly, body):
    status, answer = post_match(client, body)

    assert status == 400
    assert set(answer) >= {"error", "message"}


def test_the_match_route_only_accepts_post(client, ada_weekly):
    response = client.get("/api/match")

    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


# --- Issue 9: several days, dates, weeks, time windows, later/earlier, soonest ---------------


@pytest.fixture
def cy_weekly(db) -> Tutor:
    """Cy (Python): Tuesday, Thursday and Friday 10-12 online; Thursday 16-17 on campus."""
    return make_tutor(
        "Cy Moss",
        ["Python"],
        ("Tuesday", "10:00", "12:00", "online", ""),
        ("Thursday", "10:00", "12:00", "online", ""),
        ("Thursday", "16:00", "17:00", "on campus", "Room 12"),
        ("Friday", "10:00", "12:00", "online", ""),
    )


def every_slot(result) -> list:
    return [slot for match in result.matches for slot in match.slots]


def test_any_of_several_weekdays_is_kept_by_every_offered_slot(frozen_clock, cy_weekly):
    result = tutors_match(
        Wish(subjects=("Python",), days=("Tuesday", "Friday")), slots_per_tutor=50
    )

    assert {slot.day for slot in every_slot(result)} == {"Tuesday", "Friday"}
    assert result.matches[0].slots[0].start == local(12, 4, 10)
    assert result.unmet == ()


def test_any_of_several_dates_is_kept_by_every_offered_slot(frozen_clock, cy_weekly):
    wanted = (date(2026, 12, 10), date(2026, 12, 8))

    result = tutors_match(Wish(dates=wanted), slots_per_tutor=50)

    assert {slot.start.date() for slot in every_slot(result)} == set(wanted)
    assert result.matches[0].slots[0].start == local(12, 8, 10)


def test_this_week_runs_from_now_to_sunday(frozen_clock, cy_weekly):
    result = tutors_match(Wish(week="this"), slots_per_tutor=50)

    assert {slot.start.date() for slot in every_slot(result)} == {
        date(2026, 12, 3),
        date(2026, 12, 4),
    }


def test_next_week_runs_from_next_monday_to_sunday_and_combines_with_a_weekday(
    frozen_clock, cy_weekly
):
    everything = every_slot(tutors_match(Wish(week="next"), slots_per_tutor=50))
    tuesdays = every_slot(tutors_match(Wish(week="next", days=("Tuesday",)), slots_per_tutor=50))

    assert {slot.start.date() for slot in everything} == {
        date(2026, 12, 8),
        date(2026, 12, 10),
        date(2026, 12, 11),
    }
    assert {slot.start.date() for slot in tuesdays} == {date(2026, 12, 8)}


def test_earliest_keeps_sessions_starting_at_or_after_it(frozen_clock, ada_weekly):
    result = tutors_match(Wish(day="Wednesday", earliest=time(14)), slots_per_tutor=50)

    assert every_slot(result)
    assert all(slot.start.time() >= time(14) for slot in every_slot(result))
    assert result.matches[0].slots[0].start == local(12, 2, 14)


def test_latest_keeps_sessions_that_end_by_it(frozen_clock, ada_weekly):
    result = tutors_match(Wish(on_date=date(2026, 12, 2), latest=time(12)), slots_per_tutor=50)

    assert [slot.start for slot in every_slot(result)] == [local(12, 2, 11), local(12, 2, 11, 30)]


def test_a_time_range_keeps_both_ends(frozen_clock, cy_weekly):
    wish = Wish(day="Thursday", earliest=time(10, 30), latest=time(11, 30))

    result = tutors_match(wish, slots_per_tutor=50)

    assert sorted({slot.start.time() for slot in every_slot(result)}) == [
        time(10, 30),
        time(11),
    ]


def test_later_than_the_offered_time_keeps_only_later_starts(frozen_clock, cy_weekly):
    offered = local(12, 3, 10, 30)

    result = tutors_match(Wish(dates=(offered.date(),), after=offered), slots_per_tutor=50)

    assert [slot.start for slot in every_slot(result)] == [
        local(12, 3, 11),
        local(12, 3, 11, 30),
        local(12, 3, 16),
        local(12, 3, 16, 30),
    ]


def test_nothing_later_that_day_moves_to_the_next_day_and_says_so(frozen_clock, cy_weekly):
    offered = local(12, 3, 16, 30)

    result = tutors_match(Wish(dates=(offered.date(),), after=offered))

    assert result.matches[0].slots[0].start == local(12, 4, 10)
    assert result.unmet == ("day",)
    assert result.explanation.startswith(
        "Nobody is free on Thursday Dec 3 after 4:30 PM; the nearest is Friday Dec 4 at 10:00 AM"
    )


def test_earlier_than_the_offered_time_keeps_only_earlier_starts(frozen_clock, cy_weekly):
    offered = local(12, 8, 11)

    result = tutors_match(Wish(before=offered), slots_per_tutor=50)

    assert every_slot(result)
    assert all(slot.start < offered for slot in every_slot(result))


def test_soonest_ranks_by_start_alone(frozen_clock, ada_weekly, cy_weekly):
    result = tutors_match(Wish(subjects=("Python",), soonest=True, time=time(15)))

    assert result.matches[0].tutor == ada_weekly
    assert starts(result.matches[0]) == [
        local(12, 2, h, m) for h, m in [(11, 0), (11, 30), (14, 0), (14, 30)]
    ]


def test_equally_good_slots_come_in_date_order(frozen_clock, ben_weekly):
    # Ben is free Thursdays 6-7 PM: Dec 3 before Dec 10, each in time order.
    result = tutors_match(Wish(day="Thursday", time=time(18)), slots_per_tutor=4)

    assert starts(result.matches[0]) == [
        local(12, 3, 18),
        local(12, 3, 18, 30),
        local(12, 10, 18),
        local(12, 10, 18, 30),
    ]


def test_a_hard_wish_one_tutor_meets_drops_the_tutors_who_cannot(
    frozen_clock, ada_weekly, cy_weekly
):
    # Ada is never free on Thursday; Cy is.
    result = tutors_match(Wish(subjects=("Python",), day="Thursday"))

    assert names(result) == ["Cy Moss"]
    assert result.unmet == ()


def test_a_window_nobody_meets_is_given_up_before_the_day(frozen_clock, cy_weekly):
    # Cy is free on Thursday until 5 PM only: the day stays, the window goes.
    result = tutors_match(Wish(subjects=("Python",), day="Thursday", earliest=time(18)))

    assert result.unmet == ("earliest",)
    assert result.matches[0].slots[0].start == local(12, 3, 16, 30)
    assert "Nobody is free for Python on Thursday from 6:00 PM on" in result.explanation


def test_a_relaxed_window_reads_as_a_range(frozen_clock, cy_weekly):
    result = tutors_match(
        Wish(subjects=("Python",), day="Tuesday", earliest=time(14), latest=time(17))
    )

    assert set(result.unmet) == {"earliest"}
    assert "between 2:00 PM and 5:00 PM" in result.explanation


def test_several_days_nobody_is_free_on_are_named_in_the_explanation(frozen_clock, cy_weekly):
    result = tutors_match(Wish(subjects=("Python",), days=("Saturday", "Sunday")))

    assert result.unmet == ("day",)
    assert "on Saturday or Sunday" in result.explanation


# --- Named tutors -----------------------------------------------------------------------------


def test_a_named_tutor_is_searched_directly_without_a_subject(frozen_clock, ada_weekly, ben_weekly):
    result = tutors_match(Wish(tutor_ids=(ben_weekly.pk,), day="Thursday"))

    assert names(result) == ["Ben Ortiz"]
    assert result.matches[0].slots[0].start == local(12, 3, 18)
    assert result.tutor_elsewhere is None
    assert result.unmet == ()


def test_a_named_tutor_with_a_subject_keeps_to_that_tutor(frozen_clock, ada_weekly, cy_weekly):
    result = tutors_match(Wish(subjects=("Python",), tutor_ids=(cy_weekly.pk,)))

    assert names(result) == ["Cy Moss"]


def test_a_named_tutor_not_free_then_says_when_they_are_and_who_else_is(
    frozen_clock, ada_weekly, cy_weekly
):
    # Cy never works on Monday; Ada does.
    result = tutors_match(Wish(subjects=("Python",), tutor_ids=(cy_weekly.pk,), day="Monday"))

    assert result.tutor_elsewhere is not None
    assert result.tutor_elsewhere.tutor == cy_weekly
    assert result.tutor_elsewhere.slots[0].start == local(12, 3, 10)
    assert names(result) == ["Ada Lin"]
    assert all(slot.day == "Monday" for slot in every_slot(result))
    assert result.unmet == ("tutor",)
    assert result.explanation.startswith(
        "Cy Moss is not free on Monday. Cy Moss's next open time is Thursday Dec 3 at 10:00 AM."
    )
    assert result.as_json()["tutorElsewhere"]["tutor"]["name"] == "Cy Moss"


def test_a_named_tutor_who_does_not_teach_the_subject_is_said_plainly(
    frozen_clock, ada_weekly, ben_weekly
):
    result = tutors_match(Wish(subjects=("MIPS Assembly",), tutor_ids=(ada_weekly.pk,)))

    assert names(result) == ["Ben Ortiz"]
    assert result.tutor_elsewhere.tutor == ada_weekly
    assert result.unmet == ("tutor",)
    assert result.explanation.startswith("Ada Lin does not teach MIPS Assembly.")


def test_without_a_subject_the_others_teach_what_the_named_tutor_teaches(
    frozen_clock, ada_weekly, ben_weekly, cy_weekly
):
    result = tutors_match(Wish(tutor_ids=(cy_weekly.pk,), day="Monday"))

    # Cy teaches Python: Ada (Python) is offered, Ben (MIPS only) is not.
    assert names(result) == ["Ada Lin"]


def test_a_named_tutor_search_runs_a_bounded_number_of_queries(
    frozen_clock, ada_weekly, cy_weekly, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        tutors_match(Wish(subjects=("Python",), tutor_ids=(cy_weekly.pk,), day="Monday"))


# --- The wish itself ----------------------------------------------------------------------------


def test_day_and_on_date_are_aliases_of_days_and_dates():
    assert Wish(day="Monday") == Wish(days=("Monday",))
    assert Wish(on_date=date(2026, 12, 7)) == Wish(dates=(date(2026, 12, 7),))
    assert Wish(day="Monday", days=("Tuesday", "Monday")).days == ("Monday", "Tuesday")
    assert Wish(day="Monday").day is None


def test_replacing_the_days_of_a_wish_replaces_them():
    assert replace(Wish(day="Monday"), days=("Tuesday",)).days == ("Tuesday",)


@pytest.mark.parametrize(
    "fields",
    [
        {"days": ("Funday",)},
        {"week": "last"},
        {"mode": "hybrid"},
        {"part_of_day": "night"},
        {"after": datetime(2026, 12, 7, 10)},
    ],
)
def test_a_wrong_wish_is_a_programming_error(fields):
    with pytest.raises(ValueError, match="must be"):
        Wish(**fields)


def test_the_others_for_a_named_tutor_need_teach_only_one_of_their_subjects(
    frozen_clock, ada_weekly, ben_weekly
):
    # Ada teaches Python and C++; Cy only Python, and he is the one free on Thursday.
    make_tutor("Cy Moss", ["Python"], ("Thursday", "10:00", "12:00", "online", ""))

    result = tutors_match(Wish(tutor_ids=(ada_weekly.pk,), day="Thursday"))

    assert names(result) == ["Cy Moss"]
    assert result.unmet == ("tutor",)
    assert "all of" not in result.explanation
    assert result.matches[0].reasoning.startswith("Teaches Python; free Thursday Dec 3")


def test_earlier_than_a_time_on_another_day_names_the_day_and_time(frozen_clock, cy_weekly):
    result = tutors_match(Wish(days=("Thursday",), before=local(12, 3, 10)))

    assert result.unmet == ("before",)
    assert "Nobody is free on Thursday before Thu Dec 3, 10:00 AM" in result.explanation
