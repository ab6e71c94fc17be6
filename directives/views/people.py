"""A person's own settings page: the zone they read work instants in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from .. import instants
from ..errors import InvalidInput
from ..forms.people import TimeZoneForm
from ..services import people as people_services
from .common import now


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    current = instants.preferred_zone_name(request.user)
    form = TimeZoneForm(request.POST if request.method == "POST" else None, initial={"time_zone": current})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                people_services.set_time_zone(
                    user=request.user, time_zone=form.cleaned_data["time_zone"], now=now()
                )
            except InvalidInput as exc:
                form.add_error("time_zone", exc.message)
            else:
                zone = instants.viewer_zone(request.user)
                messages.success(request, f"Due dates and reminders are now shown in {zone.key}.")
                return HttpResponseRedirect(reverse("settings"))
        status = 400
    when = now()
    return render(
        request,
        "directives/settings.html",
        {
            "form": form,
            "zone": instants.viewer_zone(request.user).key,
            "company_zone": instants.company_zone().key,
            "example": instants.work(when, instants.viewer_zone(request.user)),
            "now": when,
        },
        status=status,
    )


urlpatterns = [path("settings/", settings_view, name="settings")]
