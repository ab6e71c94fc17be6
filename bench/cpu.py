"""CPU time of this process and of its PostgreSQL backend (read from /proc, Linux).

On a shared machine wall time swings with the load; the CPU seconds spent by the client process and by
the server process that served it do not, and their sum is close to what the wall time would be on an
idle machine (for these single-connection, CPU-bound runs). The benchmarks report both.
"""

from __future__ import annotations

import os
import resource
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int | None = None) -> float:
    """User + system CPU seconds of ``pid`` (default: this process)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of stat)
    except (OSError, IndexError, ValueError):
        return float("nan")


class CpuMeter:
    """CPU seconds of this process and of one PostgreSQL backend between start() and stop()."""

    def __init__(self, backend_pid: int | None) -> None:
        self.backend_pid = backend_pid
        self.client = self.server = 0.0

    def start(self) -> CpuMeter:
        self._c0 = process_cpu()
        self._s0 = process_cpu(self.backend_pid) if self.backend_pid else 0.0
        return self

    def stop(self) -> dict[str, Any]:
        self.client = process_cpu() - self._c0
        self.server = (process_cpu(self.backend_pid) - self._s0) if self.backend_pid else float("nan")
        return {
            "client_cpu_s": round(self.client, 3),
            "server_cpu_s": round(self.server, 3),
            "cpu_s": round(self.client + self.server, 3),
        }
