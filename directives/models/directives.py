from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from ..choices import DeliveryChannel, DirectiveKind, DirectiveStatus, Posture
from ..conventions import convention_from

if TYPE_CHECKING:
    from .products import Product


class Authority(models.Model):
    """A body that issues directives, with the zone and business calendar its deadlines are counted in."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True)
    jurisdiction = models.CharField(max_length=100, help_text="e.g. United States (federal), European Union")
    time_zone = models.CharField(max_length=64, default="America/New_York", help_text="IANA zone name")
    calendar_country = models.CharField(max_length=3, default="US", help_text="ISO country for holidays")
    calendar_subdivision = models.CharField(max_length=10, blank=True)
    deadline_convention = models.JSONField(
        default=dict,
        blank=True,
        help_text="How its deadlines are counted (directives.conventions); empty is Docket's default",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def convention_words(self) -> str:
        """Its counting convention, in words."""
        return convention_from(self.deadline_convention).describe()


class Directive(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="directives")
    reference = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=32, choices=DirectiveKind.choices)
    summary = models.TextField(blank=True)
    full_text = models.TextField(blank=True)
    received_at = models.DateTimeField(help_text="When the order reached the company (aware instant)")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_channel = models.CharField(
        max_length=32, choices=DeliveryChannel.choices, default=DeliveryChannel.EMAIL
    )
    effective_from = models.DateTimeField(null=True, blank=True)
    scope = models.TextField(
        blank=True, help_text="What the directive covers: products, users, regions, activities"
    )
    status = models.CharField(
        max_length=32, choices=DirectiveStatus.choices, default=DirectiveStatus.RECEIVED
    )
    posture = models.CharField(max_length=32, choices=Posture.choices, default=Posture.UNDECIDED)
    products: models.ManyToManyField[Product, DirectiveProduct] = models.ManyToManyField(
        "Product", through="DirectiveProduct", related_name="directives"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "reference"], name="directive_reference_unique_per_authority"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DirectiveStatus.values), name="directive_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.authority} {self.reference}: {self.title}"


class DirectiveProduct(models.Model):
    """A product named by a directive, and what the directive requires of it."""

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="product_links")
    product = models.ForeignKey("Product", on_delete=models.PROTECT, related_name="directive_links")
    required_action = models.CharField(max_length=300, help_text='e.g. "Block foreign nationals"')

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["directive", "product"], name="directive_product_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.required_action}"


def document_upload_to(instance: DirectiveDocument, filename: str) -> str:
    # The stored name is the hash, never the user's name: no path tricks, no collisions.
    return f"directives/{instance.directive_id}/{instance.sha256}"


class TextState(models.TextChoices):
    """Where a document's text stands: read by the extraction job (``directives.extraction``) after upload."""

    PENDING = "pending", "Text not read yet"
    EXTRACTED = "extracted", "Text extracted"
    NONE = "none", "No text found"
    FAILED = "failed", "Text could not be read"


class DirectiveDocument(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    # The document's text, for search and for reading beside the file (empty until extracted).
    text = models.TextField(blank=True)
    text_state = models.CharField(max_length=16, choices=TextState.choices, default=TextState.PENDING)
    text_note = models.CharField(max_length=200, blank=True)  # why there is no text, or that it was cut
    text_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        indexes = [
            models.Index(
                fields=["text_state"], name="document_text_pending", condition=models.Q(text_state="pending")
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ClosureDay(models.Model):
    """A day an authority keeps closed besides its country's public holidays (e.g. the EU institutions'
    own list): not a business day in its deadlines. Removing one keeps the row, with who and when."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="closure_days")
    day = models.DateField()
    name = models.CharField(max_length=120)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["authority_id", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "day"],
                condition=models.Q(removed_at__isnull=True),
                name="closure_day_once_per_authority",
            )
        ]

    def __str__(self) -> str:
        return f"{self.authority}: {self.day} {self.name}"
