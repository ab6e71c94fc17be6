"""API views, one module per area: parse the input, call one service, render the result. No business rule
lives here. Every view is handed on here for the URLconf."""

from .accounts import MeView, TokenView
from .base import DocketViewSet, ThrottleFirst
from .dashboard import DashboardView
from .directives import AuthorityViewSet, DirectiveViewSet, ProductViewSet, TimelineViewSet
from .docs import DocsView
from .enforcement import EnforcementViewSet, LiftRequestViewSet
from .inbox import CalendarFeedView, InboxViewSet, PreferenceView
from .intake_mailbox import IntakeItemViewSet
from .notifications import EscalationViewSet, NotificationViewSet, WebhookViewSet
from .obligations import ObligationViewSet
from .search import SearchView
from .tasks import TaskViewSet

__all__ = [
    "AuthorityViewSet",
    "CalendarFeedView",
    "DashboardView",
    "DirectiveViewSet",
    "DocketViewSet",
    "DocsView",
    "EnforcementViewSet",
    "EscalationViewSet",
    "InboxViewSet",
    "IntakeItemViewSet",
    "LiftRequestViewSet",
    "MeView",
    "NotificationViewSet",
    "ObligationViewSet",
    "PreferenceView",
    "ProductViewSet",
    "SearchView",
    "TaskViewSet",
    "ThrottleFirst",
    "TimelineViewSet",
    "TokenView",
    "WebhookViewSet",
]
