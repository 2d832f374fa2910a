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
