"""One HTTP POST to a receiver, with the standard library: a 10 s timeout, no redirects
followed (a moved endpoint is a failure to fix, not a place to resend a signed body to), and
any answer but 2xx a failure."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import Any

from .egress import GuardedHTTPHandler, GuardedHTTPSHandler

TIMEOUT_SECONDS = 10
USER_AGENT = "PRM-Outbox/1"
_ANSWER_LIMIT = 4096  # of a receiver's answer kept for the delivery's last error


class DeliveryError(Exception):
    """A send that did not arrive; the delivery is retried (or fails after the last attempt)."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx


# No proxy from the environment: the receiver's own address is what egress checks.
_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), GuardedHTTPHandler(), GuardedHTTPSHandler(), _NoRedirects()
)


def http_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body`; the status code and (the start of) the answer of a 2xx, else DeliveryError."""
    if not url.lower().startswith(("https://", "http://")):
        raise DeliveryError("Only http:// and https:// addresses are sent to.")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=body,
        method="POST",
        headers={"User-Agent": USER_AGENT, **headers},
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
            text = response.read(_ANSWER_LIMIT).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(_ANSWER_LIMIT).decode("utf-8", "replace") if exc.fp else ""
        raise DeliveryError(f"HTTP {exc.code}: {text[:500]}".strip(), status_code=exc.code) from exc
    except urllib.error.URLError as exc:
        raise DeliveryError(f"{type(exc.reason).__name__}: {exc.reason}") from exc
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}: {text[:500]}".strip(), status_code=status)
    return status, text
