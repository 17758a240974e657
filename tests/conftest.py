"""Shared fixtures: personas (tutors), a running server, helpers to read state back."""

import pytest

from tests.live import daphne
from tutoring.models import Subject, Tutor


@pytest.fixture
def tutor_ada(db) -> Tutor:
    """A Python and C++ tutor."""
    tutor = Tutor.objects.create(
        name="Ada Lin", pronouns="she/her", email="ada.lin@example.edu", bio="Loves recursion."
    )
    tutor.subjects.set([Subject.objects.get_or_create(name=name)[0] for name in ("Python", "C++")])
    return tutor


@pytest.fixture
def tutor_ben(db) -> Tutor:
    """A MIPS Assembly tutor."""
    tutor = Tutor.objects.create(
        name="Ben Ortiz", pronouns="he/him", email="ben.ortiz@example.edu", bio="Registers!"
    )
    tutor.subjects.set([Subject.objects.get_or_create(name="MIPS Assembly")[0]])
    return tutor


@pytest.fixture
def server(transactional_db):
    """A daphne process on a free port, serving the test database."""
    with daphne() as running:
        yield running
