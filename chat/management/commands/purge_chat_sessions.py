"""``manage.py purge_chat_sessions``: delete idle chat sessions, keeping anonymous counts.

Meant for a daily cron job; see chat/retention.py for what goes and what stays.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chat import retention
from chat.support import local


class Command(BaseCommand):
    help = (
        "Delete chat sessions idle for more than --idle-days (default CHAT_IDLE_DAYS) with all "
        "their messages and personal data, keeping anonymous daily counts; safe to re-run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--idle-days",
            type=int,
            default=None,
            help=f"Days without activity (default: CHAT_IDLE_DAYS, now {settings.CHAT_IDLE_DAYS}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args, idle_days: int | None, dry_run: bool, **options) -> None:
        if idle_days is not None and idle_days < 1:
            raise CommandError(
                f"--idle-days must be at least 1 (got {idle_days}); it is how many days a "
                "session must have been idle to be purged."
            )
        cutoff = retention.idle_cutoff(idle_days=idle_days)
        if dry_run:
            found = retention.idle_sessions(cutoff=cutoff)
            for session in found.sessions:
                self.stdout.write(
                    f"{session.short_id} last active {local(session.last_activity_at)}, "
                    f"{session.messages} messages"
                )
            self.stdout.write(
                f"Would purge {len(found.sessions)} chat sessions ({found.messages} messages) "
                f"last active before {local(cutoff)}. Nothing was changed (--dry-run)."
            )
            return
        done = retention.purge_idle_sessions(cutoff=cutoff)
        self.stdout.write(
            f"Purged {len(done.sessions)} chat sessions ({done.messages} messages) last active "
            f"before {local(cutoff)}; anonymous daily counts kept."
        )
