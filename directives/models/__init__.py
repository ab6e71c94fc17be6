from .calendar import CalendarFeedToken
from .directives import Authority, Directive, DirectiveDocument, DirectiveProduct
from .escalations import Escalation, EscalationPolicy, EscalationStep, EscalationSubject, SweepRun
from .idempotency import IdempotencyKey
from .notifications import (
    Notification,
    NotificationChannel,
    NotificationStatus,
    WebhookEndpoint,
    WebhookEvent,
)
from .obligations import Obligation
from .products import AccessChange, Audience, Product, ProductAccess
from .tasks import Evidence, RemediationTask
from .timeline import TimelineEntry, TimelineHead

__all__ = [
    "AccessChange",
    "Audience",
    "Authority",
    "CalendarFeedToken",
    "Directive",
    "DirectiveDocument",
    "DirectiveProduct",
    "Escalation",
    "EscalationPolicy",
    "EscalationStep",
    "EscalationSubject",
    "Evidence",
    "IdempotencyKey",
    "Notification",
    "NotificationChannel",
    "NotificationStatus",
    "Obligation",
    "Product",
    "ProductAccess",
    "RemediationTask",
    "SweepRun",
    "TimelineEntry",
    "TimelineHead",
    "WebhookEndpoint",
    "WebhookEvent",
]
