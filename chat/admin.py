"""Chat sessions in Django admin: staff read transcripts and state; they do not edit them.

Changing a session here would bypass the single writer (chat.store), so every chat model is
read-only in admin; deleting a whole session (privacy requests) is allowed, and goes
through ``chat.store.session_delete`` like every other deletion.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from chat import state, store, support
from chat.assistant import booking_form
from chat.models import (
    BookingDraft,
    ChatMessage,
    ChatSession,
    DeviceLink,
    PurgedSessionCount,
    SearchCriteria,
    SessionMatch,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = ChatMessage
    fields = ["seq", "role", "content", "tutor", "created_at"]
    readonly_fields = fields
    ordering = ["seq"]


class MatchInline(ReadOnlyInline):
    model = SessionMatch
    fields = ["kind", "position", "tutor", "score", "reasoning", "available_slots"]
    readonly_fields = fields


class SearchCriteriaInline(ReadOnlyInline):
    model = SearchCriteria
    fields = ["skills", "day", "time", "part_of_day", "mode", "text"]
    readonly_fields = fields


class BookingDraftInline(ReadOnlyInline):
    model = BookingDraft
    fields = ["step", *(field.name for field in booking_form.FIELDS), "slot"]
    readonly_fields = fields


class DeviceLinkInline(ReadOnlyInline):
    """The session's device links: when, until when, revoked, used. Never the token."""

    model = DeviceLink
    fields = ["created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    ordering = ["-created_at"]


class EndedFilter(admin.SimpleListFilter):
    title = _("ended")
    parameter_name = "ended"

    def lookups(self, request, model_admin):
        return [("yes", _("Ended")), ("no", _("Open"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_at__isnull=self.value() == "no")
        return queryset


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "created_at",
        "last_activity_at",
        "ended_at",
        "last_seq",
        "version",
    ]
    list_filter = [EndedFilter, "created_at", "last_activity_at"]
    date_hierarchy = "last_activity_at"
    # Exact id only: staff paste the id of the session they were asked about.
    search_fields = ["=id"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "created_at",
                    "last_activity_at",
                    "ended_at",
                    "api_token",
                    "version",
                    "last_seq",
                ]
            },
        ),
        (
            _("Current state"),
            {
                "fields": [
                    "search_now",
                    "pending_match_now",
                    "tutors_shown_now",
                    "booking_form_now",
                    "bookings",
                ]
            },
        ),
    ]
    readonly_fields = [
        "id",
        "created_at",
        "last_activity_at",
        "ended_at",
        "api_token",
        "version",
        "last_seq",
        "search_now",
        "pending_match_now",
        "tutors_shown_now",
        "booking_form_now",
        "bookings",
    ]
    inlines = [
        SearchCriteriaInline,
        MatchInline,
        BookingDraftInline,
        DeviceLinkInline,
        MessageInline,
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing is allowed through the view permission; nothing is editable.
        return False

    def delete_model(self, request: HttpRequest, obj: ChatSession) -> None:
        store.session_delete(obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ChatSession]) -> None:
        for session_id in queryset.values_list("pk", flat=True):
            try:
                store.session_delete(session_id)
            except store.SessionNotFound:
                pass  # deleted meanwhile (by the student, or a purge): nothing left to do

    # --- the state, read-only -------------------------------------------------------------

    @admin.display(description=_("API access token"))
    def api_token(self, session: ChatSession) -> str:
        # Only whether there is one: the token itself is never stored.
        return _("issued") if session.access_token_hash else _("none")

    @admin.display(description=_("search"))
    def search_now(self, session: ChatSession) -> str:
        return support.criteria_text(state.session_search_criteria(session))

    @admin.display(description=_("pending match"))
    def pending_match_now(self, session: ChatSession) -> str:
        pending = state.pending_match_json(state.session_matches(session))
        return support.match_text(pending) if pending else _("none")

    @admin.display(description=_("tutors shown"))
    def tutors_shown_now(self, session: ChatSession) -> str:
        shown = state.available_tutors_json(state.session_matches(session))
        if not shown:
            return _("none")
        return format_html_join(
            "",
            "<div>{}. {}</div>",
            ((n, support.match_text(match)) for n, match in enumerate(shown, start=1)),
        )

    @admin.display(description=_("booking in progress"))
    def booking_form_now(self, session: ChatSession) -> str:
        text = support.draft_text(state.session_booking_draft(session))
        return format_html_join("", "<div>{}</div>", ((line,) for line in text.splitlines()))

    @admin.display(description=_("bookings made"))
    def bookings(self, session: ChatSession) -> str:
        made = support.session_bookings(session.pk)
        if not made:
            return _("none")
        links = format_html_join(
            "",
            '<div><a href="{}">{}</a></div>',
            (
                (reverse("admin:tutoring_booking_change", args=[booking.pk]), str(booking))
                for booking in made
            ),
        )
        every = (
            reverse("admin:tutoring_booking_changelist")
            + "?"
            + urlencode({"chat_session_id": session.pk})
        )
        return format_html('{}<div><a href="{}">{}</a></div>', links, every, _("All in a list"))


@admin.register(PurgedSessionCount)
class PurgedSessionCountAdmin(admin.ModelAdmin):
    """What purge_chat_sessions keeps of the sessions it deletes: anonymous daily counts."""

    list_display = ["day", "sessions", "messages", "last_purged_at"]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
