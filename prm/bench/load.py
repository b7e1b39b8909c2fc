"""A small HTTP load driver for loopback: N client threads, each with its own keep-alive
connection and API key, posting orders until a deadline; latencies and answers recorded.

Threads rather than an external tool because each client must send its own dealer's key and
order body; the driver costs a few percent of one core, measured as the gap to the server's
own time in docs/performance.md."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Load:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def rate(self, status: int) -> float:
        return self.statuses[status] / self.seconds if self.seconds else 0.0


def drive(
    port: int,
    host: str,
    clients: list[tuple[str, Callable[[int], dict]]],  # (token, body for request n)
    seconds: float,
) -> Load:
    load = Load()
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)

    def client(token: str, body: Callable[[int], dict]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {
            "Host": host,
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        }
        start.wait()
        deadline = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < deadline:
            payload = json.dumps(body(n))
            began = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/orders/", payload, headers)
                response = connection.getresponse()
                text = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    load.errors.append(repr(exc))
                continue
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                load.latencies_ms.append(elapsed)
                load.statuses[status] += 1
                if status >= 500 and len(load.errors) < 5:
                    load.errors.append(text[:300].decode(errors="replace"))
            n += 1
        connection.close()

    threads = [threading.Thread(target=client, args=c, daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load
