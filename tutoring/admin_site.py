"""The admin site, with its login rate-limited per client address (429 with Retry-After)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from tutoring.ratelimits import admin_login_wait, too_many_requests_page


class TutoringAdminSite(admin.AdminSite):
    site_header = "Tutoring center"
    site_title = "Tutoring center admin"

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method == "POST":
            wait = admin_login_wait(request)
            if wait is not None:
                return too_many_requests_page(request, retry_after=wait)
        return super().login(request, extra_context)
