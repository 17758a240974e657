"""Assistant text as HTML: escaped first, then emphasis, local links and lists only."""

import pytest
from django.template import Context, Template

from chat.templatetags.chat_markup import assistant_markup


def render(text: str) -> str:
    return str(assistant_markup(text))


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**Ada Lin**", "<p><strong>Ada Lin</strong></p>"),
        ("say *other tutors*.", "<p>say <em>other tutors</em>.</p>"),
        ("[Cancel](/bookings/1/cancel)", '<p><a href="/bookings/1/cancel">Cancel</a></p>'),
        ("one\ntwo", "<p>one<br>two</p>"),
        ("one\n\ntwo", "<p>one</p><p>two</p>"),
        ("Open times:\n1. Mon\n2. Tue", "<p>Open times:</p><ol><li>Mon</li><li>Tue</li></ol>"),
        ("3. Wed\n4. Thu", '<ol start="3"><li>Wed</li><li>Thu</li></ol>'),
        ("- Tutor: Ada\n- When: Mon", "<ul><li>Tutor: Ada</li><li>When: Mon</li></ul>"),
        ("2 * 3 * 4", "<p>2 * 3 * 4</p>"),
        ("a & b", "<p>a &amp; b</p>"),
    ],
)
def test_it_renders_the_simple_markup_the_assistant_uses(text, html):
    assert render(text) == html


@pytest.mark.parametrize(
    "hostile",
    [
        "<img src=x onerror=alert(1)>",
        "**<script>alert(1)</script>**",
        "*<img src=x onerror=alert(1)>*",
        '[x](/ok" onmouseover="alert(1))',
        "[<b>x</b>](/path)",
        "- <svg onload=alert(1)>",
        "1. <iframe src=javascript:alert(1)>",
    ],
)
def test_hostile_text_never_becomes_markup(hostile):
    html = render(hostile)
    for tag in ["<img", "<script", "<svg", "<iframe", "<b>"]:
        assert tag not in html
    assert "onerror=" not in html.replace("onerror=alert", "") or "&lt;" in html
    assert '" onmouseover="' not in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JavaScript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](//evil.example/path)",
        "[x](/\\evil.example)",
        "[x](https://evil.example)",
        "[x](/\t/evil.example)",
        "[x](vbscript:msgbox)",
    ],
)
def test_only_links_to_paths_on_this_site_become_links(link):
    assert "<a" not in render(link)


def test_escaped_quotes_stay_inside_the_href():
    html = render('[x](/a?b="c")')
    assert html == '<p><a href="/a?b=&quot;c&quot;">x</a></p>'


def test_emphasis_never_crosses_a_link_or_another_tag():
    assert render("*a [b*](/c)") == '<p>*a <a href="/c">b*</a></p>'
    assert render("**a *b** c*") == "<p>**a *b** c*</p>"


def test_the_template_filter_marks_its_output_safe_and_escapes_the_rest():
    template = Template("{% load chat_markup %}{{ text|assistant_markup }}")
    html = template.render(Context({"text": "**<b>hi</b>**"}))
    assert html == "<p><strong>&lt;b&gt;hi&lt;/b&gt;</strong></p>"
