"""``manage.py student_data export|delete EMAIL …``: everything stored about one student.

``export`` prints, as JSON, the student's bookings and every chat session that names them
with all its messages (a data request); ``delete`` deletes those sessions, cancels the
bookings still to come and anonymises all their bookings (a deletion request).
chat/student_data.py says what is found and in what order it is removed. Apart from the
export, the output names no personal data: sessions and bookings by short id only.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chat import student_data
from chat.ids import short_session_id
from tutoring.redaction import short_booking_uid


class Command(BaseCommand):
    help = (
        "Export (JSON) or delete everything stored about one student — bookings, booking "
        "forms and chat sessions that name them — by their email address(es)."
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="export|delete")
        export = actions.add_parser(
            "export", help="Print the student's bookings and chat sessions as JSON."
        )
        delete = actions.add_parser(
            "delete",
            help="Delete their chat sessions, cancel bookings to come, anonymise their bookings.",
        )
        for action in (export, delete):
            action.add_argument(
                "emails",
                nargs="+",
                metavar="EMAIL",
                help="An address the student used (personal or college; several allowed).",
            )
        delete.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; change nothing."
        )

    def handle(self, *args, action: str, emails: list[str], **options) -> None:
        try:
            records = student_data.student_records(emails=emails)
        except student_data.NotAnEmail:
            raise CommandError(
                "Give the student's email address as they gave it when booking, for example "
                "sofia@example.com (personal and college addresses are both searched; give "
                "several to cover both). One of the arguments is not an email address."
            ) from None
        if action == "export":
            data = student_data.student_export_json(records)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._delete(records, dry_run=options["dry_run"])

    def _delete(self, records: student_data.StudentRecords, *, dry_run: bool) -> None:
        now = timezone.now()
        if not dry_run:
            done = student_data.student_delete(records, now=now)
            self.stdout.write(
                f"Deleted {done.sessions} chat sessions ({done.messages} messages), cancelled "
                f"{done.cancelled} bookings to come and anonymised {done.anonymised} bookings "
                "for the address(es) given."
            )
            return
        counts = student_data.session_message_counts(records)
        for session_id, found_by in records.sessions.items():
            self.stdout.write(
                f"chat session {short_session_id(session_id)}: {counts.get(session_id, 0)} "
                f"messages; the address is in its {', '.join(found_by)}"
            )
        upcoming = {booking.pk for booking in records.upcoming(now)}
        for booking in records.bookings:
            what = "to come: cancel, then anonymise" if booking.pk in upcoming else "anonymise"
            self.stdout.write(f"booking {short_booking_uid(booking.uid)}: {what}")
        self.stdout.write(
            f"Would delete {len(records.sessions)} chat sessions ({sum(counts.values())} "
            f"messages), cancel {len(upcoming)} bookings to come and anonymise "
            f"{len(records.bookings)} bookings. Nothing was changed (--dry-run)."
        )
