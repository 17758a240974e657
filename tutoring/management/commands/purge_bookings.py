"""``manage.py purge_bookings --older-than DAYS``: anonymise bookings long over.

Meant for a daily timer next to ``purge_chat_sessions``; tutoring/retention.py says what
goes and what stays.
"""

import argparse

from django.core.management.base import BaseCommand
from django.utils import timezone

from tutoring import retention
from tutoring.center import center_zone
from tutoring.redaction import short_booking_uid


def days(text: str) -> int:
    """Parse a number of days of at least 1 (argparse ``type=``), with a message that helps."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of days; give a whole number of at least 1, for "
            "example --older-than 365 to anonymise bookings that ended over a year ago"
        )
    return value


class Command(BaseCommand):
    help = (
        "Anonymise the student's details (name, emails, student id, help text, notes) of "
        "bookings that ended more than --older-than days ago, keeping what reports need; "
        "safe to re-run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--older-than",
            type=days,
            required=True,
            metavar="DAYS",
            help="Anonymise bookings that ended more than this many days ago (at least 1).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be anonymised; change nothing."
        )

    def handle(self, *args, older_than: int, dry_run: bool, **options) -> None:
        cutoff = retention.retention_cutoff(older_than_days=older_than)
        when = f"{timezone.localtime(cutoff, center_zone()):%Y-%m-%d %H:%M %Z}"
        if dry_run:
            due = list(retention.bookings_due(cutoff=cutoff))
            for booking in due:
                start = timezone.localtime(booking.start, center_zone())
                self.stdout.write(
                    f"{short_booking_uid(booking.uid)} {start:%Y-%m-%d %H:%M} {booking.status}"
                )
            self.stdout.write(
                f"Would anonymise {len(due)} bookings that ended before {when}. "
                "Nothing was changed (--dry-run)."
            )
            return
        done = retention.bookings_purge(cutoff=cutoff)
        self.stdout.write(
            f"Anonymised {done.anonymised} bookings that ended before {when}; tutors, times, "
            "subjects, classes and statuses kept."
        )
