"""Staff work in admin: the roster, bookings (filters, search, actions, CSV), chat sessions
and the report; nobody else gets in.

The clock starts frozen at Wednesday Dec 2, 2026, 9:00 AM Pacific. Ada teaches Python and
C++ (Mondays 10-12 online, Wednesdays 8-12 online and 14-16 in Room 204); Ben teaches MIPS
Assembly (Mondays 10-11 on campus, Thursdays 18-19 online).
"""

import csv
import dataclasses
import io
import re
from datetime import datetime, time

import pytest
import time_machine
from django.contrib.admin.utils import quote
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from chat import store
from chat.assistant.turn import take_turn
from tests.conftest import CENTER_NOW, CENTER_ZONE
from tutoring.booking import booking_create, booking_record_attendance
from tutoring.models import Booking, Course, Subject, Tutor, UnmetSearch
from tutoring.ranking import Wish, tutors_match
from tutoring.slots import offered_slot

pytestmark = pytest.mark.django_db

WEDNESDAY_2PM = datetime(2026, 12, 2, 14, 0, tzinfo=CENTER_ZONE)
WEDNESDAY_230PM = datetime(2026, 12, 2, 14, 30, tzinfo=CENTER_ZONE)
THURSDAY_6PM = datetime(2026, 12, 3, 18, 0, tzinfo=CENTER_ZONE)
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=CENTER_ZONE)
# The Thursday after all four sessions: every one of them has started.
LATER = datetime(2026, 12, 10, 12, 0, tzinfo=CENTER_ZONE)


@pytest.fixture
def staff(client, staff_user) -> Client:
    client.force_login(staff_user)
    return client


@pytest.fixture
def book(frozen_clock, student_answers, django_capture_on_commit_callbacks):
    """Book a session (confirmation email sent, then the outbox emptied)."""

    def make(tutor, start, *, chat_session_id: str = "", **answers) -> Booking:
        with django_capture_on_commit_callbacks(execute=True):
            booking = booking_create(
                tutor_id=tutor.pk,
                start=start,
                answers=dataclasses.replace(student_answers, **answers),
                subject="Python",
                chat_session_id=chat_session_id,
            )
        mail.outbox.clear()
        return booking

    return make


@pytest.fixture
def bookings(book, ada_weekly, ben_weekly) -> dict[str, Booking]:
    """Four sessions: Ada Wed 2 PM (Sofia) and 2:30 PM (Lee), Ben Thu 6 PM, Ada Mon 10 AM."""
    return {
        "ada_wed": book(ada_weekly, WEDNESDAY_2PM),
        "ada_wed_late": book(
            ada_weekly,
            WEDNESDAY_230PM,
            student_name="Lee Chan",
            student_email="lee.chan@example.com",
            college_email="lchan@mail.ccsf.edu",
            student_id="W7654321",
        ),
        "ben_thu": book(ben_weekly, THURSDAY_6PM),
        "ada_mon": book(ada_weekly, MONDAY_10),
    }


def act(client: Client, action: str, *selected: Booking, **kwargs):
    return client.post(
        "/admin/tutoring/booking/",
        {"action": action, "_selected_action": [b.pk for b in selected]},
        **kwargs,
    )


def notices(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Pages load ------------------------------------------------------------------------------


def staff_urls(bookings: dict[str, Booking], session_id: str) -> list[str]:
    ada = bookings["ada_wed"].tutor
    python = Subject.objects.get(name="Python")
    return [
        "/admin/",
        "/admin/tutoring/tutor/",
        f"/admin/tutoring/tutor/{ada.pk}/change/",
        "/admin/tutoring/tutor/add/",
        "/admin/tutoring/subject/",
        f"/admin/tutoring/subject/{python.pk}/change/",
        "/admin/tutoring/booking/",
        f"/admin/tutoring/booking/{bookings['ada_wed'].pk}/change/",
        "/admin/tutoring/booking/report/",
        "/admin/tutoring/unmetsearch/",
        "/admin/chat/chatsession/",
        f"/admin/chat/chatsession/{quote(session_id)}/change/",
        "/admin/chat/purgedsessioncount/",
    ]


def test_every_staff_page_loads_for_staff(staff, bookings):
    session = store.session_create()

    for url in staff_urls(bookings, session.pk):
        response = staff.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("who", ["anonymous", "student"])
def test_everyone_but_staff_is_sent_to_the_login_page(client, who, student_user, bookings):
    if who == "student":
        client.force_login(student_user)
    session = store.session_create()

    for url in staff_urls(bookings, session.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    for action in ["mark_attended", "mark_no_show", "cancel_bookings", "export_csv"]:
        response = act(client, action, bookings["ada_mon"])
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert Booking.objects.get(pk=bookings["ada_mon"].pk).status == Booking.Status.CONFIRMED
    assert mail.outbox == []


# --- The roster --------------------------------------------------------------------------------


def test_the_tutor_page_shows_subjects_and_an_inline_of_weekly_slots(staff, ada_weekly):
    listing = staff.get("/admin/tutoring/tutor/").content.decode()
    assert "Ada Lin" in listing
    assert "Python, C++" in listing or "C++, Python" in listing

    page = staff.get(f"/admin/tutoring/tutor/{ada_weekly.pk}/change/").content.decode()

    assert 'name="availability-TOTAL_FORMS" value="3"' in page
    assert 'name="availability-0-start"' in page
    assert "Room 204" in page


def test_the_subject_page_shows_aliases_and_course_codes(staff, tutor_ada):
    python = Subject.objects.get(name="Python")
    python.aliases = ["py", "python3"]
    python.save()
    Course.objects.create(code="CS 110A", subject=python)
    Course.objects.create(code="CS 131B", subject=python)

    listing = staff.get("/admin/tutoring/subject/").content.decode()
    assert "CS 110A, CS 131B" in listing
    assert "python3" in listing
    found = staff.get("/admin/tutoring/subject/", {"q": "CS 131B"}).content.decode()
    assert "Python" in found
    assert "C++" not in found

    page = staff.get(f"/admin/tutoring/subject/{python.pk}/change/").content.decode()
    assert 'value="CS 110A"' in page


# --- Bookings: filters and search ----------------------------------------------------------------


def names_listed(response) -> set[str]:
    html = response.content.decode()
    return {name for name in ("Sofia Park", "Lee Chan") if name in html}


def listed_pks(response) -> set[int]:
    return {booking.pk for booking in response.context["cl"].result_list}


def test_bookings_filter_by_status_tutor_mode_and_date(staff, bookings, ben_weekly):
    Booking.objects.filter(pk=bookings["ada_mon"].pk).update(status=Booking.Status.CANCELLED)
    url = "/admin/tutoring/booking/"
    every = {b.pk for b in bookings.values()}

    assert listed_pks(staff.get(url)) == every
    assert listed_pks(staff.get(url, {"status__exact": "cancelled"})) == {bookings["ada_mon"].pk}
    assert listed_pks(staff.get(url, {"tutor__id__exact": ben_weekly.pk})) == {
        bookings["ben_thu"].pk
    }
    assert listed_pks(staff.get(url, {"mode__exact": "on campus"})) == {
        bookings["ada_wed"].pk,
        bookings["ada_wed_late"].pk,
    }
    # The date filter's own links ("Today" is Wednesday), then the date hierarchy's Thursday.
    changelist = staff.get(url).context["cl"]
    on_start = next(spec for spec in changelist.filter_specs if spec.field_path == "start")
    links = {str(c["display"]): c["query_string"] for c in on_start.choices(changelist)}
    assert listed_pks(staff.get(url + links["Today"])) == {
        bookings["ada_wed"].pk,
        bookings["ada_wed_late"].pk,
    }
    assert listed_pks(staff.get(url + links["This month"])) == every
    hierarchy = {"start__year": "2026", "start__month": "12", "start__day": "3"}
    assert listed_pks(staff.get(url, hierarchy)) == {bookings["ben_thu"].pk}


@pytest.mark.parametrize(
    "query", ["lee chan", "lee.chan@example.com", "lchan@mail.ccsf.edu", "W7654321"]
)
def test_bookings_are_found_by_student_name_email_college_email_or_id(staff, bookings, query):
    response = staff.get("/admin/tutoring/booking/", {"q": query})

    assert listed_pks(response) == {bookings["ada_wed_late"].pk}


def test_a_booking_links_to_the_chat_session_that_made_it(staff, book, ada_weekly):
    session = store.session_create()
    booking = book(ada_weekly, MONDAY_10, chat_session_id=session.pk)

    page = staff.get(f"/admin/tutoring/booking/{booking.pk}/change/").content.decode()

    assert f'href="/admin/chat/chatsession/{quote(session.pk)}/change/"' in page


def test_the_link_works_for_a_session_id_that_admin_must_quote(staff, book, ada_weekly):
    # "_41" would read back as "A" unless the link quotes the "_" the way admin does.
    session_id = "x_41" + "y" * 28
    store.ChatSession.objects.create(id=session_id)
    booking = book(ada_weekly, MONDAY_10, chat_session_id=session_id)
    page = staff.get(f"/admin/tutoring/booking/{booking.pk}/change/").content.decode()
    link = re.search(r'href="(/admin/chat/chatsession/[^"]+)"', page).group(1)

    session_page = staff.get(link)

    assert session_page.status_code == 200
    assert session_page.context["original"].pk == session_id


# --- Bookings: actions -------------------------------------------------------------------------


def test_marking_attended_and_no_show_changes_the_status_of_started_sessions(staff, bookings):
    with time_machine.travel(LATER, tick=False):
        attended = act(staff, "mark_attended", bookings["ada_wed"], bookings["ada_mon"])
        missed = act(staff, "mark_no_show", bookings["ben_thu"])

    assert attended.status_code == 302
    assert "Marked 2 bookings attended." in notices(attended)
    assert "Marked 1 booking no-show." in notices(missed)
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses[bookings["ada_wed"].pk] == "attended"
    assert statuses[bookings["ada_mon"].pk] == "attended"
    assert statuses[bookings["ben_thu"].pk] == "no-show"
    assert statuses[bookings["ada_wed_late"].pk] == "confirmed"


def test_attendance_is_not_marked_before_a_session_starts(staff, bookings):
    response = act(staff, "mark_attended", bookings["ada_mon"])

    assert any("Not marked" in notice for notice in notices(response))
    assert Booking.objects.get(pk=bookings["ada_mon"].pk).status == "confirmed"


def test_cancelling_frees_the_slot_and_emails_the_student(
    staff, bookings, ada_weekly, django_capture_on_commit_callbacks
):
    booking = bookings["ada_mon"]
    assert offered_slot(tutor_id=ada_weekly.pk, start=MONDAY_10) is None

    with django_capture_on_commit_callbacks(execute=True):
        response = act(staff, "cancel_bookings", booking)

    assert "Cancelled 1 booking; the student was emailed." in notices(response)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_at == CENTER_NOW
    assert offered_slot(tutor_id=ada_weekly.pk, start=MONDAY_10) is not None
    wish = Wish(subjects=("Python",), day="Monday", time=time(10, 0))
    offered = [slot.start for slot in tutors_match(wish).matches[0].slots]
    assert MONDAY_10 in offered
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sofia.park@example.com", "spark@mail.ccsf.edu"]
    assert "cancel" in mail.outbox[0].subject.lower()


def test_cancelling_reports_which_bookings_could_not_be_cancelled(
    staff, bookings, django_capture_on_commit_callbacks
):
    with time_machine.travel(LATER, tick=False):
        booking_record_attendance(booking=bookings["ada_wed"], status="attended")
    Booking.objects.filter(pk=bookings["ben_thu"].pk).update(status=Booking.Status.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            staff,
            "cancel_bookings",
            bookings["ada_wed"],
            bookings["ben_thu"],
            bookings["ada_mon"],
            bookings["ada_wed_late"],
        )

    shown = notices(response)
    assert "Cancelled 2 bookings; each student was emailed." in shown
    assert "1 booking was already cancelled." in shown
    refused = [notice for notice in shown if notice.startswith("Could not cancel")]
    assert len(refused) == 1
    assert "Ada Lin Wed 2026-12-02 14:00 (attended)" in refused[0]
    assert len(mail.outbox) == 2
    assert Booking.objects.get(pk=bookings["ada_wed"].pk).status == "attended"


def test_the_csv_export_has_a_header_and_the_selected_bookings(staff, bookings):
    response = act(staff, "export_csv", bookings["ada_wed"], bookings["ben_thu"])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="bookings-2026-12-02.csv"' == response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["tutor"] for row in rows] == ["Ada Lin", "Ben Ortiz"]
    assert rows[0]["start"] == "2026-12-02T14:00-08:00"
    assert rows[1]["start"] == "2026-12-03T18:00-08:00"
    assert rows[0]["student email"] == "sofia.park@example.com"
    assert rows[0]["room or link"] == "Room 204"
    assert rows[0]["booking"] == str(bookings["ada_wed"].uid)
    assert "chat session" not in rows[0]


def test_the_csv_export_defuses_spreadsheet_formulas(staff, book, ada_weekly):
    booking = book(ada_weekly, MONDAY_10, student_id="")
    # Answers are validated when a booking is made, but rows stored before that rule (or
    # edited in the database) may hold anything: the export must still defuse them.
    Booking.objects.filter(pk=booking.pk).update(
        student_name='=HYPERLINK("http://evil.example")',
        specific_help="+1+1",
        additional_notes="@SUM(A1:A9)",
        classes=["-2+3"],
    )

    response = act(staff, "export_csv", booking)

    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["student name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["specific help"] == "'+1+1"
    assert row["notes"] == "'@SUM(A1:A9)"
    assert row["classes"] == "'-2+3"
    assert row["tutor"] == "Ada Lin"


# --- Chat sessions ---------------------------------------------------------------------------


def test_a_chat_session_page_shows_its_state_and_links_to_its_bookings(staff, demo_roster, book):
    session = store.session_create()
    take_turn(session.pk, text="Python on Monday around 10")
    take_turn(session.pk, text="1")
    maya = Tutor.objects.get(name="Maya Okafor")
    booking = book(
        maya, datetime(2026, 12, 7, 10, 30, tzinfo=CENTER_ZONE), chat_session_id=session.pk
    )

    page = staff.get(f"/admin/chat/chatsession/{quote(session.pk)}/change/").content.decode()

    assert "Current state" in page
    assert "Python · Monday · 10:00 · any mode" in page
    assert "Maya Okafor (" in page  # the pending match and the tutors shown
    assert "step: name-email" in page  # the booking form, waiting for a name
    assert f'href="/admin/tutoring/booking/{booking.pk}/change/"' in page
    assert f"/admin/tutoring/booking/?chat_session_id={session.pk}" in page
    filtered = staff.get("/admin/tutoring/booking/", {"chat_session_id": session.pk})
    assert listed_pks(filtered) == {booking.pk}


def test_staff_find_a_chat_session_by_its_exact_id(staff):
    wanted, other = store.session_create(), store.session_create()

    response = staff.get("/admin/chat/chatsession/", {"q": wanted.pk})

    assert [s.pk for s in response.context["cl"].result_list] == [wanted.pk]
    assert other.pk not in response.content.decode()


def test_deleting_a_chat_session_in_admin_goes_through_the_store(staff, monkeypatch):
    session = store.session_create()
    deleted = []
    real = store.session_delete
    monkeypatch.setattr(store, "session_delete", lambda sid, **kw: deleted.append(sid) or real(sid))

    response = staff.post(f"/admin/chat/chatsession/{quote(session.pk)}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert deleted == [session.pk]
    assert not store.ChatSession.objects.filter(pk=session.pk).exists()


# --- The report --------------------------------------------------------------------------------


def test_the_report_is_linked_from_the_bookings_list(staff):
    page = staff.get("/admin/tutoring/booking/").content.decode()

    assert 'href="/admin/tutoring/booking/report/"' in page


def row_cells(html: str, table_id: str, row_key: str) -> list[str]:
    """Return the cell texts of the row whose first cell is ``row_key``."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        if cells and cells[0] == row_key:
            return cells
    raise AssertionError(f"no row {row_key!r} in {table_id}")


def test_the_report_counts_bookings_per_tutor_per_week_and_the_no_show_rate(staff, bookings):
    with time_machine.travel(LATER, tick=False):
        for key, status in [
            ("ada_wed", "attended"),
            ("ada_wed_late", "no-show"),
            ("ben_thu", "no-show"),
            ("ada_mon", "attended"),
        ]:
            booking_record_attendance(booking=bookings[key], status=status)
        html = staff.get("/admin/tutoring/booking/report/", {"weeks": "2"}).content.decode()

    # Weeks of Monday Nov 30 and Monday Dec 7.
    assert row_cells(html, "report-weekly", "Ada Lin") == ["Ada Lin", "2", "1", "3"]
    assert row_cells(html, "report-weekly", "Ben Ortiz") == ["Ben Ortiz", "1", "0", "1"]
    assert row_cells(html, "report-weekly", "All tutors") == ["All tutors", "3", "1", "4"]
    assert row_cells(html, "report-no-shows", "Ada Lin") == ["Ada Lin", "2", "1", "33.3%"]
    assert row_cells(html, "report-no-shows", "Ben Ortiz") == ["Ben Ortiz", "0", "1", "100.0%"]
    assert row_cells(html, "report-no-shows", "Overall") == ["Overall", "2", "2", "50.0%"]


def test_cancelled_bookings_and_bookings_outside_the_weeks_are_not_counted(staff, bookings):
    Booking.objects.filter(pk=bookings["ada_wed"].pk).update(status=Booking.Status.CANCELLED)

    html = staff.get("/admin/tutoring/booking/report/", {"weeks": "1"}).content.decode()

    # This week (from Monday Nov 30): Lee's Wednesday session and Ben's Thursday one.
    assert row_cells(html, "report-weekly", "Ada Lin") == ["Ada Lin", "1", "1"]
    assert row_cells(html, "report-weekly", "All tutors") == ["All tutors", "2", "2"]
    assert row_cells(html, "report-no-shows", "Overall") == ["Overall", "0", "0", "—"]


def test_the_report_shows_unmet_demand_from_real_searches(staff, demo_roster):
    session = store.session_create()
    take_turn(session.pk, text="MIPS on Sunday")
    take_turn(session.pk, text="MIPS assembly on Sunday afternoon")
    take_turn(session.pk, text="Python on Monday around 10")  # found: not recorded

    searches = list(UnmetSearch.objects.all())
    assert len(searches) == 2
    assert {(s.subject, s.weekday, s.searched_on) for s in searches} == {
        ("MIPS Assembly", "Sunday", CENTER_NOW.date())
    }
    assert all("day" in s.unmet for s in searches)
    assert not any(s.found_nobody for s in searches)
    recorded = UnmetSearch._meta.get_fields()
    assert not any("session" in field.name for field in recorded)

    html = staff.get("/admin/tutoring/booking/report/").content.decode()

    cells = row_cells(html, "report-unmet", "MIPS Assembly")
    assert cells[1:4] == ["Sunday", "2", "0"]
    assert "day (2)" in cells[4]


def test_a_search_nobody_can_serve_is_recorded_as_found_nobody(staff, demo_roster):
    Tutor.objects.filter(subjects__name="MIPS Assembly").update(is_active=False)
    session = store.session_create()

    take_turn(session.pk, text="MIPS on Tuesday")

    search = UnmetSearch.objects.get()
    assert (search.subject, search.weekday, search.found_nobody) == (
        "MIPS Assembly",
        "Tuesday",
        True,
    )
    assert search.unmet == ["subjects"]
    html = staff.get("/admin/tutoring/booking/report/").content.decode()
    assert row_cells(html, "report-unmet", "MIPS Assembly")[1:4] == ["Tuesday", "1", "1"]


def test_a_staff_member_without_booking_rights_cannot_see_the_report(client, db):
    limited = User.objects.create_user("dana", "dana@example.edu", "pw", is_staff=True)
    client.force_login(limited)

    assert client.get("/admin/tutoring/booking/report/").status_code == 403


def test_the_report_weeks_parameter_is_bounded(staff, frozen_clock):
    assert staff.get("/admin/tutoring/booking/report/", {"weeks": "junk"}).context["weeks"] == 8
    assert staff.get("/admin/tutoring/booking/report/", {"weeks": "500"}).context["weeks"] == 52
    assert staff.get("/admin/tutoring/booking/report/", {"weeks": "0"}).context["weeks"] == 1
    assert len(staff.get("/admin/tutoring/booking/report/").context["report"].weeks) == 8
