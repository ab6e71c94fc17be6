"""The form that adds a product (reference data legal names in orders), and the webhook subscription form
administrators use."""

from __future__ import annotations

from typing import Any

from django import forms

from ..models import WebhookEndpoint, WebhookEvent
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
