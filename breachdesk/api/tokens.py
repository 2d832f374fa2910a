"""Personal API tokens as strings: how one is made, shown, recognised and hashed.

A token reads ``bd_<prefix>_<secret>``: ``prefix`` is 8 random hex digits
shown on the preferences page so a person can tell their tokens apart, and
``secret`` 32 random bytes (URL-safe base64). Only the SHA-256 of the whole
string is stored; a stolen database yields no usable token, and a fast hash
is enough because the secret has 256 bits (no password to guess).
"""

import hashlib
import re
import secrets

TOKEN_PATTERN = re.compile(r"bd_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")


def token_new() -> tuple[str, str]:
    """A fresh ``(token, prefix)``; the token is shown once and never stored."""
    prefix = secrets.token_hex(4)
    return f"bd_{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_digest(token: str) -> str:
    """The stored form of a token: SHA-256, 64 hex digits."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_looks_valid(token: str) -> bool:
    """Whether ``token`` has the shape of one of ours (checked before any query)."""
    return TOKEN_PATTERN.fullmatch(token) is not None
