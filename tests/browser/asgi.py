"""The project's ASGI application as the browser tests serve it.

Two additions around ``tutoring.asgi.application``, both for tests only:

- ``/static/`` is served from the staticfiles finders, as Django's own
  ``StaticLiveServerTestCase`` does: plain daphne serves no static files, whatever DEBUG says.
- ``TEST_SERVER_NOW`` (an ISO 8601 datetime with offset), when set, moves this process's
  clock there before anything else runs; it then ticks on from that moment. It is how the
  ``frozen_clock`` fixture reaches the server process (time_machine only patches the
  process it runs in).
"""

import datetime
import os

if os.environ.get("TEST_SERVER_NOW"):
    import time_machine

    time_machine.travel(datetime.datetime.fromisoformat(os.environ["TEST_SERVER_NOW"])).start()

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from tutoring.asgi import application as project_application  # noqa: E402

application = ASGIStaticFilesHandler(project_application)
