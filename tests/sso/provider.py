"""Starts the test OpenID Connect provider (tests/oidc_provider) as a process on a free port, with its
own SQLite file and a fresh RSA key, and talks to it the way a person's browser and an administrator
would. When it cannot start, the tests that need it are skipped with the reason; with CI=true they fail."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "provider-password-for-tests"
CLIENT_ID = "docket"
CLIENT_SECRET = "docket-client-secret-for-tests-" + "x" * 16
OTHER_CLIENT_ID = "another-app"
OTHER_CLIENT_SECRET = "another-app-secret-for-tests-" + "y" * 16
DOCKET_CALLBACK = "http://testserver/sign-in/oidc/callback/"
DOCKET_SIGNED_OUT = "http://testserver/login/"
OTHER_CALLBACK = "http://127.0.0.1/another-app/callback"


def unavailable(reason: str) -> None:
    """Skip, or fail under CI: the provider is part of the suite, not optional there."""
    if os.environ.get("CI"):
        pytest.fail(f"the test OpenID Connect provider is needed under CI=true: {reason}")
    pytest.skip(f"test OpenID Connect provider unavailable: {reason}")


@dataclass
class Provider:
    url: str
    issuer: str
    control_secret: str
    docket_redirects: list[str] = field(default_factory=lambda: [DOCKET_CALLBACK])
    docket_signed_out: list[str] = field(default_factory=lambda: [DOCKET_SIGNED_OUT])

    def _control(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(
            f"{self.url}/control/{path}/",
            json=body,
            headers={"X-Control-Secret": self.control_secret},
            timeout=30,
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def person(self, username: str, *, groups: list[str] | tuple[str, ...] = (), **profile: Any) -> str:
        """Creates or changes a person at the provider; returns their subject (``sub``)."""
        body = {
            "username": username,
            "password": PASSWORD,
            "email": f"{username}@corp.example",
            "first_name": username.capitalize(),
            "last_name": "Tester",
            "groups": list(groups),
            **profile,
        }
        return str(self._control("person", body)["sub"])

    def register_docket(self, *, redirect_uri: str | None = None, signed_out: str | None = None) -> None:
        if redirect_uri and redirect_uri not in self.docket_redirects:
            self.docket_redirects.append(redirect_uri)
        if signed_out and signed_out not in self.docket_signed_out:
            self.docket_signed_out.append(signed_out)
        self._control(
            "client",
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": self.docket_redirects,
                "post_logout_redirect_uris": self.docket_signed_out,
            },
        )

    def register_other_app(self) -> None:
        self._control(
            "client",
            {
                "client_id": OTHER_CLIENT_ID,
                "client_secret": OTHER_CLIENT_SECRET,
                "redirect_uris": [OTHER_CALLBACK],
            },
        )

    def browser(self, username: str, password: str = PASSWORD) -> requests.Session:
        """A browser's session at the provider, signed in with the provider's own login form."""
        session = requests.Session()
        form = session.get(f"{self.url}/accounts/login/", timeout=30)
        form.raise_for_status()
        answer = session.post(
            f"{self.url}/accounts/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": session.cookies["provider_csrftoken"],
                "next": "/control/whoami/",
            },
            headers={"Referer": f"{self.url}/accounts/login/"},
            timeout=30,
        )
        assert answer.json()["username"] == username, answer.text[:300]
        return session

    def signed_in_here(self, session: requests.Session) -> str | None:
        name: str | None = session.get(f"{self.url}/control/whoami/", timeout=30).json()["username"]
        return name

    def authorize(self, session: requests.Session, authorize_url: str) -> str:
        """The provider's answer to an authorization request: the redirect back to the client, with the code."""
        response = session.get(authorize_url, allow_redirects=False, timeout=30)
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return str(response.headers["Location"])

    def id_token_for_other_app(self, session: requests.Session, *, nonce: str) -> str:
        """A genuine ID token, signed by this provider, issued to another application."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": OTHER_CLIENT_ID,
                "redirect_uri": OTHER_CALLBACK,
                "scope": "openid email profile groups",
                "state": "s",
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        location = self.authorize(session, f"{self.issuer}/authorize/?{query}")
        code = parse_qs(urlsplit(location).query)["code"][0]
        tokens = requests.post(
            f"{self.issuer}/token/",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": OTHER_CALLBACK,
                "client_id": OTHER_CLIENT_ID,
                "client_secret": OTHER_CLIENT_SECRET,
                "code_verifier": verifier,
            },
            timeout=30,
        )
        tokens.raise_for_status()
        return str(tokens.json()["id_token"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def start(folder: Path) -> Iterator[Provider]:
    try:
        import oauth2_provider  # noqa: F401
    except ImportError:
        unavailable("django-oauth-toolkit is not installed (pip install -r requirements-dev.txt)")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    (folder / "key.pem").write_text(_key_pem(), encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOCKET_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "PYTHONPATH": str(ROOT),
        "OIDC_PROVIDER_SECRET_KEY": secrets.token_urlsafe(40),
        "OIDC_PROVIDER_DB": str(folder / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY_FILE": str(folder / "key.pem"),
        "OIDC_PROVIDER_ISSUER": f"{url}/o",
        "OIDC_PROVIDER_CONTROL_SECRET": secrets.token_urlsafe(24),
    }
    django = [sys.executable, "-m", "django"]
    migrated = subprocess.run(  # noqa: S603 - our own test project
        [*django, "migrate", "--no-input"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if migrated.returncode != 0:
        unavailable("its migrations failed: " + migrated.stderr[-800:])
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [*django, "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = Provider(url=url, issuer=f"{url}/o", control_secret=env["OIDC_PROVIDER_CONTROL_SECRET"])
    try:
        _wait_until_answering(provider, process, folder / "provider.log")
        provider.register_docket()
        provider.register_other_app()
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_until_answering(provider: Provider, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            unavailable("it exited: " + log.read_text(encoding="utf-8", errors="replace")[-800:])
        try:
            if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    unavailable("it did not answer within 60 s: " + log.read_text(encoding="utf-8", errors="replace")[-800:])
