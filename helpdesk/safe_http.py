"""Outbound HTTP that cannot be pointed at our own network (SSRF guard): one POST of a JSON body, used by
the webhook sender (``helpdesk.webhooks``) and the SMS gateway client (``helpdesk.sms``).

The host name is resolved once and every address it resolves to is checked; the connection then goes to
the first of those checked addresses (so a DNS answer that changes between check and connect — DNS
rebinding — cannot slip through). TLS still verifies the certificate against the host name. Addresses
that are not globally routable (private, loopback, link-local, shared, reserved, and IPv4 ones hidden in
IPv6-mapped form) and multicast ones are refused unless ``OUTBOUND_ALLOWED_NETWORKS`` lists them (for
tests or an internal gateway). Only http(s) URLs without credentials are accepted; redirects are not
followed (the caller sees the 3xx status); at most ``max_response_bytes`` of the answer are read, and
``timeout`` bounds each socket operation (connect, each read), not the whole exchange.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedDestination(Exception):
    """The URL points somewhere we must not send requests to."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def parse_networks(values: Iterable[str]) -> list[IPNetwork]:
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _is_public(address.ipv4_mapped)
    return address.is_global and not address.is_multicast


def resolve_checked(host: str, port: int, allowed: list[IPNetwork]) -> str:
    """The first address of ``host`` if every address it resolves to may be contacted."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BlockedDestination(f"cannot resolve {host!r}: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise BlockedDestination(f"{host!r} has no address")
    for address in addresses:
        if not _is_public(address) and not any(address in network for network in allowed):
            raise BlockedDestination(f"{host!r} resolves to a non-public address ({address})")
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post_json(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allowed_networks: list[IPNetwork],
    timeout: float = 10.0,
    max_response_bytes: int = 64 * 1024,
) -> Response:
    """POST ``body`` to ``url`` if its host resolves only to addresses we may contact (else
    ``BlockedDestination``); network failures raise ``OSError``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedDestination("only http(s) URLs with a host name are allowed")
    if parts.username or parts.password:
        raise BlockedDestination("URLs with credentials are not allowed")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(parts.hostname, port, allowed_networks)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": "ClaimDesk-Webhooks/1", **headers},
        )
        response = connection.getresponse()
        return Response(status=response.status, body=response.read(max_response_bytes))
    finally:
        connection.close()
