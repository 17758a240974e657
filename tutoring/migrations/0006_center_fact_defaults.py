"""Default center facts, for staff to edit in the admin (Center facts).

The texts live here, not in code the assistant imports: after this migration the rows are
the truth, and a later change of these defaults must not overwrite what staff wrote.
"""

from django.db import migrations

DEFAULTS = [
    (
        "location",
        "Where the center is",
        "The Tutoring Center is in the Library, Room 301 (third floor), on the main campus. "
        "Walk in and check in at the front desk.",
    ),
    (
        "hours",
        "Opening hours",
        "The center is open Monday to Thursday 9:00 AM to 8:30 PM, Friday 9:00 AM to "
        "4:30 PM and Saturday 9:30 AM to 2:30 PM (Pacific Time). Each tutor's own times are "
        "the ones offered here.",
    ),
    (
        "contact",
        "How to reach the center",
        "Email tutoring@example.edu or call (415) 555-0123 during opening hours. If you are "
        "running late or can't make it, let the center know, or cancel with the link in "
        "your confirmation email.",
    ),
    (
        "online",
        "How online sessions work",
        "Online sessions are video calls. The meeting link is in your confirmation email "
        "(and the calendar invitation); join a minute early with the assignment at hand.",
    ),
    (
        "campus",
        "Where on-campus sessions are",
        "On-campus sessions are at the Tutoring Center (Library, Room 301) unless the "
        "session names another room; the room is in your confirmation email.",
    ),
    (
        "why:name-email",
        "Why your name and email",
        "So your tutor knows who to expect, and so the confirmation, a reminder and the "
        "cancel link can reach you.",
    ),
    (
        "why:ccsf-email",
        "Why your college email",
        "The center records visits under your college account, and your college address "
        "gets a copy of the confirmation too.",
    ),
    (
        "why:student-id",
        "Why your student ID",
        "So the center can record the visit for your college; it's optional, and you can "
        "skip it.",
    ),
    (
        "why:allow-others",
        "Why ask about others joining",
        "Sometimes another student needs help with the same class at the same time. If you "
        "say yes, the tutor may invite them to join; if you say no, the session is yours "
        "alone.",
    ),
    (
        "why:classes",
        "Why your classes",
        "So the tutor can look at the course material before you meet and come prepared.",
    ),
    (
        "why:specific-help",
        "Why what you need help with",
        "A sentence or two about the assignment or topic lets the tutor prepare, so the "
        "session goes further.",
    ),
    (
        "why:additional-notes",
        "Why additional notes",
        "Anything else the tutor should know, such as accessibility needs or what you have "
        "tried already; it's optional.",
    ),
]


def add_defaults(apps, schema_editor):
    CenterFact = apps.get_model("tutoring", "CenterFact")
    for key, label, text in DEFAULTS:
        CenterFact.objects.get_or_create(key=key, defaults={"label": label, "text": text})


def remove_defaults(apps, schema_editor):
    CenterFact = apps.get_model("tutoring", "CenterFact")
    CenterFact.objects.filter(key__in=[key for key, _label, _text in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tutoring", "0005_center_fact"),
    ]

    operations = [
        migrations.RunPython(add_defaults, remove_defaults),
    ]
