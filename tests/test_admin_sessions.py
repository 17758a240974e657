"""Staff read chat sessions in admin; nobody edits them there."""

import pytest
from django.contrib.auth.models import User

from chat import store

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = User.objects.create_superuser("staff", "staff@example.edu", "pw-not-used")
    client.force_login(staff)
    return client


def test_staff_see_a_sessions_transcript_read_only(staff_client):
    session = store.session_create()
    store.session_append_message(session.id, role="user", content="<b>Python</b> please")

    page = staff_client.get(f"/admin/chat/chatsession/{session.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;b&gt;Python&lt;/b&gt; please" in html
    assert 'name="messages-0-content"' not in html  # no editable transcript fields


def test_admin_cannot_add_a_session(staff_client):
    assert staff_client.get("/admin/chat/chatsession/add/").status_code == 403


def test_a_non_staff_user_is_sent_to_the_login_page(client):
    User.objects.create_user("student", "s@example.edu", "pw")
    client.login(username="student", password="pw")

    response = client.get("/admin/chat/chatsession/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
