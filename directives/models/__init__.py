from .directives import Authority, Directive, DirectiveDocument, DirectiveProduct
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
    "Obligation",
    "Product",
    "ProductAccess",
    "RemediationTask",
    "TimelineEntry",
]
