from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class GroupsClaimValidator(OAuth2Validator):
    """Name, e-mail and the person's groups (Django groups at the provider) in the ID token and the user
    information, like a company's provider with a groups claim (Okta's ``groups`` scope)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "groups", "email_verified": "email"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "name": f"{user.first_name} {user.last_name}".strip(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.username,
            "email": user.email,
            "email_verified": True,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }
