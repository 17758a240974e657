"""The tutoring domain: subjects, courses, tutors, weekly availability and bookings.

Chat sessions point at these rows (a match always names a real tutor); this app never
imports ``chat``. Invariants the database can enforce are constraints here, so a bug in a
service cannot store an impossible row: a slot ends after it starts, a tutor has at most one
active booking per start time.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tutoring.courses import normalise_course_code  # noqa: F401 - also imported from here


class Weekday(models.TextChoices):
    MONDAY = "Monday", _("Monday")
    TUESDAY = "Tuesday", _("Tuesday")
    WEDNESDAY = "Wednesday", _("Wednesday")
    THURSDAY = "Thursday", _("Thursday")
    FRIDAY = "Friday", _("Friday")
    SATURDAY = "Saturday", _("Saturday")
    SUNDAY = "Sunday", _("Sunday")


class PartOfDay(models.TextChoices):
    MORNING = "morning", _("morning")
    AFTERNOON = "afternoon", _("afternoon")
    EVENING = "evening", _("evening")


class Mode(models.TextChoices):
    ONLINE = "online", _("online")
    ON_CAMPUS = "on campus", _("on campus")


# Weekday values in Python's date.weekday() order: WEEKDAY_NAMES[0] == "Monday".
WEEKDAY_NAMES: tuple[str, ...] = tuple(Weekday.values)


class Subject(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # Other words students use for the subject, lower-case ("py", "c plus plus").
    aliases = models.JSONField(_("aliases"), default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A college course ("CS 110A") and the subject a tutor for it must teach."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="courses", verbose_name=_("subject")
    )

    normalise_course_code = staticmethod(normalise_course_code)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        code = normalise_course_code(self.code)
        if code is None:
            raise ValidationError({"code": _("Enter a course code such as “CS 110A”.")})
        self.code = code


class Tutor(models.Model):
    name = models.CharField(_("name"), max_length=200)
    pronouns = models.CharField(_("pronouns"), max_length=50, blank=True)
    email = models.EmailField(_("email"), unique=True)
    bio = models.TextField(_("bio"), blank=True)
    subjects = models.ManyToManyField(Subject, related_name="tutors", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AvailabilitySlot(models.Model):
    """A weekly window in which a tutor takes sessions, in the center's local time.

    ``weekday`` is an integer, 0 = Monday … 6 = Sunday (Python's ``date.weekday()``), so
    expanding a week needs no lookup and slots sort in calendar order; ``day`` gives the
    ``Weekday`` value ("Monday") used on the wire and in the roster file. The window is cut
    into sessions of ``TUTORING_SESSION_MINUTES`` by ``tutoring.slots``.
    """

    tutor = models.ForeignKey(
        Tutor, on_delete=models.CASCADE, related_name="availability", verbose_name=_("tutor")
    )
    weekday = models.PositiveSmallIntegerField(
        _("day"), choices=[(number, label) for number, (_v, label) in enumerate(Weekday.choices)]
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    mode = models.CharField(_("mode"), max_length=9, choices=Mode.choices)
    # A room for on-campus sessions, a meeting link for online ones; blank when unknown.
    location = models.CharField(_("room or link"), max_length=300, blank=True)

    class Meta:
        ordering = ["tutor", "weekday", "start"]
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="availability_starts_before_end"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="availability_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=Mode.values), name="availability_mode_valid"
            ),
            models.UniqueConstraint(
                fields=["tutor", "weekday", "start"], name="availability_one_per_tutor_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.start:%H:%M}-{self.end:%H:%M} {self.mode}"

    @property
    def day(self) -> str:
        return WEEKDAY_NAMES[self.weekday]


# What a booking's personal fields hold once anonymised (tutoring.booking.bookings_anonymise):
# values the fields' rules still accept (an email on a reserved domain that never delivers).
ANONYMISED = "(anonymised)"
ANONYMISED_EMAIL = "anonymised@example.invalid"


class Booking(models.Model):
    """One student's session with one tutor at a concrete date and time."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")
        ATTENDED = "attended", _("attended")
        NO_SHOW = "no-show", _("no-show")

    # The public id, in links sent to the student; the integer pk never leaves the server.
    uid = models.UUIDField(_("public id"), unique=True, default=uuid.uuid4, editable=False)
    tutor = models.ForeignKey(
        Tutor, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("tutor")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    mode = models.CharField(_("mode"), max_length=9, choices=Mode.choices)
    location = models.CharField(_("room or link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.CONFIRMED
    )
    student_name = models.CharField(_("student name"), max_length=200)
    student_email = models.EmailField(_("student email"))
    college_email = models.EmailField(_("college email"))
    student_id = models.CharField(_("student id"), max_length=20, blank=True)
    allow_other_students = models.BooleanField(_("other students may join"), default=False)
    classes = models.JSONField(_("classes"), default=list, blank=True)
    specific_help = models.TextField(_("specific help"))
    additional_notes = models.TextField(_("notes"), blank=True)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    # The chat session that booked it, as a plain id: tutoring must not depend on chat.
    chat_session_id = models.CharField(_("chat session"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    # When the student's details were replaced by ANONYMISED (retention or a deletion request).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["start", "tutor"]
        constraints = [
            # The last line of defence against double booking (see tutoring.booking).
            models.UniqueConstraint(
                fields=["tutor", "start"],
                condition=~Q(status="cancelled"),
                name="booking_one_active_per_tutor_start",
            ),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="booking_starts_before_end"
            ),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="booking_mode_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "cancelled", "attended", "no-show"]),
                name="booking_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tutor} {timezone.localtime(self.start):%a %Y-%m-%d %H:%M} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def ics_path(self) -> str:
        return reverse("tutoring:booking-ics", kwargs={"uid": self.uid})

    @property
    def cancel_path(self) -> str:
        return reverse("tutoring:booking-cancel", kwargs={"uid": self.uid})


class UnmetSearch(models.Model):
    """A search that found no tutor, or none on the day, time or mode wished: unmet demand.

    Written by ``tutoring.reports.record_unmet_search`` as the assistant searches, one row per
    subject searched. Anonymous by construction: no session id, none of the student's words,
    only what was asked for and what could not be met.
    """

    searched_on = models.DateField(_("searched on"), db_index=True)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    # The weekday wished for (or the weekday of the date wished for); blank for "any day".
    weekday = models.CharField(_("day wished"), max_length=9, choices=Weekday.choices, blank=True)
    part_of_day = models.CharField(
        _("part of day wished"), max_length=9, choices=PartOfDay.choices, blank=True
    )
    mode = models.CharField(_("mode wished"), max_length=9, choices=Mode.choices, blank=True)
    # Names from ``MatchResult.unmet``: "subjects", "day", "time", "part_of_day", "mode".
    unmet = models.JSONField(_("unmet wishes"), default=list, blank=True)
    found_nobody = models.BooleanField(_("no tutor offered"), default=False)

    class Meta:
        ordering = ["-searched_on", "subject"]
        verbose_name = _("unmet search")
        verbose_name_plural = _("unmet searches")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday="") | Q(weekday__in=Weekday.values),
                name="unmet_search_weekday_valid",
            ),
            models.CheckConstraint(
                condition=Q(part_of_day="") | Q(part_of_day__in=PartOfDay.values),
                name="unmet_search_part_of_day_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode="") | Q(mode__in=Mode.values), name="unmet_search_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.searched_on} {self.subject or '-'} {self.weekday or '-'}"


class CenterFact(models.Model):
    """Something the assistant tells students about the center, in staff's own words.

    Where the center is, its hours, how to reach it, how online and campus sessions work,
    and ``why:<step>``: why the booking form asks what it asks. Staff edit these in the
    admin; the assistant reads them with ``tutoring.center.center_fact(key)``.
    """

    key = models.CharField(
        _("key"),
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9-]+(:[a-z0-9-]+)?$",
                _("Use lower-case letters, digits and hyphens, as in “hours” or “why:student-id”."),
            )
        ],
        help_text=_("What the assistant looks up: “hours”, “location”, “why:student-id”…"),
    )
    label = models.CharField(_("label"), max_length=100)
    text = models.TextField(_("text"), help_text=_("What the assistant says, word for word."))

    class Meta:
        ordering = ["key"]
        verbose_name = _("center fact")

    def __str__(self) -> str:
        return self.label or self.key
