"""Settings for the test suite: the real settings with a throwaway secret key."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
# The test client speaks plain HTTP; tests/test_production_settings.py checks the real defaults.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# DEBUG is off in tests, which refuses the console backend; Django's test set-up swaps in
# locmem anyway, and tests read mail.outbox.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from tutoring.settings import *  # noqa: E402,F403
from tutoring.settings import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One file per test run, so two runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"tutoring-test-{os.getpid()}.sqlite3")
    }
