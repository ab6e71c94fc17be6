"""`make check-deploy` (manage.py check --deploy --fail-level WARNING, in a process started with the
production environment) fails when single sign-on is half-configured, and passes when it is complete.
Each message is also checked in-process, which is faster than a process per case."""

from __future__ import annotations

import pytest

from directives.sso.checks import sign_in_over_https, sign_in_settings
from tests.trust.test_settings import manage, production_env

COMPLETE = {
    "DOCKET_SSO_ENABLED": "true",
    "DOCKET_SSO_ISSUER": "https://idp.example.com/oauth2/default",
    "DOCKET_SSO_CLIENT_ID": "0oa1docket",
    "DOCKET_SSO_CLIENT_SECRET": "a-client-secret-from-the-provider",
    "DOCKET_SSO_ROLE_MAP": "docket-legal=legal,docket-auditors=auditor",
}


def check_deploy(tmp_path, **env: str):
    return manage(production_env(tmp_path, **env), "check", "--deploy", "--fail-level", "WARNING")


def test_make_check_deploy_passes_with_complete_sso_settings(tmp_path) -> None:
    result = check_deploy(
        tmp_path, **COMPLETE, DOCKET_LOCAL_PASSWORDS="false", DOCKET_BREAK_GLASS_USERS="root"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_check_deploy_fails_when_sso_is_half_configured(tmp_path) -> None:
    result = check_deploy(tmp_path, **{**COMPLETE, "DOCKET_SSO_CLIENT_SECRET": ""})
    assert result.returncode != 0
    assert "docket.E020" in result.stderr and "DOCKET_SSO_CLIENT_SECRET is not set" in result.stderr


def _ids(settings, **values) -> set[str]:
    for name, value in {**COMPLETE, **values}.items():
        setattr(settings, name, value == "true" if name == "DOCKET_SSO_ENABLED" else value)
    return {str(m.id) for m in sign_in_settings(None) + sign_in_over_https(None)}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, set()),
        ({"DOCKET_SSO_CLIENT_SECRET": ""}, {"docket.E020"}),
        ({"DOCKET_SSO_ISSUER": "", "DOCKET_SSO_CLIENT_ID": ""}, {"docket.E020"}),
        ({"DOCKET_SSO_ENABLED": "false", "DOCKET_SSO_CLIENT_SECRET": ""}, {"docket.E020"}),
        ({"DOCKET_SSO_ENABLED": "false"}, set()),  # configured ahead of the switch: not half-configured
        ({"DOCKET_SSO_ROLE_MAP": ""}, {"docket.E023"}),
        ({"DOCKET_SSO_ROLE_MAP": "docket-legal=lawyer"}, {"docket.E022"}),
        ({"DOCKET_SSO_ROLE_MAP": '{"CN=Legal,OU=Groups": "legal"}'}, set()),
        ({"DOCKET_SSO_ROLE_MAP": "{not json"}, {"docket.E022"}),
        ({"DOCKET_SSO_SCOPES": "email profile"}, {"docket.E024"}),
        ({"DOCKET_SSO_SIGNING_ALGORITHM": "HS256"}, {"docket.E025"}),
        ({"DOCKET_SSO_ISSUER": "http://idp.example.com"}, {"docket.W020"}),
    ],
)
def test_each_half_configured_setting_is_named(settings, change, expected) -> None:
    settings.DOCKET_SSO_SCOPES = "openid email profile"
    settings.DOCKET_SSO_SIGNING_ALGORITHM = "RS256"
    assert _ids(settings, **change) == expected


def test_passwords_off_without_sso_is_refused(settings) -> None:
    settings.DOCKET_LOCAL_PASSWORDS = False
    assert _ids(
        settings,
        DOCKET_SSO_ENABLED="false",
        DOCKET_SSO_ISSUER="",
        DOCKET_SSO_CLIENT_ID="",
        DOCKET_SSO_CLIENT_SECRET="",
    ) == {"docket.E021"}


def test_the_embedded_default_has_no_sso_message(settings) -> None:
    assert (
        _ids(
            settings,
            DOCKET_SSO_ENABLED="false",
            DOCKET_SSO_ISSUER="",
            DOCKET_SSO_CLIENT_ID="",
            DOCKET_SSO_CLIENT_SECRET="",
            DOCKET_SSO_ROLE_MAP="",
        )
        == set()
    )
