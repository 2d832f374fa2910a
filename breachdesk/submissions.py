"""One-time form tokens: a form that creates something creates it once, however often it is sent.

Each such form carries a fresh ``submission_token`` (a UUID, hidden). The
service that creates the thing calls ``submission_claim`` in its own
transaction: the token is stored with what was created, or neither is. A
resubmission after an error, a double click or a browser's "send again"
raises ``AlreadySubmitted``, which the page shows as "already saved".
"""

import uuid
from uuid import UUID

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from breachdesk.models import Submission, User

ALREADY_SAVED = _(
    "This was already saved: the form was sent twice (perhaps after an error), "
    "so nothing was added a second time."
)


class AlreadySubmitted(Exception):
    """The form with this token was saved before; nothing was created again."""

    def __init__(self) -> None:
        super().__init__(str(ALREADY_SAVED))


def submission_token_field() -> forms.UUIDField:
    """The hidden one-time token of a form that creates something (a fresh UUID per render).

    Optional, so that a caller without a form (the demo, an import) can
    create without one; a form rendered by BreachDesk always carries it.
    """
    return forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)


def submission_claim(token: UUID | None, *, user: User | None) -> None:
    """Store ``token`` in the caller's transaction; ``None`` (no form) checks nothing.

    Raises ``AlreadySubmitted`` when the token was stored before, and
    ``RuntimeError`` outside a transaction (the token must commit, or roll
    back, with what it guards).
    """
    if token is None:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("submission_claim must run in the transaction of what it creates")
    try:
        with transaction.atomic():
            Submission.objects.create(token=token, user=user)
    except IntegrityError:
        raise AlreadySubmitted from None


def submission_seen(data) -> bool:
    """Whether the form in ``data`` (a POST) was saved before; checked before validating it.

    A form whose own checks would refuse a second copy ("a vendor with this
    name already exists") then says "already saved" instead. An absent or
    malformed token is simply not seen (the form's validation reports it).
    """
    try:
        token = UUID(str(data.get("submission_token", "")))
    except ValueError:
        return False
    return Submission.objects.filter(token=token).exists()
