"""A small in-house kill switch for tests: a real HTTP server holding each product's access per audience.

``POST /apply`` (signed) sets a product's states, once per idempotency key; ``POST /status`` answers one
audience's state. ``down`` makes it answer 503 (as a switch that is being restarted); ``flip`` changes a
state directly, as someone re-enabling a product behind Docket's back."""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from directives.services.notifications import verify_signature

SECRET = "kill-switch-test-secret"


@dataclass
class KillSwitch:
    down: bool = False
    states: dict[str, dict[str, str]] = field(default_factory=dict)
    applied_keys: Counter[str] = field(default_factory=Counter)  # changes made, per key
    posts: int = 0
    bad_signatures: int = 0
    lagging: dict[str, str] = field(default_factory=dict)  # audience -> what /status answers meanwhile
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def target(self) -> dict[str, str]:
        return {"url": f"{self.base}/apply", "status_url": f"{self.base}/status"}

    def live(self, product: str, audience: str) -> str:
        with self.lock:
            return self.states.get(product, {}).get(audience, "available")

    def flip(self, product: str, audience: str, state: str) -> None:
        with self.lock:
            self.states.setdefault(product, {})[audience] = state

    def handle(self, path: str, body: bytes, signature: str, key: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.posts += 1
            if self.down:
                return 503, {"error": "restarting"}
            if not verify_signature(body, SECRET, signature):
                self.bad_signatures += 1
                return 401, {"error": "bad signature"}
            payload = json.loads(body)
            product = self.states.setdefault(payload["product"], {})
            if path == "/status":
                audience = payload["audience"]
                return 200, {"state": self.lagging.get(audience) or product.get(audience, "available")}
            if key not in self.applied_keys:  # a repeat of a key changes nothing
                product.update(payload["states"])
            self.applied_keys[key] += 1
            return 200, {"applied": True, "key": key, "repeat": self.applied_keys[key] > 1}

    def start(self) -> KillSwitch:
        switch = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, answer = switch.handle(
                    self.path,
                    body,
                    self.headers.get("X-Docket-Signature", ""),
                    self.headers.get("X-Docket-Idempotency-Key", ""),
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
