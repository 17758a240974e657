"""The tutoring domain: subjects and tutors.

Chat sessions point at these rows (a match always names a real tutor). The roster import,
weekly availability and bookings build on them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
