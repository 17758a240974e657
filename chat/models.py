"""The durable state of one chat session, as rows.

These models replace the per-session Durable Object. They hold data and the invariants the
database can enforce; every change to them goes through ``chat.store`` (see
docs/concurrency.md), never through ``save()`` called from elsewhere.
"""

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.ids import new_session_id, short_session_id
from tutoring.models import Mode, PartOfDay, Tutor, Weekday


class ChatSession(models.Model):
    """One student's conversation: the unit of locking (rule 1 in DESIGN.md)."""

    id = models.CharField(primary_key=True, max_length=64, default=new_session_id, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    # Bumped by every committed change; the ETag of the session's state.
    version = models.PositiveBigIntegerField(_("version"), default=1)
    # The seq of the newest message, so the next seq needs no MAX() over the history.
    last_seq = models.PositiveIntegerField(_("last message number"), default=0)
    # What the assistant is waiting for (a slot pick, a tutor pick, a yes/no to switching
    # searches) and what it needs to remember for it. Internal: not part of the API's state.
    assistant_context = models.JSONField(_("assistant context"), default=dict, blank=True)
    # The SHA-256 of the API access token (chat.credentials), never the token itself; null
    # when none was issued (a session the chat page started) or after the session ended.
    access_token_hash = models.CharField(
        _("access token hash"), max_length=64, null=True, blank=True, editable=False
    )
    # "New conversation" ends a session for every holder: its cookie, links and token stop
    # working. The rows stay for staff and the retention rules (purge_chat_sessions).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-last_activity_at"]

    def __str__(self) -> str:
        return short_session_id(self.id)

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None


class ChatMessage(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("student")
        ASSISTANT = "assistant", _("assistant")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField(_("number"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    content = models.TextField(_("content"))
    # The tutor this message offers, if any, and the match as it was shown (a snapshot:
    # the transcript must not change when the tutor's profile does).
    tutor = models.ForeignKey(
        Tutor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tutor_match = models.JSONField(_("tutor match"), null=True, blank=True)
    client_id = models.CharField(_("client id"), max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="chat_message_seq_unique"),
            models.UniqueConstraint(
                fields=["session", "client_id"],
                condition=Q(client_id__isnull=False),
                name="chat_message_client_id_unique",
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="chat_message_seq_positive"),
            models.CheckConstraint(
                condition=Q(role__in=["user", "assistant"]), name="chat_message_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.role}"


class SearchCriteria(models.Model):
    """The last search the student made (``lastSearchCriteria``)."""

    session = models.OneToOneField(
        ChatSession, on_delete=models.CASCADE, primary_key=True, related_name="search_criteria"
    )
    skills = models.JSONField(_("subjects"), null=True, blank=True)
    day = models.CharField(_("day"), max_length=9, choices=Weekday.choices, null=True)
    time = models.CharField(_("time"), max_length=5, null=True, blank=True)
    part_of_day = models.CharField(
        _("part of day"), max_length=9, choices=PartOfDay.choices, null=True
    )
    mode = models.CharField(_("mode"), max_length=9, choices=Mode.choices, null=True)
    text = models.TextField(_("student's words"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("search criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(day__isnull=True) | Q(day__in=Weekday.values),
                name="search_criteria_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(part_of_day__isnull=True) | Q(part_of_day__in=PartOfDay.values),
                name="search_criteria_part_of_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode__isnull=True) | Q(mode__in=Mode.values),
                name="search_criteria_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(str(v) for v in [self.skills, self.day, self.time, self.mode] if v)


class SessionMatch(models.Model):
    """A tutor on offer: the pending match, or one of the tutors last shown."""

    class Kind(models.TextChoices):
        PENDING = "pending", _("pending match")
        SHOWN = "shown", _("shown")

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="matches")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    tutor = models.ForeignKey(Tutor, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("match score"))
    reasoning = models.TextField(_("reasoning"), blank=True)
    available_slots = models.JSONField(_("available slots"), default=list, blank=True)

    class Meta:
        ordering = ["session", "kind", "position"]
        verbose_name_plural = _("session matches")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "kind", "position"], name="session_match_position_unique"
            ),
            # One pending match per session: it always sits at position 0.
            models.CheckConstraint(
                condition=~Q(kind="pending") | Q(position=0),
                name="session_match_single_pending",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="session_match_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.position}: tutor {self.tutor_id}"


class BookingStep(models.TextChoices):
    NAME_EMAIL = "name-email", _("name and email")
    CCSF_EMAIL = "ccsf-email", _("college email")
    STUDENT_ID = "student-id", _("student id")
    ALLOW_OTHERS = "allow-others", _("other students may join")
    CLASSES = "classes", _("classes")
    SPECIFIC_HELP = "specific-help", _("what help is needed")
    ADDITIONAL_NOTES = "additional-notes", _("notes")
    CONFIRM = "confirm", _("confirm")
    COMPLETE = "complete", _("complete")


class BookingDraft(models.Model):
    """The booking form in progress (``bookingInfo``)."""

    Step = BookingStep

    session = models.OneToOneField(
        ChatSession, on_delete=models.CASCADE, primary_key=True, related_name="booking_draft"
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    student_name = models.CharField(_("name"), max_length=200, null=True, blank=True)
    student_email = models.CharField(_("email"), max_length=254, null=True, blank=True)
    college_email = models.CharField(_("college email"), max_length=254, null=True, blank=True)
    student_id = models.CharField(_("student id"), max_length=20, null=True, blank=True)
    allow_other_students = models.BooleanField(_("others may join"), null=True)
    classes = models.JSONField(_("classes"), default=list, blank=True)
    specific_help = models.TextField(_("specific help"), null=True, blank=True)
    additional_notes = models.TextField(_("notes"), null=True, blank=True)
    slot = models.JSONField(_("slot"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=BookingStep.values), name="booking_draft_step_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"booking draft at {self.step}"


class DeviceLink(models.Model):
    """A "continue on another device" link: a random token, stored only as its SHA-256.

    A link can be opened until ``expires_at``; revoking it (or ending the session) also ends
    the access of every browser that came in through it (chat.credentials). Written only by
    ``chat.store``, under the session's lock.
    """

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="device_links")
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["session", "-created_at"]
        verbose_name = _("device link")
        verbose_name_plural = _("device links")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="device_link_expires_after"
            ),
        ]

    def __str__(self) -> str:
        return f"device link {self.pk} of {self.session}"

    def can_be_opened(self, now: datetime.datetime | None = None) -> bool:
        """Return whether the link may switch a browser now (not revoked, not expired)."""
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class PurgedSessionCount(models.Model):
    """Anonymous counts kept after idle sessions are purged (chat.retention).

    One row per day on which purged sessions *started* (the center's local date), so the
    number of conversations per day survives their deletion. Nothing here leads back to a
    session or a student.
    """

    day = models.DateField(_("sessions started on"), unique=True)
    sessions = models.PositiveIntegerField(_("sessions purged"), default=0)
    messages = models.PositiveBigIntegerField(_("messages purged"), default=0)
    last_purged_at = models.DateTimeField(_("last purged"))

    class Meta:
        ordering = ["-day"]
        verbose_name = _("purged session count")
        verbose_name_plural = _("purged session counts")

    def __str__(self) -> str:
        return f"{self.day}: {self.sessions} sessions, {self.messages} messages"
