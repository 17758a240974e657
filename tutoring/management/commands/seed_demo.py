"""``manage.py seed_demo``: import the demo roster that ships with the code.

The same import as ``import_tutors`` (tutoring/roster.py), of tutoring/demo/roster.json
unless ``--roster`` names another file. Safe to re-run: a second run changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from tutoring.management.commands._roster_file import import_roster_file

DEMO_ROSTER = Path(__file__).resolve().parents[2] / "demo" / "roster.json"


class Command(BaseCommand):
    help = "Load the demo tutor roster (tutoring/demo/roster.json) into the database, idempotently."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--roster",
            type=Path,
            default=DEMO_ROSTER,
            help="Roster JSON file to load (default: the shipped tutoring/demo/roster.json).",
        )

    def handle(self, *args, **options) -> None:
        path = options["roster"]
        hint = (
            "Restore tutoring/demo/roster.json, which ships with the code"
            if path == DEMO_ROSTER
            else "Check the --roster path"
        )
        summary = import_roster_file(path, missing_hint=hint)
        self.stdout.write(f"Demo roster: {summary}")
