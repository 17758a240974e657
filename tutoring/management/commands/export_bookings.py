"""``manage.py export_bookings --from DATE --to DATE [--output FILE]``: bookings as CSV.

The same columns and spreadsheet-formula guard as the admin's "Export selected bookings as
CSV" action (tutoring/exports.py). The summary goes to stderr when the CSV goes to stdout.
"""

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tutoring.exports import bookings_between, bookings_csv_write
from tutoring.management.commands._dates import iso_date


class Command(BaseCommand):
    help = (
        "Write the bookings whose sessions start between --from and --to (center-local dates, "
        "inclusive) as CSV, to stdout or --output FILE."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--from",
            dest="first",
            metavar="YYYY-MM-DD",
            type=iso_date,
            required=True,
            help="First day (center time).",
        )
        parser.add_argument(
            "--to",
            dest="last",
            metavar="YYYY-MM-DD",
            type=iso_date,
            required=True,
            help="Last day, inclusive.",
        )
        parser.add_argument("--output", type=Path, help="Write to this file instead of stdout.")

    def handle(self, *args, first, last, output: Path | None, **options) -> None:
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}; give the earlier day first.")
        buffer = io.StringIO()
        count = bookings_csv_write(bookings_between(first, last), buffer)
        summary = f"Exported {count} bookings from {first} to {last}"
        if output is None:
            self.stdout.write(buffer.getvalue(), ending="")
            self.stderr.write(f"{summary}.")
            return
        try:
            output.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(
                f"Cannot write {output}: {error.strerror}. Check that its folder exists "
                "and is writable."
            )
        self.stdout.write(f"{summary} to {output}.")
