"""Facts about the center that staff keep in the admin, and the assistant reads (CenterFact)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tutoring.center import center_fact
from tutoring.models import CenterFact

pytestmark = pytest.mark.django_db

FORM_STEPS = (
    "name-email",
    "ccsf-email",
    "student-id",
    "allow-others",
    "classes",
    "specific-help",
    "additional-notes",
)


def test_the_migration_gives_every_fact_a_default():
    keys = set(CenterFact.objects.values_list("key", flat=True))

    assert keys >= {"location", "hours", "contact", "online", "campus"}
    assert keys >= {f"why:{step}" for step in FORM_STEPS}
    assert all(fact.label and fact.text for fact in CenterFact.objects.all())


def test_the_defaults_answer_what_students_ask():
    assert "optional" in center_fact("why:student-id")
    assert "9:00 AM" in center_fact("hours")
    assert "8:30 PM" in center_fact("hours")
    assert "@" in center_fact("contact")
    assert "Room" in center_fact("location")


def test_a_missing_fact_reads_as_empty():
    assert center_fact("parking") == ""


def test_staff_edit_a_fact_on_its_admin_change_page(client, staff_user):
    client.force_login(staff_user)
    fact = CenterFact.objects.get(key="hours")

    page = client.get(f"/admin/tutoring/centerfact/{fact.pk}/change/")
    response = client.post(
        f"/admin/tutoring/centerfact/{fact.pk}/change/",
        {"key": "hours", "label": "Opening hours", "text": "Open 10:00 AM to 6:00 PM daily."},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert center_fact("hours") == "Open 10:00 AM to 6:00 PM daily."


def test_the_admin_lists_facts_by_key(client, staff_user):
    client.force_login(staff_user)

    response = client.get("/admin/tutoring/centerfact/")

    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("campus") < text.index("contact") < text.index("why:student-id")


def test_students_cannot_reach_the_facts_admin(client, student_user):
    client.force_login(student_user)

    response = client.get("/admin/tutoring/centerfact/")

    assert response.status_code == 302


@pytest.mark.parametrize("key", ["Hours", "why student id", "why:", ":x", "a:b:c"])
def test_a_key_is_lower_case_words_with_hyphens(key):
    with pytest.raises(ValidationError):
        CenterFact(key=key, label="x", text="y").full_clean()


@pytest.mark.django_db(transaction=True)
def test_the_defaults_migration_reverses_and_reapplies():
    executor = MigrationExecutor(connection)
    executor.migrate([("tutoring", "0005_center_fact")])
    assert not CenterFact.objects.exists()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert CenterFact.objects.filter(key="why:student-id").exists()
