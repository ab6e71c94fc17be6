from __future__ import annotations

from django.conf import settings
from django.db import models

from ..choices import AccessState


class Audience(models.Model):
    """A group of users whose access is controlled separately (data, not code)."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner_team = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductAccess(models.Model):
    """The current access state of one product for one audience; history is in ``AccessChange``."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="access")
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=AccessState.choices, default=AccessState.AVAILABLE)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product__name", "audience__sort_order"]
        constraints = [models.UniqueConstraint(fields=["product", "audience"], name="product_access_unique")]
        verbose_name_plural = "product access"

    def __str__(self) -> str:
        return f"{self.product} / {self.audience}: {self.state}"


class AccessChange(models.Model):
    """One change of a product's access for one audience: when it happened and when it was recorded."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="access_changes")
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=16, choices=AccessState.choices)
    to_state = models.CharField(max_length=16, choices=AccessState.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    directive = models.ForeignKey("Directive", on_delete=models.PROTECT, related_name="access_changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["product", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.product} / {self.audience}: {self.from_state} -> {self.to_state}"
