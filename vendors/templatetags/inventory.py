from django import template
from django.utils.translation import gettext_lazy as _

from vendors.jurisdictions import jurisdictions

register = template.Library()


@register.filter
def jurisdiction_names(codes: list[str]) -> str:
    """``["DE", "US-CA"]`` → ``"Germany (DE), California (United States) (US-CA)"``."""
    names = jurisdictions()
    return ", ".join(f"{names.get(code, code)} ({code})" for code in codes or [])


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)


DATA_CATEGORY_LABELS = {
    "personal": _("personal data"),
    "special_category": _("special-category data"),
    "health": _("health data"),
    "financial": _("financial data"),
}


@register.filter
def data_category_labels(categories: list[str]) -> str:
    return ", ".join(str(DATA_CATEGORY_LABELS.get(code, code)) for code in categories or [])
