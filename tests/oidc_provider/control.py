"""The test's hands on the provider: people (with their groups) and client applications, set up and
changed between sign-ins, behind a secret shared with the fixture. Also: who is signed in here."""

from __future__ import annotations

import hmac
import json
import os
from typing import Any

from django.contrib.auth.models import Group, User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.models import Application


def _allowed(request: HttpRequest) -> bool:
    given = request.headers.get("X-Control-Secret", "")
    return hmac.compare_digest(given, os.environ["OIDC_PROVIDER_CONTROL_SECRET"])


@csrf_exempt
@require_POST
def person(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(status=403)
    body: dict[str, Any] = json.loads(request.body)
    user, _ = User.objects.get_or_create(username=body["username"])
    user.set_password(body["password"])
    user.email = body.get("email", "")
    user.first_name = body.get("first_name", "")
    user.last_name = body.get("last_name", "")
    user.is_active = body.get("active", True)
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in body.get("groups", [])])
    return JsonResponse({"sub": str(user.pk)})


@csrf_exempt
@require_POST
def client(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(status=403)
    body: dict[str, Any] = json.loads(request.body)
    app = Application.objects.filter(client_id=body["client_id"]).first() or Application(
        client_id=body["client_id"]
    )
    app.name = body["client_id"]
    app.client_type = Application.CLIENT_CONFIDENTIAL
    app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    app.client_secret = body["client_secret"]  # hashed on save
    app.redirect_uris = " ".join(body["redirect_uris"])
    app.post_logout_redirect_uris = " ".join(body.get("post_logout_redirect_uris", []))
    app.skip_authorization = True
    app.algorithm = Application.RS256_ALGORITHM
    app.save()
    return JsonResponse({"client_id": app.client_id})


@require_GET
def whoami(request: HttpRequest) -> HttpResponse:
    user = request.user
    return JsonResponse({"username": user.get_username() if user.is_authenticated else None})
