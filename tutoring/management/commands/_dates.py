"""Argument types shared by the tutoring commands."""

import argparse
import datetime
import re

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(text: str) -> datetime.date:
    """Parse YYYY-MM-DD strictly (argparse ``type=``); a clear message for anything else."""
    try:
        if _ISO_DATE.match(text):
            return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a date; write it as YYYY-MM-DD, for example 2026-12-07"
    )
