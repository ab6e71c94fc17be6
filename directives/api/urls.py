"""Routes under /api/v1/ (included from compliance/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from . import views
from .exceptions import api_not_found

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("authorities", views.AuthorityViewSet, basename="authority")
router.register("products", views.ProductViewSet, basename="product")
router.register("directives", views.DirectiveViewSet, basename="directive")
router.register("obligations", views.ObligationViewSet, basename="obligation")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("escalations", views.EscalationViewSet, basename="escalation")
router.register("enforcements", views.EnforcementViewSet, basename="enforcement")
router.register("lift-requests", views.LiftRequestViewSet, basename="lift-request")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("inbox", views.InboxViewSet, basename="inbox")
router.register("intake-items", views.IntakeItemViewSet, basename="intake-item")

timeline = views.TimelineViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/preferences/", views.PreferenceView.as_view(), name="me-preferences"),
    path("me/calendar-feed/", views.CalendarFeedView.as_view(), name="me-calendar-feed"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("directives/<int:id>/timeline/", timeline, name="directive-timeline"),
    *router.urls,
    # Anything else under /api/v1/ answers 404 in the API's JSON shape.
    re_path(r"^.*$", api_not_found),
]
