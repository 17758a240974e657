"""Chat sessions in Django admin: staff read transcripts and state; they do not edit them.

Changing a session here would bypass the single writer (chat.store), so every chat model is
read-only in admin; deleting a whole session (privacy requests) is allowed.
"""

from django.contrib import admin

from chat.models import BookingDraft, ChatMessage, ChatSession, SearchCriteria, SessionMatch


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
    fields = [
        "step",
        "student_name",
        "student_email",
        "ccsf_email",
        "student_id",
        "allow_other_students",
        "classes",
        "specific_help",
        "additional_notes",
        "slot",
    ]
    readonly_fields = fields


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at", "last_activity_at", "last_seq", "version"]
    list_filter = ["created_at", "last_activity_at"]
    date_hierarchy = "last_activity_at"
    fields = ["id", "created_at", "last_activity_at", "version", "last_seq"]
    readonly_fields = fields
    inlines = [SearchCriteriaInline, MatchInline, BookingDraftInline, MessageInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing is allowed through the view permission; nothing is editable.
        return False
