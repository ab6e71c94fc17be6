# ruff: noqa: S603  (the test starts Dovecot from its known path)
"""A private Dovecot IMAP server for the mailbox tests: its own configuration, port, passwd-file user and
maildir in a scratch folder, started with ``dovecot -F -c FILE`` (never the system's). As root, Dovecot's
own unprivileged users run it and own the mail; as anyone else, that user does. Missing Dovecot skips the
test with the reason, and fails it under CI (``CI=true``)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from imap_tools import BaseMailBox, MailBoxUnencrypted

DOVECOT = "/usr/sbin/dovecot"
USER = "intake"
PASSWORD = "intake-test-password"  # a throwaway test server's account


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def need_dovecot() -> str:
    if not os.access(DOVECOT, os.X_OK):
        reason = f"{DOVECOT} is needed for the mailbox tests (apt-get install dovecot-imapd)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return DOVECOT


def _run_as() -> tuple[str, str, int, int]:
    """(login user, internal user, mail uid, mail gid)."""
    if os.geteuid() == 0:
        internal = pwd.getpwnam("dovecot")
        login = "dovenull" if _has_user("dovenull") else "dovecot"
        return login, "dovecot", internal.pw_uid, internal.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login}
default_internal_user = {internal}
first_valid_uid = {uid}
last_valid_uid = 0
mail_location = maildir:{dir}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {dir}/users
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Dovecot:
    dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    def connect(self) -> BaseMailBox:
        return MailBoxUnencrypted("127.0.0.1", self.port, timeout=10).login(USER, PASSWORD)

    def deliver(self, *messages: bytes) -> None:
        with self.connect() as box:
            for data in messages:
                box.append(data, "INBOX")

    def unseen(self) -> int:
        with self.connect() as box:
            return len(box.uids("UNSEEN"))

    def total(self) -> int:
        with self.connect() as box:
            return len(box.uids("ALL"))

    def settings(self) -> dict[str, object]:
        return {
            "DOCKET_INTAKE_IMAP_HOST": "127.0.0.1",
            "DOCKET_INTAKE_IMAP_PORT": self.port,
            "DOCKET_INTAKE_IMAP_USER": USER,
            "DOCKET_INTAKE_IMAP_PASSWORD": PASSWORD,
            "DOCKET_INTAKE_IMAP_FOLDER": "INBOX",
            "DOCKET_INTAKE_IMAP_SSL": False,
        }

    def log(self) -> str:
        path = self.dir / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    binary = need_dovecot()
    login, internal, uid, gid = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="docket-dovecot-"))
    folder.chmod(0o755)  # the mail processes run as Dovecot's user and must reach the maildir
    (folder / "mail").mkdir()
    os.chown(folder / "mail", uid, gid)
    (folder / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{folder}/mail/{USER}\n")
    server = Dovecot(dir=folder, port=free_port())
    config = folder / "dovecot.conf"
    config.write_text(
        CONFIG.format(dir=folder, login=login, internal=internal, uid=min(uid, 500) or 1, port=server.port)
    )
    server.process = subprocess.Popen(
        [binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_login(server)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_login(server: Dovecot) -> None:
    deadline = time.monotonic() + 20
    while True:
        assert server.process is not None
        if server.process.poll() is not None:
            pytest.fail(f"Dovecot exited with {server.process.returncode}:\n{server.log()}")
        try:
            with server.connect():
                return
        except Exception:
            if time.monotonic() > deadline:
                pytest.fail(f"Dovecot did not accept a login within 20 s:\n{server.log()}")
            time.sleep(0.1)
