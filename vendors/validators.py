from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vendors.jurisdictions import unknown_codes

NOT_A_LIST = _("Jurisdictions must be a list of codes.")
UNKNOWN_JURISDICTIONS = _(
    "We do not know the jurisdiction code(s) %(codes)s. Use ISO 3166 codes such as DE, "
    "FR, GB, or a US state or Canadian province such as US-CA, CA-QC."
)


def validate_jurisdiction_codes(value) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(NOT_A_LIST, code="not_a_list")
    unknown = unknown_codes(value)
    if unknown:
        raise ValidationError(
            UNKNOWN_JURISDICTIONS, code="unknown_jurisdiction", params={"codes": ", ".join(unknown)}
        )


# Vendors and engagements are paused by an incident's "Pause engagements" and
# resumed only when that incident's commander and Legal both approve; the
# inventory never moves a status into or out of "paused" (issue: two-person
# resume skipped through the engagement form).
PAUSED = "paused"
PAUSED_BY_INCIDENT = _(
    "This is paused during an incident. It is resumed from the incident page, once the "
    "incident commander and Legal both approve, not here."
)
PAUSE_FROM_AN_INCIDENT = _(
    "Pausing is done from an incident (“Pause engagements”), so that it is on the incident's "
    "timeline and its owners are told; choose another status here."
)


def status_change_error(*, current: str | None, new: str) -> str | None:
    """Why the inventory may not move a vendor's or engagement's status, or None if it may.

    ``current`` is None for a new record.
    """
    if current == new:
        return None
    if current == PAUSED:
        return str(PAUSED_BY_INCIDENT)
    if new == PAUSED:
        return str(PAUSE_FROM_AN_INCIDENT)
    return None
