"""The record as it is now, in its read shape: the ``current`` of a 409 stale_version answer."""

from __future__ import annotations

from typing import Any

from django.db import models as dj_models
from rest_framework import serializers

from ...models import Authority, Directive, Obligation, Product, RemediationTask, WebhookEndpoint
from .directives import AuthoritySerializer, DirectiveSerializer, ProductSerializer
from .notifications import WebhookEndpointSerializer
from .obligations import ObligationSerializer
from .tasks import TaskSerializer

REPRESENTATIONS: dict[type[dj_models.Model], type[serializers.BaseSerializer]] = {
    Directive: DirectiveSerializer,
    Obligation: ObligationSerializer,
    RemediationTask: TaskSerializer,
    Product: ProductSerializer,
    Authority: AuthoritySerializer,
    WebhookEndpoint: WebhookEndpointSerializer,
}


def representation_for(obj: dj_models.Model, *, request: Any = None) -> Any:
    serializer_class = REPRESENTATIONS.get(type(obj))
    if serializer_class is None:
        return None
    rows = getattr(serializer_class, "rows", None)
    if rows is not None:  # the shape reads what its own queryset adds to a row
        obj = rows().filter(pk=obj.pk).first() or obj
    return serializer_class(obj, context={"request": request}).data
