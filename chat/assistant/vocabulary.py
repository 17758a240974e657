"""The roster's words (subjects, aliases, course codes, tutor names) for the assistant."""

from dataclasses import dataclass

from chat.assistant.understanding import SubjectTerm, Vocabulary
from tutoring.models import Subject, Tutor


@dataclass(frozen=True)
class RosterWords:
    vocabulary: Vocabulary
    courses: frozenset[str]  # every course code of the roster, "CS 110A"


def roster_words() -> RosterWords:
    """Read the roster's vocabulary (three queries)."""
    subjects = tuple(
        SubjectTerm(
            name=subject.name,
            aliases=tuple(alias.lower() for alias in subject.aliases),
            courses=tuple(course.code for course in subject.courses.all()),
        )
        for subject in Subject.objects.prefetch_related("courses")
    )
    tutors = tuple(Tutor.objects.filter(is_active=True).values_list("id", "name"))
    return RosterWords(
        vocabulary=Vocabulary(subjects=subjects, tutors=tutors),
        courses=frozenset(code for term in subjects for code in term.courses),
    )
