"""A local webhook receiver for tests: counts deliveries per idempotency key, answers a chosen status."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    key: str
    signature: str
    event: str
    body: bytes


@dataclass
class Receiver:
    status: int = 200
    delay: float = 0.0
    error_body: bytes = b"receiver error"
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}/hook"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(r.key for r in self.requests)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.requests.append(
                        Received(
                            key=self.headers.get("X-Docket-Idempotency-Key", ""),
                            signature=self.headers.get("X-Docket-Signature", ""),
                            event=self.headers.get("X-Docket-Event", ""),
                            body=body,
                        )
                    )
                    status = receiver.status
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else receiver.error_body)

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
