"""Private servers for the fault tests: a PostgreSQL cluster and a redis-server of their own on free ports
(never the shared ones on 5432 and 6379, which other test runs use), and the app under gunicorn against
them. A missing binary skips the test with the reason, and fails it under CI (``CI=true``)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port(preferred: int | None = None) -> int:
    for candidate in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def need_binary(binary: str) -> str:
    found = shutil.which(binary) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"))), None)
    if not found:
        reason = f"{binary} is needed for the fault tests (apt-get install postgresql redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


# --- a private PostgreSQL ------------------------------------------------------------------------


class PrivatePostgres:
    """A throwaway cluster on its own port, owned by user postgres when the tests run as root."""

    def __init__(self) -> None:
        self.port = free_port(55433)
        self.dir = Path(tempfile.mkdtemp(prefix="docket-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/docket"

    def _run(self, *args: str) -> None:
        # No pipes: the server started by pg_ctl would inherit them and keep this call waiting.
        subprocess.run(  # noqa: S603 - fixed PostgreSQL tools
            [*self.as_postgres, *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )

    def init(self) -> None:
        self._run(
            need_binary("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.start()
        self._run(
            need_binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "docket"
        )

    def start(self) -> None:
        self._run(
            need_binary("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            self.options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(need_binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self._run(
            need_binary("pg_ctl"),
            "-D",
            str(self.data),
            "-m",
            "fast",
            "-o",
            self.options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "restart",
        )

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def app_env(pg: PrivatePostgres, var: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DJANGO_", "DOCKET_", "CELERY_", "CACHE_URL"))
    }
    env.update(
        DATABASE_URL=pg.url,
        DB_CONN_MAX_AGE="600",
        DOCKET_VAR_DIR=str(var),
        PYTHONPATH=str(ROOT),
        AXES_ENABLED="false",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


SETUP_USER = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user("probe", password="probe-password-for-tests")
user.groups.add(Group.objects.get_or_create(name="legal")[0])
"""


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], log: Path, workers: int = 2
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The app under gunicorn (compliance/gunicorn.conf.py) on a free port: its base URL and process; the
    JSON access log written to ``log``, the app's log beside it (``.err``)."""
    port = free_port()
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_TIMEOUT": "30",
    }
    with log.open("w") as access, log.with_suffix(".err").open("w") as errors:
        server = subprocess.Popen(  # noqa: S603 - our own server with fixed arguments
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "compliance/gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=access,
            stderr=errors,
        )
        try:
            yield f"http://127.0.0.1:{port}", server
        finally:
            server.terminate()
            server.wait(timeout=30)


def logged_in_session(base: str, server: subprocess.Popen[bytes]) -> requests.Session:
    session = requests.Session()
    deadline = time.monotonic() + 60
    while True:
        try:
            session.get(f"{base}/login/", timeout=10)
            break
        except requests.RequestException:
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.3)
    token = session.cookies["csrftoken"]
    response = session.post(
        f"{base}/login/",
        data={"username": "probe", "password": "probe-password-for-tests", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, response.text[:500]
    return session


# --- a private Redis ------------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port(6393)
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                need_binary("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "private redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
