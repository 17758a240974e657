"""Template helpers of the chat pages: safe markup for assistant text, fresh client ids.

``assistant_markup`` escapes everything first and only then adds the few tags it knows, so
nothing a student typed (the assistant echoes names and notes back) can become markup:

- ``**x**`` → ``<strong>``, ``*x*`` → ``<em>`` (never across a tag, so they always nest);
- ``[label](/path)`` → a link, only to a path on this site: one ``/`` and no scheme, so
  ``//host``, ``/\\host``, ``javascript:`` and ``data:`` stay plain text;
- lines starting ``1.`` or ``-`` become ordered or bulleted lists, other lines keep their
  breaks, and blank lines separate paragraphs.
"""

import re
import uuid

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Applied to escaped text, so "<", ">" and quotes never occur inside a match except as
# entities. The path excludes whitespace and control characters (browsers drop tabs and
# newlines from URLs: "/\t/host" would become "//host"), backslashes and asterisks.
_LINK = re.compile(r"\[([^\[\]\n]{1,200})\]\((/(?![/\\])[^\s()<>\\*\x00-\x1f\x7f]{0,500})\)")
_STRONG = re.compile(r"\*\*([^*<>\n]+?)\*\*")
_EM = re.compile(r"(?<![*\w])\*(?![\s*])([^*<>\n]+?)(?<!\s)\*(?![*\w])")
_ORDERED = re.compile(r"^(\d{1,3})\.\s+(.*)$")
_BULLET = re.compile(r"^[-•]\s+(.*)$")


def _emphasis(escaped: str) -> str:
    return _EM.sub(r"<em>\1</em>", _STRONG.sub(r"<strong>\1</strong>", escaped))


def _inline(line: str) -> str:
    """Return one line of assistant text as safe HTML with emphasis and local links."""
    escaped = escape(line)
    parts: list[str] = []
    position = 0
    for link in _LINK.finditer(escaped):
        parts.append(_emphasis(escaped[position : link.start()]))
        label, path = link.groups()
        parts.append(f'<a href="{path}">{_emphasis(label)}</a>')
        position = link.end()
    parts.append(_emphasis(escaped[position:]))
    return "".join(parts)


class _Blocks:
    """Collects paragraphs and lists while the lines are read."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.lines: list[str] = []
        self.list_tag: str | None = None
        self.list_start = 1
        self.items: list[str] = []

    def line(self, html: str) -> None:
        self.end_list()
        self.lines.append(html)

    def item(self, tag: str, html: str, number: int = 1) -> None:
        self.end_paragraph()
        if tag != self.list_tag:
            self.end_list()
            self.list_tag, self.list_start = tag, number
        self.items.append(html)

    def end_paragraph(self) -> None:
        if self.lines:
            self.html.append("<p>" + "<br>".join(self.lines) + "</p>")
            self.lines = []

    def end_list(self) -> None:
        if self.list_tag:
            start = f' start="{self.list_start}"' if self.list_start != 1 else ""
            opening = f"<ol{start}>" if self.list_tag == "ol" else "<ul>"
            items = "".join(f"<li>{item}</li>" for item in self.items)
            self.html.append(f"{opening}{items}</{self.list_tag}>")
            self.list_tag, self.items = None, []

    def end(self) -> str:
        self.end_paragraph()
        self.end_list()
        return "".join(self.html)


@register.filter(is_safe=True)
def assistant_markup(text: object) -> SafeString:
    """Return assistant text as safe HTML: escaped, with emphasis, local links and lists."""
    blocks = _Blocks()
    for raw in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            blocks.end_paragraph()
            blocks.end_list()
        elif ordered := _ORDERED.match(line):
            blocks.item("ol", _inline(ordered.group(2)), int(ordered.group(1)))
        elif bullet := _BULLET.match(line):
            blocks.item("ul", _inline(bullet.group(1)))
        else:
            blocks.line(_inline(line))
    return mark_safe(blocks.end())  # noqa: S308 - built from escaped text only


@register.simple_tag
def new_client_id() -> str:
    """Return a fresh id for one message, so a resent form is stored once."""
    return str(uuid.uuid4())
