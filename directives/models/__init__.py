from .calendar import CalendarFeedToken
from .directives import Authority, ClosureDay, Directive, DirectiveDocument, DirectiveProduct, TextState
from .enforcement import Control, Enforcement, LiftRequest
from .escalations import Escalation, EscalationPolicy, EscalationStep, EscalationSubject, SweepRun
from .idempotency import IdempotencyKey
from .intake import IntakeItem, IntakeState
from .links import DirectiveLink
from .mail import SenderMapping
from .notifications import (
    Notification,
    NotificationChannel,
    NotificationRead,
    NotificationStatus,
    WebhookEndpoint,
    WebhookEvent,
)
from .obligations import Obligation
from .people import Preference
from .products import AccessChange, Audience, Product, ProductAccess
from .search import SearchText
from .tasks import Evidence, RemediationTask
from .timeline import TimelineEntry, TimelineHead

__all__ = [
    "AccessChange",
    "Audience",
    "Authority",
    "CalendarFeedToken",
    "ClosureDay",
    "Control",
    "Directive",
    "DirectiveDocument",
    "DirectiveLink",
    "DirectiveProduct",
    "Enforcement",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "EscalationSubject",
    "Evidence",
    "IdempotencyKey",
    "IntakeItem",
    "IntakeState",
    "LiftRequest",
    "Notification",
    "NotificationChannel",
    "NotificationRead",
    "NotificationStatus",
    "Obligation",
    "Preference",
    "Product",
    "ProductAccess",
    "RemediationTask",
    "SearchText",
    "SenderMapping",
    "SweepRun",
    "TextState",
    "TimelineEntry",
    "TimelineHead",
    "WebhookEndpoint",
    "WebhookEvent",
]
