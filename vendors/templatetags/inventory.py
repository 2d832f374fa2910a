from django import template

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
