"""Staff pages for the roster and bookings, and the staff report (Bookings › Report).

Actions change bookings through ``tutoring.booking`` (cancelling frees the slot and emails
the student), never by saving rows here. The report is a read-only admin view.
"""

import io

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tutoring.booking import (
    ANONYMISED_FIELDS,
    AttendanceNotRecordable,
    BookingNotCancellable,
    booking_cancel,
    booking_record_attendance,
)
from tutoring.exports import bookings_csv_write, bookings_for_export
from tutoring.models import (
    AvailabilitySlot,
    Booking,
    CenterFact,
    Course,
    Subject,
    Tutor,
    UnmetSearch,
)
from tutoring.periods import center_today
from tutoring.reports import staff_report
from tutoring.schemas import unstorable_character

MAX_REPORT_WEEKS = 52


def _strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.items() for part in item for text in _strings_in(part)]
    if isinstance(value, list):
        return [text for item in value for text in _strings_in(item)]
    return []


class StorableJSONField(forms.JSONField):
    """A JSON form field refusing text no database stores (``"\u0000"`` breaks jsonb).

    Text fields need nothing: Django's ``CharField`` already refuses NUL, and a form post
    cannot carry a lone surrogate (invalid UTF-8 is read as U+FFFD).
    """

    def validate(self, value) -> None:
        super().validate(value)
        for text in _strings_in(value):
            character = unstorable_character(text)
            if character is not None:
                raise ValidationError(
                    _("Text here can't contain %(character)s."),
                    code="unstorable",
                    params={"character": character},
                )


_STORABLE_JSON = {models.JSONField: {"form_class": StorableJSONField}}


class CourseInline(admin.TabularInline):
    model = Course
    extra = 0


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "aliases", "course_codes", "tutor_count"]
    search_fields = ["name", "aliases", "courses__code"]
    inlines = [CourseInline]
    formfield_overrides = _STORABLE_JSON

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subject]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("courses")
            .annotate(tutor_total=Count("tutors", distinct=True))
        )

    @admin.display(description=_("courses"))
    def course_codes(self, subject: Subject) -> str:
        return ", ".join(course.code for course in subject.courses.all())

    @admin.display(description=_("tutors"), ordering="tutor_total")
    def tutor_count(self, subject: Subject) -> int:
        return subject.tutor_total


class AvailabilityInline(admin.TabularInline):
    model = AvailabilitySlot
    extra = 0
    fields = ["weekday", "start", "end", "mode", "location"]


@admin.register(Tutor)
class TutorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "pronouns", "subject_names", "weekly_slots", "is_active"]
    list_filter = ["is_active", "subjects"]
    search_fields = ["name", "email", "subjects__name"]
    filter_horizontal = ["subjects"]
    inlines = [AvailabilityInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tutor]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("subjects")
            .annotate(slot_total=Count("availability", distinct=True))
        )

    @admin.display(description=_("subjects"))
    def subject_names(self, tutor: Tutor) -> str:
        return ", ".join(subject.name for subject in tutor.subjects.all())

    @admin.display(description=_("weekly slots"), ordering="slot_total")
    def weekly_slots(self, tutor: Tutor) -> int:
        return tutor.slot_total


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    change_list_template = "admin/tutoring/booking/change_list.html"
    list_display = [
        "start",
        "tutor",
        "student_name",
        "subject",
        "mode",
        "status",
        "reminder_sent_at",
    ]
    list_filter = [
        "status",
        "tutor",
        "mode",
        ("start", admin.DateFieldListFilter),
        ("anonymised_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["tutor"]
    search_fields = [
        "=uid",
        "student_name",
        "student_email",
        "college_email",
        "student_id",
        "tutor__name",
    ]
    date_hierarchy = "start"
    ordering = ["-start"]
    formfield_overrides = _STORABLE_JSON
    # When, with whom and the status change only through tutoring.booking (the actions),
    # which keep the slot rules and email the student; staff may fix a student's details.
    readonly_fields = [
        "uid",
        "tutor",
        "start",
        "end",
        "mode",
        "status",
        "chat_session",
        "created_at",
        "cancelled_at",
        "reminder_sent_at",
        "anonymised_at",
    ]
    exclude = ["chat_session_id"]
    actions = ["mark_attended", "mark_no_show", "cancel_bookings", "export_csv"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Students book through the chat, which checks the slot and sends the confirmation.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Booking | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_anonymised:
            # Retention or a deletion request removed the student's details for good.
            fields += [name for name in ANONYMISED_FIELDS if name != "chat_session_id"]
        return fields

    @admin.display(description=_("chat session"))
    def chat_session(self, booking: Booking) -> str:
        if not booking.chat_session_id:
            return "-"
        short = f"{booking.chat_session_id[:6]}…"
        try:
            # By URL name: tutoring does not import chat, and the session may be purged.
            url = reverse("admin:chat_chatsession_change", args=[quote(booking.chat_session_id)])
        except NoReverseMatch:
            return short
        return format_html('<a href="{}">{}</a>', url, short)

    # --- actions --------------------------------------------------------------------------

    @admin.action(description=_("Mark selected bookings attended"), permissions=["change"])
    def mark_attended(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._record_attendance(request, queryset, Booking.Status.ATTENDED)

    @admin.action(description=_("Mark selected bookings no-show"), permissions=["change"])
    def mark_no_show(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._record_attendance(request, queryset, Booking.Status.NO_SHOW)

    def _record_attendance(
        self, request: HttpRequest, queryset: QuerySet[Booking], status: str
    ) -> None:
        now = timezone.now()
        marked, refused = 0, []
        for booking in queryset:
            try:
                booking_record_attendance(booking=booking, status=status, now=now)
                marked += 1
            except AttendanceNotRecordable:
                refused.append(booking)
        label = Booking.Status(status).label
        if marked:
            self.message_user(
                request,
                ngettext(
                    "Marked %(count)d booking %(status)s.",
                    "Marked %(count)d bookings %(status)s.",
                    marked,
                )
                % {"count": marked, "status": label},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Not marked (cancelled, or not started yet): %(bookings)s.")
                % {"bookings": "; ".join(str(b) for b in refused)},
                messages.WARNING,
            )

    @admin.action(
        description=_("Cancel selected bookings (frees the slot, emails the student)"),
        permissions=["change"],
    )
    def cancel_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        now = timezone.now()
        cancelled, already, refused = 0, 0, []
        for booking in queryset:
            if booking.status == Booking.Status.CANCELLED:
                already += 1
                continue
            try:
                booking_cancel(booking=booking, now=now)
                cancelled += 1
            except BookingNotCancellable:
                refused.append(booking)
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "Cancelled %(count)d booking; the student was emailed.",
                    "Cancelled %(count)d bookings; each student was emailed.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )
        if already:
            self.message_user(
                request,
                ngettext(
                    "%(count)d booking was already cancelled.",
                    "%(count)d bookings were already cancelled.",
                    already,
                )
                % {"count": already},
                messages.INFO,
            )
        if refused:
            self.message_user(
                request,
                _("Could not cancel (started, or attendance recorded): %(bookings)s.")
                % {"bookings": "; ".join(str(b) for b in refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Export selected bookings as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Booking]) -> HttpResponse:
        out = io.StringIO()
        bookings_csv_write(bookings_for_export(queryset), out)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        filename = f"bookings-{center_today():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # --- the report -------------------------------------------------------------------------

    def get_urls(self):
        report = path(
            "report/",
            self.admin_site.admin_view(self.report_view),
            name="tutoring_booking_report",
        )
        return [report, *super().get_urls()]

    def report_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        weeks = _weeks_param(request.GET.get("weeks"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Bookings report"),
            "report": staff_report(weeks=weeks),
            "weeks": weeks,
            "week_choices": [4, 8, 13, 26, 52],
        }
        return TemplateResponse(request, "admin/tutoring/booking/report.html", context)


def _weeks_param(raw: str | None) -> int:
    """Return ``?weeks=`` as 1..52; anything else means the default (REPORT_WEEKS)."""
    try:
        weeks = int(raw) if raw else settings.REPORT_WEEKS
    except ValueError:
        weeks = settings.REPORT_WEEKS
    return min(max(weeks, 1), MAX_REPORT_WEEKS)


@admin.register(UnmetSearch)
class UnmetSearchAdmin(admin.ModelAdmin):
    """Anonymous rows the assistant writes; staff read them, nobody edits them."""

    list_display = ["searched_on", "subject", "weekday", "part_of_day", "mode", "unmet_wishes"]
    list_filter = ["searched_on", "subject", "weekday", "found_nobody"]
    date_hierarchy = "searched_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("unmet wishes"))
    def unmet_wishes(self, search: UnmetSearch) -> str:
        return ", ".join(search.unmet) or "-"


@admin.register(CenterFact)
class CenterFactAdmin(admin.ModelAdmin):
    """What the assistant says about the center (where, hours, contact, why a step asks)."""

    list_display = ["key", "label", "text"]
    search_fields = ["key", "label", "text"]
    ordering = ["key"]
