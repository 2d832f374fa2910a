"""Strict readers for settings that come from the environment.

A typo in a production environment must stop the process at start-up, not
silently fall back to a default: ``DEBUG=flase`` is an error, not ``False``.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def envbool(name: str, default: bool) -> bool:
    raw = envstr(name)
    if raw == "":
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use one of {', '.join(sorted(_TRUE | _FALSE))}."
    )


def envint(name: str, default: int) -> int:
    raw = envstr(name)
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def envlist(name: str, default: str = "") -> list[str]:
    """A comma-separated list, with blanks dropped."""
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def envsecret(name: str, default: str = "") -> str:
    """A secret from ``NAME``, or from the file named by ``NAME_FILE``.

    The file form lets container platforms mount secrets instead of exposing
    them in the process environment.
    """
    path = envstr(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from None
    return envstr(name, default)


def envmap(name: str, default: str = "") -> dict[str, str]:
    """Comma-separated ``key=value`` pairs, e.g. ``bd-legal=Legal,bd-ir=Responder``.

    A pair without ``=`` or with an empty side stops the process at start-up.
    """
    pairs = {}
    for item in envlist(name, default):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}: {item!r} is not a key=value pair.")
        pairs[key.strip()] = value.strip()
    return pairs
