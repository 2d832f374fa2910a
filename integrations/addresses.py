"""Which webhook URLs BreachDesk may call: http(s) to public addresses only.

A webhook URL is chosen by a person and called by the server, so a URL that
points inside the network (loopback, link-local such as a cloud metadata
service, private or reserved ranges) would let that person reach services
nobody meant to expose. Such URLs are refused when saved and again at each
delivery, because a name's DNS answer can change after it was checked; the
delivery then connects to the very address that was checked.
``WEBHOOK_ALLOW_PRIVATE`` lifts the rule for receivers inside the network.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED_SCHEMES = ("http", "https")

NOT_HTTP = "Only http:// and https:// addresses can receive webhooks."
NO_HOST = "The address has no host name."
UNRESOLVED = "{host} cannot be found (DNS gives no address for it)."
PRIVATE = (
    "{host} points inside the network ({address}): loopback, link-local, private and "
    "reserved addresses are refused unless WEBHOOK_ALLOW_PRIVATE is on."
)


class AddressRefused(Exception):
    """The URL may not be called; the message says why in an administrator's words."""


@dataclass(frozen=True)
class Target:
    """A URL checked for calling: where to connect, and what to tell the server."""

    scheme: str
    host: str
    port: int
    address: str
    path: str

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool | None = None) -> Target:
    """Resolve ``url`` and check every address it gives; returns where to connect.

    Raises ``AddressRefused`` for a scheme other than http(s), a name DNS does
    not know, or (unless ``allow_private``, by default ``WEBHOOK_ALLOW_PRIVATE``)
    any address outside the public internet.
    """
    if allow_private is None:
        allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise AddressRefused(_(NOT_HTTP))
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise AddressRefused(str(exc)) from None
    if not host:
        raise AddressRefused(_(NO_HOST))
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise AddressRefused(_(UNRESOLVED).format(host=host))
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise AddressRefused(_(PRIVATE).format(host=host, address=address))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, address=addresses[0], path=path)
