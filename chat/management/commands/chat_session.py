"""``manage.py chat_session show|export|delete ID``: one chat session, for support requests.

``show`` prints the state and the whole transcript for a person; ``export`` prints the
state as JSON in the API's shape with every message (a student's data request); ``delete``
removes the session and every row it holds through ``chat.store`` (a deletion request).
Bookings the session made are the center's records and are kept.
"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chat import state, store, support
from chat.ids import SESSION_ID_LENGTH, short_session_id
from chat.models import ChatSession


class SessionIdParser(CommandParser):
    """Read a session id as an argument even when it starts with "-" (1 id in 64 does).

    argparse takes any "-…" word for an option; a word shaped exactly like a session id
    (32 characters of letters, digits, "-" and "_") never is one here.
    """

    def _parse_optional(self, arg_string):
        if support.is_session_id(arg_string):
            return None
        return super()._parse_optional(arg_string)


class Command(BaseCommand):
    help = "Show, export (JSON) or delete one chat session, by the id the student or staff gave."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # The top-level parser sorts every word into option or argument before the
        # subcommand's parser sees it, so both need to know what an id looks like.
        parser.__class__ = SessionIdParser
        return parser

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="show|export|delete",
            parser_class=SessionIdParser,
        )
        show = actions.add_parser("show", help="Print the session's state and transcript.")
        show.add_argument("session_id", help="The session id.")
        export = actions.add_parser("export", help="Print the session as JSON, every message.")
        export.add_argument("session_id", help="The session id.")
        delete = actions.add_parser("delete", help="Delete the session and all its rows.")
        delete.add_argument("session_id", help="The session id.")
        delete.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted; delete nothing."
        )

    def handle(self, *args, action: str, session_id: str, **options) -> None:
        session = _session(session_id.strip())
        if action == "show":
            self.stdout.write(support.session_text(session))
        elif action == "export":
            data = support.session_export_json(session)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._delete(session, dry_run=options["dry_run"])

    def _delete(self, session: ChatSession, *, dry_run: bool) -> None:
        short = short_session_id(session.pk)
        kept = len(support.session_bookings(session.pk))
        what = f"{session.last_seq} messages, its search, matches and booking form"
        if dry_run:
            self.stdout.write(
                f"Would delete chat session {short} ({what}); {kept} booking(s) kept. "
                "Nothing was changed (--dry-run)."
            )
            return
        try:
            store.session_delete(session.pk)
        except store.SessionNotFound:
            raise CommandError(f"Chat session {short} was deleted meanwhile; nothing to do.")
        self.stdout.write(f"Deleted chat session {short} ({what}); {kept} booking(s) kept.")


def _session(session_id: str) -> ChatSession:
    """Return the session, or raise a CommandError that says how to find the right id."""
    if not support.is_session_id(session_id):
        raise CommandError(
            f"That is not a chat session id: ids are exactly {SESSION_ID_LENGTH} letters, "
            "digits, '-' or '_'. Copy it from the chat session's page in admin "
            "(Chat › Chat sessions) or from the booking that names it."
        )
    session = state.session_get(session_id)
    if session is None:
        raise CommandError(
            f"No chat session {short_session_id(session_id)} exists: it may have been deleted "
            "or purged after CHAT_IDLE_DAYS. Check the id in admin (Chat › Chat sessions)."
        )
    return session
