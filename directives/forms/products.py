"""The form that adds a product (reference data legal names in orders), the form that sets its control, and
the webhook subscription form administrators use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from ..choices import ConnectorKind
from ..models import Control, WebhookEndpoint, WebhookEvent
from ..services import controls as control_services
from ..services import webhooks as webhook_services


class ProductForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="As orders name it, e.g. Fable 5")
    owner_team = forms.CharField(max_length=120, required=False, label="Owning team", help_text="Optional")
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Optional"
    )


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=webhook_services.MAX_NAME)
    url = forms.URLField(
        max_length=webhook_services.MAX_URL,
        assume_scheme="https",
        label="Address (URL)",
        help_text="Receives a signed JSON POST (Slack-compatible text) for each event",
    )
    secret = forms.CharField(
        min_length=webhook_services.MIN_SECRET,
        max_length=webhook_services.MAX_SECRET,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=f"At least {webhook_services.MIN_SECRET} characters; signs each delivery "
        "(X-Docket-Signature) and is never shown again",
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: only the escalation steps that name this endpoint",
    )
    active = forms.BooleanField(required=False, initial=True, help_text="Untick to stop deliveries")

    def __init__(self, *args: Any, webhook: WebhookEndpoint | None = None, **kwargs: Any) -> None:
        if webhook is not None:
            kwargs["initial"] = {
                "name": webhook.name,
                "url": webhook.url,
                "events": list(webhook.events or []),
                "active": webhook.active,
            }
        super().__init__(*args, **kwargs)
        self.webhook = webhook
        if webhook is not None:
            self.fields["secret"].required = False
            self.fields["secret"].help_text = "Leave empty to keep the current secret"

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.webhook is not None and not data.get("secret"):
            data.pop("secret", None)
        return data


WEBHOOK_FIELDS = ("url", "status_url")
UNLEASH_FIELDS = ("project", "environment", "flag", "context_field", "audiences")


def _target_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        max_length=control_services.MAX_TARGET_VALUE, required=False, label=label, help_text=help_text
    )


class ControlForm(forms.Form):
    """A product's control: the connector, the target fields of that connector (the others are ignored),
    and the owner told when the live access drifts. Credentials are never asked for: they are settings."""

    kind = forms.ChoiceField(choices=ConnectorKind.choices, label="Connector")
    url = _target_field("Apply URL", "Webhook: receives the signed access change (http or https)")
    status_url = _target_field("Status URL", "Webhook: answers each audience's live state")
    project = _target_field("Unleash project", "Unleash: default if empty")
    environment = _target_field("Unleash environment", "Unleash: production if empty")
    flag = _target_field("Unleash flag", "Unleash: the product's name in lower case if empty")
    context_field = _target_field("Unleash context field", "Unleash: nationality if empty")
    audiences = _target_field(
        "Unleash audiences",
        "Unleash: audience=context value pairs, e.g. foreign-nationals=foreign, domestic-users=domestic",
    )
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text="Told at once, with legal, when the live access drifts (optional)",
    )

    def __init__(self, *args: Any, control: Control | None = None, **kwargs: Any) -> None:
        if control is not None:
            kwargs["initial"] = {"kind": control.kind, "owner": control.owner, **(control.target or {})}
        super().__init__(*args, **kwargs)

    def target(self) -> dict[str, str]:
        """The chosen connector's target: its fields that were filled in."""
        names = {"webhook": WEBHOOK_FIELDS, "unleash": UNLEASH_FIELDS}.get(self.cleaned_data["kind"], ())
        return {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name)}
