from .directives import Authority, Directive, DirectiveDocument, DirectiveProduct
from .idempotency import IdempotencyKey
from .obligations import Obligation
from .products import AccessChange, Audience, Product, ProductAccess
from .tasks import Evidence, RemediationTask
from .timeline import TimelineEntry

__all__ = [
    "AccessChange",
    "Audience",
    "Authority",
    "Directive",
    "DirectiveDocument",
    "DirectiveProduct",
    "Evidence",
    "IdempotencyKey",
    "Obligation",
    "Product",
    "ProductAccess",
    "RemediationTask",
    "TimelineEntry",
]
