"""Sign-in with the identity provider (start, callback), sign-out (Docket's session, then the provider's),
the no-role page, a person's own API tokens, and the sign-in record for staff and auditors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)
from rest_framework.authtoken.models import Token

from ..errors import NotAllowed
from ..permissions import Action, can, roles_of
from . import config, selectors, services
from .backends import REFUSAL_ATTRIBUTE, SSO_BACKEND
from .models import SignInEventKind, SignInMethod
from .refusals import Refusal, SignInRefused

ID_TOKEN_SESSION_KEY = "oidc_id_token"  # noqa: S105  a session key, not a secret; where mozilla-django-oidc keeps it (OIDC_STORE_ID_TOKEN)


def _refused(request: HttpRequest, refusal: SignInRefused, *, status: int = 403) -> HttpResponse:
    services.record_refusal(
        refusal=refusal, method=SignInMethod.SSO, client=services.ClientInfo.of(request), now=timezone.now()
    )
    context = {"sentence": refusal.reason.label, "reason": refusal.reason.value}
    return render(request, "sso/refused.html", context, status=status)


class SignInStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge (kept in the
    session by the library, one set per sign-in started)."""

    get_settings = staticmethod(config.oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads the endpoint here; Docket reads it per request, from the discovery document.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    @property
    def OIDC_OP_AUTH_ENDPOINT(self) -> str:  # the library's name
        return str(config.oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return config.client_id()

    def get(self, request: HttpRequest) -> HttpResponse:
        if not config.enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            response: HttpResponse = super().get(request)
        except config.ProviderUnavailable as exc:
            return _refused(request, SignInRefused(Refusal.PROVIDER_UNREACHABLE, str(exc)), status=503)
        return response


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. The library checks the state against the session and passes the nonce and
    the PKCE verifier to the backend; every refusal is recorded here, with its reason."""

    get_settings = staticmethod(config.oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not config.enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation:
            # A state this browser never sent: a forged or replayed answer (login CSRF).
            return _refused(request, SignInRefused(Refusal.STATE_MISMATCH), status=400)
        return response

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, REFUSAL_ATTRIBUTE, None) or self._reason()
        status = 400 if refusal.reason in (Refusal.NO_SIGN_IN_STARTED, Refusal.STATE_MISMATCH) else 403
        return _refused(self.request, refusal, status=status)

    def _reason(self) -> SignInRefused:
        error = self.request.GET.get("error")
        if error:
            return SignInRefused(Refusal.PROVIDER_ERROR, str(error)[:100])
        if "code" in self.request.GET and "state" in self.request.GET:
            return SignInRefused(Refusal.NO_SIGN_IN_STARTED)
        return SignInRefused(Refusal.PROVIDER_ERROR, "no code or state in the answer")

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        user = self.request.user
        if not user.is_staff and not roles_of(user):
            return redirect("sso_no_role")
        return response


def provider_logout_url(request: HttpRequest) -> str:
    """Where sign-out sends the browser (OIDC_OP_LOGOUT_URL_METHOD): the provider's end-session endpoint
    (RP-initiated logout) when this session came from the provider and it offers one, else Docket's
    sign-in page. The provider sends the browser back to Docket's sign-in page."""
    local = str(resolve_url(settings.LOGOUT_REDIRECT_URL))
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if not (config.enabled() and id_token and request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND):
        return local
    try:
        endpoint = config.provider_metadata().end_session_endpoint
    except config.ProviderUnavailable:
        return local
    if not endpoint:
        return local
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": config.client_id(),
            "post_logout_redirect_uri": request.build_absolute_uri(local),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class SignOutView(OIDCLogoutView):
    """POST only. Ends Docket's session (the sign-out is recorded by the user_logged_out signal), then,
    for a session that came from the provider, the provider's."""

    get_settings = staticmethod(config.oidc_setting)

    def post(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = super().post(request)
        messages.info(request, "You have signed out of Docket.")
        return response


# --- Pages ------------------------------------------------------------------------------------------


@login_required
@require_GET
def no_role(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff or roles_of(request.user):
        return redirect("home")
    mapping = sorted(config.role_map().items())
    context = {
        "mapping": [(group, role.label) for group, role in mapping],
        "provider": config.provider_name(),
    }
    return render(request, "sso/no_role.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """A person's own API token: when it was made, and buttons to replace or revoke it. A new token's key
    is shown once, on the answer to the POST that made it."""
    new_key = ""
    if request.method == "POST":
        client, now = services.ClientInfo.of(request), timezone.now()
        action = request.POST.get("action")
        try:
            if action == "create":
                new_key = services.create_api_token(user=request.user, client=client, now=now).key
            elif action == "revoke":
                services.revoke_api_token(owner=request.user, actor=request.user, client=client, now=now)
                messages.success(request, "Your API token is revoked: it no longer works.")
                return redirect("api_tokens")
            else:
                return render(request, "sso/api_tokens.html", _token_context(request, ""), status=400)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
    response = render(request, "sso/api_tokens.html", _token_context(request, new_key))
    response["Cache-Control"] = "private, no-store"
    return response


def _token_context(request: HttpRequest, new_key: str) -> dict[str, Any]:
    owner: Any = request.user  # signed in (login_required)
    token = Token.objects.filter(user=owner).only("key", "created").first()
    return {"token": token, "new_key": new_key, "hint": token.key[:6] if token else ""}


@login_required
@require_GET
def sign_in_record(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_SIGN_INS):
        raise PermissionDenied("The sign-in record is for administrators and auditors.")
    filters = selectors.parse_filters(request.GET.get("kind"), request.GET.get("who"))
    page = selectors.sign_in_page(filters, request.GET.get("page"))
    query = urlencode({k: v for k, v in (("kind", filters.kind), ("who", filters.who)) if v})
    context = {"page_obj": page, "filters": filters, "query": query, "kinds": SignInEventKind.choices}
    return render(request, "sso/sign_ins.html", context)
