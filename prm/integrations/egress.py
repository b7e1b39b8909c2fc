"""Where outbound webhooks may go: public addresses only, unless the operator allows a network.

A vendor admin types the receiver's URL, so without this check one vendor could make the server
POST to the platform's own network (Redis, PostgreSQL, a cloud metadata endpoint) and read the
start of the answer back as the delivery's error: server-side request forgery. The address is
checked on the socket after it connects, so a name that resolves to a public address when the form
is saved and to 127.0.0.1 when the delivery runs (DNS rebinding) is refused too.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class EgressRefused(OSError):
    """The receiver's address is not one this server may send to."""


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n) for n in getattr(settings, "PRM_EGRESS_ALLOWED_NETWORKS", ())]


def address_allowed(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def _connect_checked(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
    sock = socket.create_connection(address, *args, **kwargs)
    peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
    if not address_allowed(peer):
        sock.close()
        raise EgressRefused(f"{peer} is a private or reserved address; not sent.")
    return sock


# Checked right after the TCP connect: before a proxy tunnel or a TLS byte reaches the peer.
class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_checked


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_checked


class GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_GuardedHTTPConnection, req)


class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


def validate_receiver_url(url: str) -> None:
    """At the form: refuse a URL that names a private address outright (a host name is checked
    when the delivery connects, as its address may change)."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        address: Address | None = ipaddress.ip_address("127.0.0.1")
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
    if address is not None and not address_allowed(address):
        raise ValidationError(
            _("This address is on a private or reserved network; webhooks go to public addresses.")
        )
