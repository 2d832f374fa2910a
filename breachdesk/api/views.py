"""What every API view shares: the door (token or session, a role), errors in the pages' words,
ETags on details, and cursor pages."""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, generics, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from breachdesk.api.forms import NON_FIELD
from breachdesk.submissions import AlreadySubmitted

ALREADY_DONE = _("This was done already.")


class Conflict(exceptions.APIException):
    """The request is valid but the record's state refuses it (409): a workflow move, a repeat."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = ALREADY_DONE
    default_code = "conflict"


def _validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD: list(exc.messages)}


def api_exception_handler(exc, context):
    """DRF's handler, plus the domain's own refusals in their own words.

    A service's ValidationError is a 400 naming its fields, a PermissionDenied
    a 403 with the service's message (DRF's own would replace it with a
    generic one), a form sent twice (``AlreadySubmitted``) a 409, and a body
    that is not JSON a 400 shaped like any other (``non_field_errors``).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_validation_detail(exc))
    elif isinstance(exc, PermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, AlreadySubmitted):
        exc = Conflict(str(exc))
    elif isinstance(exc, exceptions.ParseError):
        # Every 400 has one shape: a body that is not JSON is a field error of the whole.
        exc = exceptions.ValidationError({NON_FIELD: [str(exc.detail)]})
    return exception_handler(exc, context)


# DRF's views are exempt from LoginRequiredMiddleware (``APIView.as_view`` sets
# ``login_required = False``), and RoleRequiredMiddleware lets such views pass:
# an API client's token is invisible to the middleware, so the view's own
# authentication and permission classes decide, answering 401 or 403 in JSON.
ApiView = APIView
ApiListView = generics.ListAPIView


def etag_of(data) -> str:
    """A strong ETag for a representation: SHA-256 of its canonical JSON."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def detail_response(request, data) -> Response:
    """``data`` with its ETag; 304 and no body when the client's copy (If-None-Match) is current."""
    etag = etag_of(data)
    wanted = request.headers.get("If-None-Match", "")
    if etag in {tag.strip() for tag in wanted.split(",")} or wanted.strip() == "*":
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(data)
    response["ETag"] = etag
    return response


class Cursor(CursorPagination):
    """Cursor pages of 50 (``?cursor=``), stable while rows are added; ``?page_size=`` up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
