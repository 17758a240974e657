"""College course codes ("CS 110A"): the one grammar the roster import, the answers and the
assistant share, so a code the import accepts is a code the assistant recognises.

A code is a department of 2-5 letters and a number of 1-4 digits with an optional letter,
written with a space, a hyphen or nothing between them, in any case ("cs110a", "CS-110A",
"chem 1010"). Full-width characters from phone keyboards count as their plain forms.
"""

import re
import unicodedata

_COURSE_CODE = re.compile(r"([a-z]{2,5})[\s_-]*(\d{1,4}[a-z]?)")


def normalise_course_code(text: str) -> str | None:
    """Return ``text`` as a stored course code ("cs-110a" -> "CS 110A"), or None."""
    folded = unicodedata.normalize("NFKC", text or "").strip().lower()
    found = _COURSE_CODE.fullmatch(folded)
    if found is None:
        return None
    return f"{found[1].upper()} {found[2].upper()}"
