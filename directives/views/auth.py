"""Login and logout: Django's own views (django-axes locks out repeated failures)."""

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
    # POST only (Django 5): a link cannot log someone out behind their back.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
