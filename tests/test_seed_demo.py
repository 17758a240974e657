"""The demo roster and `manage.py seed_demo`, which imports it with the roster import."""

import json
import re
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tutoring.models import Subject, Tutor

ROSTER_PATH = Path(__file__).resolve().parent.parent / "tutoring" / "demo" / "roster.json"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
DAYS = [*WEEKDAYS, "Saturday"]
MODES = {"online", "on campus"}
HH_MM = re.compile(r"^([01]\d|2[0-3]):(00|30)$")


@pytest.fixture(scope="module")
def roster() -> dict:
    return json.loads(ROSTER_PATH.read_text(encoding="utf-8"))


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def minutes(hh_mm: str) -> int:
    parsed = datetime.strptime(hh_mm, "%H:%M")
    return parsed.hour * 60 + parsed.minute


def all_slots(roster: dict) -> list[dict]:
    return [slot for tutor in roster["tutors"] for slot in tutor["availability"]]


# --- Loading --------------------------------------------------------------------------


@pytest.mark.django_db
def test_seeding_creates_every_subject_and_tutor_in_the_roster(roster):
    seed()

    assert set(Subject.objects.values_list("name", flat=True)) == {
        subject["name"] for subject in roster["subjects"]
    }
    assert set(Tutor.objects.values_list("email", flat=True)) == {
        tutor["email"] for tutor in roster["tutors"]
    }


@pytest.mark.django_db
def test_each_seeded_tutor_has_the_roster_details_and_subject_links(roster):
    seed()

    for entry in roster["tutors"]:
        tutor = Tutor.objects.get(email=entry["email"])
        assert tutor.name == entry["name"]
        assert tutor.pronouns == entry["pronouns"]
        assert tutor.bio == entry["bio"]
        assert tutor.is_active
        assert set(tutor.subjects.values_list("name", flat=True)) == set(entry["subjects"])


@pytest.mark.django_db
def test_seeding_prints_one_summary_line_with_the_counts(roster):
    out = seed()

    courses = sum(len(subject["courses"]) for subject in roster["subjects"])
    slots = len(all_slots(roster))
    records = len(roster["tutors"]) + len(roster["subjects"]) + courses + slots
    assert out.strip().splitlines() == [
        f"Demo roster: {len(roster['tutors'])} tutors, {len(roster['subjects'])} subjects, "
        f"{courses} courses, {slots} weekly slots "
        f"({records} created, 0 updated, 0 unchanged, 0 removed)"
    ]


@pytest.mark.django_db
def test_seeding_twice_creates_no_duplicates_and_changes_nothing(roster):
    seed()
    tutors_before = list(Tutor.objects.values("pk", "name", "pronouns", "email", "bio"))
    links_before = sorted(Tutor.subjects.through.objects.values_list("tutor_id", "subject_id"))

    out = seed()

    courses = sum(len(subject["courses"]) for subject in roster["subjects"])
    records = len(roster["tutors"]) + len(roster["subjects"]) + courses + len(all_slots(roster))
    assert f"(0 created, 0 updated, {records} unchanged, 0 removed)" in out
    assert Subject.objects.count() == len(roster["subjects"])
    assert Tutor.objects.count() == len(roster["tutors"])
    assert list(Tutor.objects.values("pk", "name", "pronouns", "email", "bio")) == tutors_before
    links_after = sorted(Tutor.subjects.through.objects.values_list("tutor_id", "subject_id"))
    assert links_after == links_before


@pytest.mark.django_db
def test_seeding_updates_an_existing_tutor_matched_by_email(roster):
    entry = roster["tutors"][0]
    stale = Tutor.objects.create(
        name="Old Name", pronouns="", email=entry["email"], bio="Out of date."
    )
    stale.subjects.set([Subject.objects.create(name="Underwater Basket Weaving")])

    out = seed()

    stale.refresh_from_db()
    assert stale.name == entry["name"]
    assert stale.pronouns == entry["pronouns"]
    assert stale.bio == entry["bio"]
    assert set(stale.subjects.values_list("name", flat=True)) == set(entry["subjects"])
    assert Tutor.objects.filter(email=entry["email"]).count() == 1
    assert "1 updated" in out


@pytest.mark.django_db
def test_seeding_leaves_tutors_and_subjects_outside_the_roster_alone(tutor_ada, roster):
    seed()

    tutor_ada.refresh_from_db()
    assert tutor_ada.name == "Ada Lin"
    assert set(tutor_ada.subjects.values_list("name", flat=True)) == {"Python", "C++"}
    assert Tutor.objects.count() == len(roster["tutors"]) + 1


@pytest.mark.django_db
def test_a_missing_roster_file_is_a_command_error_naming_the_path(tmp_path):
    missing = tmp_path / "nope.json"

    with pytest.raises(CommandError, match="not found at .*nope.json"):
        seed("--roster", str(missing))

    assert not Tutor.objects.exists()


@pytest.mark.django_db
def test_a_roster_that_is_not_json_is_a_command_error_with_the_position(tmp_path):
    broken = tmp_path / "roster.json"
    broken.write_text('{"subjects": [,]}', encoding="utf-8")

    with pytest.raises(CommandError, match=r"not valid JSON \(line 1, column 15"):
        seed("--roster", str(broken))

    assert not Subject.objects.exists()


@pytest.mark.django_db
def test_a_tutor_with_an_unlisted_subject_is_rejected_before_anything_is_written(tmp_path):
    roster = {
        "subjects": [{"name": "Python", "aliases": [], "courses": []}],
        "tutors": [
            {"name": "Zed", "email": "zed@example.edu", "subjects": ["Python", "Cobol"]},
        ],
    }
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(roster), encoding="utf-8")

    with pytest.raises(CommandError, match='missing from "subjects": Cobol'):
        seed("--roster", str(path))

    assert not Subject.objects.exists()
    assert not Tutor.objects.exists()


# --- The shipped roster -----------------------------------------------------------------


def test_the_roster_has_at_least_twelve_subjects_including_cpp_and_mips_assembly(roster):
    names = [subject["name"] for subject in roster["subjects"]]

    assert len(names) >= 12
    assert len(names) == len(set(names))
    assert {"C++", "MIPS Assembly", "Python"} <= set(names)


def test_every_subject_has_aliases_and_courses_and_each_course_belongs_to_one_subject(roster):
    courses = [course for subject in roster["subjects"] for course in subject["courses"]]
    aliases = [alias.lower() for subject in roster["subjects"] for alias in subject["aliases"]]

    for subject in roster["subjects"]:
        assert set(subject) == {"name", "aliases", "courses"}
        assert subject["aliases"], subject["name"]
        assert subject["courses"], subject["name"]
    assert len(courses) == len(set(courses))
    assert all(re.fullmatch(r"[A-Z]+ \d+[A-Z]?", course) for course in courses)
    assert len(aliases) == len(set(aliases))
    assert {"py", "cpp", "c plus plus", "js", "mips", "assembly", "stats", "calc"} <= set(aliases)


def test_every_tutor_has_complete_details_and_only_listed_subjects(roster):
    subject_names = {subject["name"] for subject in roster["subjects"]}
    emails = [tutor["email"] for tutor in roster["tutors"]]

    assert len(roster["tutors"]) >= 8
    assert len(emails) == len(set(emails))
    for tutor in roster["tutors"]:
        assert set(tutor) == {"name", "pronouns", "email", "bio", "subjects", "availability"}
        assert tutor["name"].strip()
        assert tutor["pronouns"].strip(), tutor["name"]
        assert tutor["bio"].strip(), tutor["name"]
        assert tutor["email"].endswith("@example.edu")
        assert 2 <= len(tutor["subjects"]) <= 5, tutor["name"]
        assert set(tutor["subjects"]) <= subject_names, tutor["name"]
    covered = {name for tutor in roster["tutors"] for name in tutor["subjects"]}
    assert covered == subject_names


def test_every_availability_slot_is_a_well_formed_half_hour_aligned_window(roster):
    for tutor in roster["tutors"]:
        assert tutor["availability"], tutor["name"]
        for slot in tutor["availability"]:
            assert set(slot) == {"day", "start", "end", "mode"}, slot
            assert slot["day"] in DAYS, slot
            assert slot["mode"] in MODES, slot
            assert HH_MM.match(slot["start"]), slot
            assert HH_MM.match(slot["end"]), slot
            assert slot["start"] < slot["end"], slot
            assert 30 <= minutes(slot["end"]) - minutes(slot["start"]) <= 120, slot


def test_no_tutor_is_booked_in_two_overlapping_slots(roster):
    for tutor in roster["tutors"]:
        by_day: dict[str, list[tuple[int, int]]] = {}
        for slot in tutor["availability"]:
            by_day.setdefault(slot["day"], []).append(
                (minutes(slot["start"]), minutes(slot["end"]))
            )
        for windows in by_day.values():
            windows.sort()
            for (_, end), (start, _) in zip(windows, windows[1:], strict=False):
                assert end <= start, tutor["name"]


def test_the_schedule_has_forty_slots_in_both_modes_across_the_day(roster):
    slots = all_slots(roster)
    modes = [slot["mode"] for slot in slots]
    starts = [minutes(slot["start"]) for slot in slots]

    assert len(slots) >= 40
    assert modes.count("online") >= len(slots) // 3
    assert modes.count("on campus") >= len(slots) // 3
    assert any(start < 12 * 60 for start in starts), "no morning slot"
    assert any(12 * 60 <= start < 17 * 60 for start in starts), "no afternoon slot"
    assert any(start >= 17 * 60 for start in starts), "no evening slot"
    assert {slot["day"] for slot in slots} == set(DAYS)


def test_python_can_be_booked_on_every_weekday(roster):
    python_days = {
        slot["day"]
        for tutor in roster["tutors"]
        if "Python" in tutor["subjects"]
        for slot in tutor["availability"]
    }

    assert set(WEEKDAYS) <= python_days
