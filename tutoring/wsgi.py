"""WSGI entry point, for tools that want one; the app is served by daphne (ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutoring.settings")

application = get_wsgi_application()
