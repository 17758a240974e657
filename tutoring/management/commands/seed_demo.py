"""Load the demo tutor roster (tutoring/demo/roster.json) into the current models.

Only subjects and tutors are loaded: subjects are upserted by name, tutors by email (name,
pronouns and bio updated, subjects set). The roster's aliases, course codes and weekly
availability are read past for now; a later change adds models for them and a full
`import_tutors FILE` command that imports everything. Running this twice changes nothing.
"""

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tutoring.models import Subject, Tutor

DEMO_ROSTER = Path(__file__).resolve().parents[2] / "demo" / "roster.json"


def _load_roster(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = (
            "Restore tutoring/demo/roster.json, which ships with the code"
            if path == DEMO_ROSTER
            else "Check the --roster path"
        )
        raise CommandError(f"Demo roster not found at {path}. {hint}.")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read the demo roster at {path}: {exc}.")
    try:
        roster = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"The demo roster at {path} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}). Fix the file and run seed_demo again."
        )
    _check_shape(roster, path)
    return roster


def _check_shape(roster: Any, path: Path) -> None:
    """Fail with a message that names the bad entry instead of a KeyError traceback."""

    def fail(problem: str) -> NoReturn:
        raise CommandError(f"The demo roster at {path} is malformed: {problem}.")

    if not isinstance(roster, dict):
        fail('expected an object with "subjects" and "tutors" lists')
    for key in ("subjects", "tutors"):
        if not isinstance(roster.get(key), list):
            fail(f'"{key}" must be a list')
    names = set()
    for index, subject in enumerate(roster["subjects"]):
        if not isinstance(subject, dict) or not _text(subject.get("name")):
            fail(f'subjects[{index}] needs a non-empty "name"')
        if subject["name"].strip() in names:
            fail(f'subject "{subject["name"].strip()}" is listed twice')
        names.add(subject["name"].strip())
    emails = set()
    for index, tutor in enumerate(roster["tutors"]):
        if not isinstance(tutor, dict) or not _text(tutor.get("name")):
            fail(f'tutors[{index}] needs a non-empty "name"')
        if not _text(tutor.get("email")):
            fail(f'tutors[{index}] ({tutor["name"]}) needs a non-empty "email"')
        if tutor["email"].strip() in emails:
            fail(f"tutors[{index}] ({tutor['name']}) reuses the email {tutor['email'].strip()}")
        emails.add(tutor["email"].strip())
        for key in ("pronouns", "bio"):
            if not isinstance(tutor.get(key, ""), str):
                fail(f'tutors[{index}] ({tutor["name"]}) "{key}" must be a string')
        subjects = tutor.get("subjects", [])
        if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
            fail(f'tutors[{index}] ({tutor["name"]}) "subjects" must be a list of names')
        unknown = sorted({s.strip() for s in subjects} - names)
        if unknown:
            fail(
                f"tutors[{index}] ({tutor['name']}) lists subjects missing from "
                f'"subjects": {", ".join(unknown)}'
            )


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


class Command(BaseCommand):
    help = "Load the demo tutor roster (subjects and tutors) into the database, idempotently."

    def add_arguments(self, parser):
        parser.add_argument(
            "--roster",
            type=Path,
            default=DEMO_ROSTER,
            help="Roster JSON file to load (default: the shipped tutoring/demo/roster.json).",
        )

    def handle(self, *args, **options):
        roster = _load_roster(options["roster"])
        created = updated = unchanged = 0

        with transaction.atomic():
            subjects: dict[str, Subject] = {}
            for entry in roster["subjects"]:
                name = entry["name"].strip()
                subject, was_created = Subject.objects.get_or_create(name=name)
                subjects[name] = subject
                if was_created:
                    created += 1
                else:
                    unchanged += 1

            for entry in roster["tutors"]:
                fields = {
                    "name": entry["name"].strip(),
                    "pronouns": entry.get("pronouns", "").strip(),
                    "bio": entry.get("bio", "").strip(),
                }
                wanted = {subjects[name.strip()].pk for name in entry.get("subjects", [])}
                tutor = Tutor.objects.filter(email=entry["email"].strip()).first()
                if tutor is None:
                    tutor = Tutor.objects.create(email=entry["email"].strip(), **fields)
                    tutor.subjects.set(wanted)
                    created += 1
                    continue
                changed = [key for key, value in fields.items() if getattr(tutor, key) != value]
                if changed:
                    for key in changed:
                        setattr(tutor, key, fields[key])
                    tutor.save(update_fields=changed)
                current = set(tutor.subjects.values_list("pk", flat=True))
                if current != wanted:
                    tutor.subjects.set(wanted)
                if changed or current != wanted:
                    updated += 1
                else:
                    unchanged += 1

        self.stdout.write(
            f"Demo roster: {len(roster['tutors'])} tutors, {len(subjects)} subjects "
            f"({created} created, {updated} updated, {unchanged} unchanged)"
        )
