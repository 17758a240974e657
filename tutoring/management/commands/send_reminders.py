"""``manage.py send_reminders``: email tomorrow's confirmed bookings their reminder, once.

Run it from cron (hourly or daily): each booking is reminded once, however often it runs
(tutoring/reminders.py explains how).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tutoring.center import center_zone
from tutoring.redaction import short_booking_uid
from tutoring.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Email a reminder to every confirmed booking that starts tomorrow (center time) and "
        "has not had one; safe to re-run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the reminders due; send nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        run = reminders_send(dry_run=dry_run)
        day = f"{run.day:%a %Y-%m-%d}"
        if dry_run:
            zone = center_zone()
            for booking in run.due:
                start = timezone.localtime(booking.start, zone)
                # A timer's output ends up in the journal: no whole uid.
                self.stdout.write(
                    f"{short_booking_uid(booking.uid)} {booking.tutor.name} {start:%H:%M}"
                )
            self.stdout.write(
                f"Would send {len(run.due)} reminders for {day}. Nothing was sent (--dry-run)."
            )
            return
        sent = len(run.scheduled) - len(run.failed)
        self.stdout.write(f"Sent {sent} reminders for sessions on {day}.")
        if run.failed:
            self.stderr.write(
                f"{len(run.failed)} reminders could not be sent (see the log); the next run "
                "retries them."
            )
