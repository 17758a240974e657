"""Strict parsers for settings read from environment variables.

Each raises ``ImproperlyConfigured`` on a value it does not understand, so a typo in a
deployment fails at start-up instead of silently meaning something else.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, *, default: str) -> str:
    """Return the variable's value, or ``default`` when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, *, default: bool) -> bool:
    """Return the variable as a boolean; accept true/false, yes/no, on/off, 1/0."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_int(name: str, *, default: int) -> int:
    """Return the variable as a non-negative integer."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name}={raw!r} must not be negative.")
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    """Return the variable as a comma-separated list with blanks removed."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, *, choices: list[str], default: str) -> str:
    """Return the variable's value, which must be one of ``choices`` (case-insensitive)."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {', '.join(choices)}.")
    return raw


_RATE = re.compile(r"^[1-9]\d*/(?:[1-9]\d*)?[smhd]$")


def env_rate(name: str, *, default: str) -> str:
    """Return the variable as a rate limit: ``<count>/<period>``, e.g. ``30/m`` or ``100/5m``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not _RATE.match(raw):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a rate (use a count and a period: 30/m, 100/5m, 500/h)."
        )
    return raw
