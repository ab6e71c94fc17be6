from __future__ import annotations

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("sign-in/oidc/start/", views.SignInStartView.as_view(), name="sso_start"),
    path("sign-in/oidc/callback/", views.SignInCallbackView.as_view(), name="sso_callback"),
    path("sign-in/no-role/", views.no_role, name="sso_no_role"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    # Django's usual address does the same (POST only): Docket's session, then the provider's.
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("sign-ins/", views.sign_in_record, name="sign_in_record"),
]
