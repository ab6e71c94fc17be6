"""Login: Django's own view (django-axes locks out repeated failures). Sign-out lives in directives/sso/
(`/sign-out/`, also answering at `/logout/`), which ends the provider's session too."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
]
