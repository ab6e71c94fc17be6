"""Where the test provider cannot start, `make test` skips the sign-in tests with the reason; under CI=true
they fail instead, so a CI run cannot pass without them."""

from __future__ import annotations

import pytest

from .provider import unavailable


def test_without_ci_a_missing_provider_skips_with_the_reason(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="django-oauth-toolkit is not installed"):
        unavailable("django-oauth-toolkit is not installed")


def test_under_ci_a_missing_provider_fails(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="needed under CI=true"):
        unavailable("it did not answer within 60 s")
