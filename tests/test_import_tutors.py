"""The roster import (tutoring.roster) and `manage.py import_tutors FILE`."""

import copy
import json
from datetime import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tutoring.models import AvailabilitySlot, Course, Subject, Tutor, normalise_course_code
from tutoring.roster import RosterError, roster_import

ROSTER_PATH = Path(__file__).resolve().parent.parent / "tutoring" / "demo" / "roster.json"
DEMO = json.loads(ROSTER_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def roster() -> dict:
    """A fresh copy of the demo roster, free to change."""
    return copy.deepcopy(DEMO)


def snapshot() -> dict[str, list]:
    """Every roster row, as plain values, in primary-key order."""
    return {
        "subjects": list(Subject.objects.order_by("pk").values()),
        "courses": list(Course.objects.order_by("pk").values()),
        "tutors": list(Tutor.objects.order_by("pk").values()),
        "links": list(Tutor.subjects.through.objects.order_by("pk").values()),
        "slots": list(AvailabilitySlot.objects.order_by("pk").values()),
    }


def import_command(*args: str) -> str:
    out = StringIO()
    call_command("import_tutors", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: dict | str) -> Path:
    path = tmp_path / "roster.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# --- The demo roster ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_roster_imports_every_subject_course_tutor_and_slot(roster):
    summary = roster_import(roster)

    courses = [code for subject in roster["subjects"] for code in subject["courses"]]
    slots = [slot for tutor in roster["tutors"] for slot in tutor["availability"]]
    assert summary.subjects.created == Subject.objects.count() == len(roster["subjects"])
    assert summary.courses.created == Course.objects.count() == len(courses)
    assert summary.tutors.created == Tutor.objects.count() == len(roster["tutors"])
    assert summary.slots.created == AvailabilitySlot.objects.count() == len(slots)
    assert summary.updated == summary.unchanged == summary.removed == 0


@pytest.mark.django_db
def test_an_imported_tutor_has_the_roster_details_subjects_and_weekly_slots(roster):
    roster_import(roster)

    maya = Tutor.objects.get(email="maya.okafor@example.edu")
    assert (maya.name, maya.pronouns, maya.is_active) == ("Maya Okafor", "she/her", True)
    assert set(maya.subjects.values_list("name", flat=True)) == {
        "Python",
        "Java",
        "Data Structures",
    }
    first = maya.availability.order_by("weekday", "start").first()
    assert (first.day, first.start, first.end, first.mode) == (
        "Monday",
        time(9, 30),
        time(11, 30),
        "on campus",
    )
    assert maya.availability.count() == 5


@pytest.mark.django_db
def test_courses_belong_to_their_subject_and_aliases_are_stored_lower_case(roster):
    roster["subjects"][0]["aliases"].append("PY3")
    roster["subjects"][0]["courses"].append("cs-999z")

    roster_import(roster)

    python = Subject.objects.get(name="Python")
    assert set(python.courses.values_list("code", flat=True)) == {"CS 110A", "CS 131B", "CS 999Z"}
    assert "py3" in python.aliases
    assert Course.objects.get(code="CS 270").subject.name == "MIPS Assembly"


# --- Idempotence and updates ---------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_same_roster_twice_changes_no_row(roster):
    roster_import(roster)
    before = snapshot()

    summary = roster_import(roster)

    assert snapshot() == before
    assert (summary.created, summary.updated, summary.removed) == (0, 0, 0)
    assert summary.unchanged == sum(len(rows) for key, rows in before.items() if key != "links")


@pytest.mark.django_db
def test_a_changed_roster_updates_only_what_differs_and_keeps_unchanged_slots(roster):
    roster_import(roster)
    maya = Tutor.objects.get(email="maya.okafor@example.edu")
    kept = maya.availability.get(weekday=2, start=time(9, 30))
    entry = roster["tutors"][0]
    entry["bio"] = "New bio."
    entry["availability"][0]["end"] = "11:00"  # Monday shortened: updated in place
    del entry["availability"][4]  # Friday dropped: removed
    entry["availability"].append(  # Saturday added: created
        {"day": "Saturday", "start": "10:00", "end": "11:00", "mode": "online"}
    )

    summary = roster_import(roster)

    maya.refresh_from_db()
    assert maya.bio == "New bio."
    assert (summary.tutors.updated, summary.tutors.unchanged) == (1, len(roster["tutors"]) - 1)
    assert (summary.slots.created, summary.slots.updated, summary.slots.removed) == (1, 1, 1)
    assert maya.availability.get(weekday=0).end == time(11, 0)
    assert not maya.availability.filter(weekday=4).exists()
    assert maya.availability.filter(weekday=5).exists()
    assert maya.availability.get(pk=kept.pk).start == time(9, 30)


@pytest.mark.django_db
def test_a_tutor_is_matched_by_email_whatever_its_case(roster):
    roster_import(roster)
    roster["tutors"][0]["email"] = "Maya.Okafor@Example.EDU"

    summary = roster_import(roster)

    assert summary.tutors.created == 0
    assert Tutor.objects.filter(email__iexact="maya.okafor@example.edu").count() == 1


@pytest.mark.django_db
def test_a_course_listed_under_another_subject_moves_to_it(roster):
    roster_import(roster)
    roster["subjects"][0]["courses"].remove("CS 131B")
    roster["subjects"][1]["courses"].append("CS 131B")

    summary = roster_import(roster)

    assert Course.objects.get(code="CS 131B").subject.name == "Java"
    assert summary.courses.updated == 1


# --- Bad rosters ------------------------------------------------------------------------------


def _unknown_subject(r):
    r["tutors"][1]["subjects"].append("Cobol")


def _bad_time(r):
    r["tutors"][3]["availability"][2]["end"] = "25:00"


def _start_after_end(r):
    r["tutors"][2]["availability"][1].update(start="12:00", end="10:00")


def _bad_mode(r):
    r["tutors"][4]["availability"][0]["mode"] = "hybrid"


def _duplicate_email(r):
    r["tutors"][5]["email"] = r["tutors"][0]["email"].upper()


def _unknown_key(r):
    r["tutors"][6]["availabilty"] = r["tutors"][6].pop("availability")


def _missing_name(r):
    del r["tutors"][7]["name"]


def _bad_day(r):
    r["tutors"][8]["availability"][0]["day"] = "Funday"


def _overlap(r):
    r["tutors"][9]["availability"].append(
        {"day": "Monday", "start": "15:30", "end": "16:30", "mode": "online"}
    )


def _unknown_slot_key(r):
    r["tutors"][0]["availability"][0]["room"] = "Batmale 301"


def _bad_course(r):
    r["subjects"][0]["courses"].append("not a course")


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (_unknown_subject, 'tutors[1] (Daniel Reyes): subjects has names missing from "subjects": '
         "Cobol"),
        (_bad_time, 'tutors[3] (Sam Whitford): availability[2].end "25:00" is not a time (HH:MM)'),
        (_start_after_end, "tutors[2] (Priya Raman): availability[1] starts at 12:00, not before "
         "its end 10:00"),
        (_bad_mode, 'tutors[4] (Leo Tanaka): availability[0].mode "hybrid" is not "online" or '
         '"on campus"'),
        (_duplicate_email, "tutors[5] (Inês Carvalho): email maya.okafor@example.edu is also used "
         "by tutors[0]"),
        (_unknown_key, 'tutors[6] (Marcus Bell): unknown key "availabilty"'),
        (_missing_name, 'tutors[7]: "name" is missing'),
        (_bad_day, 'tutors[8] (Jordan Ayala): availability[0].day "Funday" is not one of'),
        (_overlap, "tutors[9] (Tomasz Nowak): availability[4] overlaps availability[0]"),
        (_unknown_slot_key, 'tutors[0] (Maya Okafor): availability[0] has unknown key "room"'),
        (_bad_course, 'subjects[0] (Python): courses[2] "not a course" is not a course code'),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_a_bad_roster_imports_nothing_and_the_error_names_the_entry_and_field(
    roster, break_it, message
):
    break_it(roster)

    with pytest.raises(RosterError) as raised:
        roster_import(roster)

    assert message in str(raised.value)
    assert snapshot() == {"subjects": [], "courses": [], "tutors": [], "links": [], "slots": []}


@pytest.mark.django_db
def test_a_bad_roster_leaves_an_existing_roster_untouched(roster):
    roster_import(roster)
    before = snapshot()
    roster["tutors"][0]["bio"] = "Would be updated if the file were valid."
    roster["tutors"][-1]["availability"][0]["start"] = "9am"

    with pytest.raises(RosterError, match=r'availability\[0\].start "9am" is not a time'):
        roster_import(roster)

    assert snapshot() == before


@pytest.mark.django_db
def test_every_problem_of_a_roster_is_reported_at_once(roster):
    _bad_time(roster)
    _bad_mode(roster)
    _unknown_key(roster)

    with pytest.raises(RosterError) as raised:
        roster_import(roster)

    assert len(raised.value.problems) == 3


@pytest.mark.django_db
def test_a_roster_without_the_two_lists_is_refused():
    with pytest.raises(RosterError, match='"tutors" is missing'):
        roster_import({"subjects": []})
    with pytest.raises(RosterError, match='"subjects" must be a list'):
        roster_import({"subjects": {}, "tutors": []})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cs110a", "CS 110A"),
        ("CS 110A", "CS 110A"),
        ("cs-110a", "CS 110A"),
        (" math 80 ", "MATH 80"),
        ("CNIT 201e", "CNIT 201E"),
        ("python", None),
        ("110A", None),
        ("", None),
    ],
)
def test_course_codes_are_normalised_to_letters_space_number(text, code):
    assert normalise_course_code(text) == code
    assert Course.normalise_course_code(text) == code


# --- The command ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_imports_a_file_and_prints_a_one_line_summary(tmp_path, roster):
    out = import_command(str(write(tmp_path, roster)))

    assert out.strip().splitlines() == [
        "Roster: 10 tutors, 14 subjects, 26 courses, 44 weekly slots "
        "(94 created, 0 updated, 0 unchanged, 0 removed)"
    ]
    assert Tutor.objects.count() == 10


@pytest.mark.django_db
def test_running_the_command_again_reports_everything_unchanged(tmp_path, roster):
    path = write(tmp_path, roster)
    import_command(str(path))

    out = import_command(str(path))

    assert "(0 created, 0 updated, 94 unchanged, 0 removed)" in out


@pytest.mark.django_db
def test_the_command_turns_an_invalid_roster_into_an_error_listing_the_problems(tmp_path, roster):
    _bad_time(roster)

    with pytest.raises(CommandError) as raised:
        import_command(str(write(tmp_path, roster)))

    message = str(raised.value)
    assert "nothing was changed" in message
    assert '  - tutors[3] (Sam Whitford): availability[2].end "25:00"' in message
    assert not Tutor.objects.exists()


@pytest.mark.django_db
def test_the_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Roster file not found at .*nope.json"):
        import_command(str(tmp_path / "nope.json"))


@pytest.mark.django_db
def test_the_command_reports_where_a_file_is_not_json(tmp_path):
    with pytest.raises(CommandError, match=r"not valid JSON \(line 1, column 2"):
        import_command(str(write(tmp_path, "{oops")))
    assert not Subject.objects.exists()


@pytest.mark.django_db
def test_a_roster_with_very_many_problems_lists_the_first_twenty(roster):
    for tutor in roster["tutors"]:
        for slot in tutor["availability"]:
            slot["mode"] = "hybrid"

    with pytest.raises(RosterError) as raised:
        roster_import(roster)

    assert len(raised.value.problems) == 20
    assert not Tutor.objects.exists()


@pytest.mark.django_db
def test_a_tutor_can_be_made_inactive_from_the_roster(roster):
    roster_import(roster)
    roster["tutors"][0]["active"] = False

    summary = roster_import(roster)

    assert not Tutor.objects.get(email="maya.okafor@example.edu").is_active
    assert summary.tutors.updated == 1
