"""The answers every API operation may give, for the OpenAPI schema (drf-spectacular).

Errors have two shapes: a 400 names each field with its messages (the
form's own words; ``non_field_errors`` for the rest), every other error is
``{"detail": "…"}``. Schemathesis checks every response against these.
"""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="Invalid input: each field named with the messages the page's form gives.",
)
DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})


def _detail(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=DETAIL, description=description)


UNAUTHENTICATED = _detail("No API token or session, or the token is unknown, revoked or expired.")
FORBIDDEN = _detail(
    "No role, a read-only token on a write, or the service refuses this caller (its words)."
)
NOT_FOUND = _detail("No such record, or one the caller may not know exists.")
THROTTLED = _detail("Too many requests for this token; retry after the Retry-After seconds.")
CONFLICT = _detail("The record's state refuses this, or the same one-time token was sent before.")

# Every call: authentication, role, throttling; and 400 for malformed filters or input.
READ_RESPONSES = {400: FIELD_ERRORS, 401: UNAUTHENTICATED, 403: FORBIDDEN, 429: THROTTLED}


def LIST_RESPONSES(serializer) -> dict:
    """A cursor-paged list of ``serializer``, under the incident gate (404)."""
    return {200: serializer(many=True), 404: NOT_FOUND, **READ_RESPONSES}


def DETAIL_RESPONSES(serializer) -> dict:
    """One record with its ETag, or 304 when ``If-None-Match`` holds it."""
    return {
        200: serializer,
        304: OpenApiResponse(description="Not modified: the ETag sent is current."),
        404: NOT_FOUND,
        **READ_RESPONSES,
    }


def WRITE_RESPONSES(serializer, *, created: bool = False) -> dict:
    """A write: the record as it now stands, or why not."""
    return {
        201 if created else 200: serializer,
        404: NOT_FOUND,
        409: CONFLICT,
        **READ_RESPONSES,
    }
