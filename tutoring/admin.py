from django.contrib import admin

from tutoring.models import Subject, Tutor


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Tutor)
class TutorAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "pronouns", "is_active"]
    list_filter = ["is_active", "subjects"]
    search_fields = ["name", "email"]
    filter_horizontal = ["subjects"]
