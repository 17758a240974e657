"""Read a roster file for the import commands, turning every failure into a CommandError."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from tutoring.roster import RosterError, RosterSummary, roster_import


def import_roster_file(path: Path, *, missing_hint: str) -> RosterSummary:
    """Import the roster at ``path``; raise ``CommandError`` (nothing written) on any problem."""
    data = _read(path, missing_hint=missing_hint)
    try:
        return roster_import(data)
    except RosterError as exc:
        problems = "\n".join(f"  - {problem}" for problem in exc.problems)
        raise CommandError(
            f"The roster at {path} was not imported; nothing was changed. Fix these entries "
            f"and run the command again:\n{problems}"
        ) from None


def _read(path: Path, *, missing_hint: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"Roster file not found at {path}. {missing_hint}.") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder; give the path of a roster JSON file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read the roster at {path}: {exc}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"The roster at {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}). Fix the file and run the command again; nothing was changed."
        ) from None
