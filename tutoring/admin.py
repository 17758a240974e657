"""Staff pages for the roster and bookings (a later change deepens them)."""

from django.contrib import admin

from tutoring.models import AvailabilitySlot, Booking, Course, Subject, Tutor


class CourseInline(admin.TabularInline):
    model = Course
    extra = 0


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "aliases"]
    search_fields = ["name", "courses__code"]
    inlines = [CourseInline]


class AvailabilityInline(admin.TabularInline):
    model = AvailabilitySlot
    extra = 0
    fields = ["weekday", "start", "end", "mode", "location"]


@admin.register(Tutor)
class TutorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "pronouns", "is_active"]
    list_filter = ["is_active", "subjects"]
    search_fields = ["name", "email"]
    filter_horizontal = ["subjects"]
    inlines = [AvailabilityInline]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["start", "tutor", "student_name", "mode", "subject", "status"]
    list_filter = ["status", "mode", "tutor"]
    list_select_related = ["tutor"]
    search_fields = ["uid", "student_name", "student_email", "college_email", "tutor__name"]
    date_hierarchy = "start"
    ordering = ["-start"]
    readonly_fields = ["uid", "chat_session_id", "created_at", "cancelled_at", "reminder_sent_at"]
