"""``manage.py import_tutors FILE``: load a tutor roster (see tutoring/roster.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from tutoring.management.commands._roster_file import import_roster_file


class Command(BaseCommand):
    help = (
        "Import subjects, courses, tutors and weekly availability from a roster JSON file; "
        "all or nothing, and safe to re-run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The roster JSON file.")

    def handle(self, *args, **options) -> None:
        summary = import_roster_file(options["file"], missing_hint="Check the path")
        self.stdout.write(f"Roster: {summary}")
