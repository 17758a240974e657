"""The one form every chat control posts (``POST /say``), and how it becomes the student's words.

The message box sends ``text``; the panel's buttons send ``text`` too ("1", "yes", "back");
the booking form's inputs send structured fields that are composed here into the sentence
the assistant expects at that step (``name`` + ``email`` → "Sam Lee, sam@example.com",
checked ``courses`` → "CS 110A, CS 111B" or "none"). So a click, a form field and a typed
answer are the same turn, and the assistant remains the only judge of an answer.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.models import BookingStep
from chat.schemas import IDEMPOTENCY_KEY
from tutoring.schemas import MAX_ID, MAX_SEQ, unstorable_character

# Steps where an empty answer means "skip".
_SKIPPABLE = {BookingStep.STUDENT_ID, BookingStep.ADDITIONAL_NOTES}


class SayForm(forms.Form):
    # Labels name a field in an error ("Name: Null characters are not allowed.").
    text = forms.CharField(required=False, strip=True, label=gettext_lazy("Message"))
    answer = forms.CharField(required=False, strip=True, label=gettext_lazy("Answer"))
    # No per-field length limits: a question typed into a field must reach the assistant
    # whole. The composed words are held to the message limit in clean(), and the assistant
    # checks each answer's own length when it takes it.
    name = forms.CharField(required=False, strip=True, label=gettext_lazy("Name"))
    email = forms.CharField(required=False, strip=True, label=gettext_lazy("Email"))
    other_course = forms.CharField(required=False, strip=True, label=gettext_lazy("Other class"))
    skip = forms.BooleanField(required=False)
    step = forms.ChoiceField(required=False, choices=[("", "")] + BookingStep.choices)
    client_id = forms.CharField(required=False, max_length=100)
    # The state version the panel showed; a choice made on an older panel is refused.
    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    # The highest message number the page has; the answer starts after it.
    after = forms.IntegerField(required=False, min_value=0, max_value=MAX_SEQ)
    conversation = forms.CharField(required=False, max_length=64)

    error_messages = {
        "empty": gettext_lazy("Type a message first."),
        "empty_answer": gettext_lazy("Type your answer first (or a question about it)."),
        "too_long": gettext_lazy(
            "That message is too long: please keep it under %(limit)s characters."
        ),
        "unstorable": gettext_lazy("Your message can't contain %(character)s."),
    }

    def clean_client_id(self) -> str | None:
        # A malformed id is dropped rather than refused: the message still goes through once.
        value = self.cleaned_data["client_id"]
        return value if value and IDEMPOTENCY_KEY.match(value) else None

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            # A field was refused (Django's CharField refuses NUL): that is what to report,
            # not an empty message composed without it.
            return data
        message = self.compose(data)
        data["message"] = message
        if not message:
            # An empty post from a form step's own field: the refusal is shown beside it.
            code = "empty_answer" if data.get("step") else "empty"
            raise forms.ValidationError(self.error_messages[code], code=code)
        limit = settings.CHAT_MAX_MESSAGE_CHARS
        if len(message) > limit:
            raise forms.ValidationError(
                self.error_messages["too_long"], code="too_long", params={"limit": limit}
            )
        # The composed words include raw values no field checked (the ``courses`` boxes).
        # Lone surrogates cannot arrive here: Django decodes a form post's invalid UTF-8
        # (which is all a surrogate can be on the wire) as U+FFFD.
        character = unstorable_character(message)
        if character is not None:
            raise forms.ValidationError(
                self.error_messages["unstorable"],
                code="unstorable",
                params={"character": character},
            )
        return data

    def compose(self, data: dict) -> str:
        """Return the words the student says with this post."""
        if data.get("text"):
            return data["text"]
        step = data.get("step")
        if data.get("skip"):
            return "skip"
        if step == BookingStep.NAME_EMAIL:
            return ", ".join(part for part in (data.get("name"), data.get("email")) if part)
        if step == BookingStep.CCSF_EMAIL:
            return data.get("email") or ""
        if step == BookingStep.CLASSES:
            courses = [c.strip() for c in self.data.getlist("courses") if c.strip()][:20]
            if data.get("other_course"):
                courses.append(data["other_course"])
            return ", ".join(courses) or "none"
        if step in _SKIPPABLE and not data.get("answer"):
            return "skip"
        return data.get("answer") or ""

    @property
    def kept_text(self) -> str:
        """Return what to put back in the message box when the post is refused."""
        data = getattr(self, "cleaned_data", {})
        return data.get("message") or self.compose(data) or self.data.get("text", "")

    @property
    def first_error(self) -> str:
        """Return the error to show: the form's own, else the first field's, named."""
        errors = self.non_field_errors()
        if errors:
            return errors[0]
        for name, field_errors in self.errors.items():
            return f"{self.fields[name].label or name}: {field_errors[0]}"
        return _("Please check your message and send it again.")
