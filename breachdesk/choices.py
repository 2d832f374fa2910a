"""Choice labels read by a dictionary lookup, for models whose labels pages show by the dozen."""

from functools import cache

from django.db import models
from django.utils.translation import get_language


@cache
def _labels(field: models.Field, language: str | None) -> dict[str, str]:
    """``{stored value: label}`` of ``field``'s choices in ``language``, built once per process."""
    return {value: str(label) for value, label in field.flatchoices}


class ChoiceLabels:
    """``get_<field>_display()`` in one dictionary lookup.

    Django's own builds ``dict(make_hashable(field.flatchoices))`` on every
    call, which hashes every lazy label and so translates each one: the
    timeline's 46 entry kinds cost 46 gettext calls per label shown, about a
    tenth of the workspace's time (issue 14). Here the labels are translated
    once per field and language. Values are strings, so the hashing that
    Django does for unhashable values (lists, dicts) is not needed. Put it
    before ``models.Model`` in the bases.
    """

    def _get_FIELD_display(self, field: models.Field) -> str:
        value = getattr(self, field.attname)
        return _labels(field, get_language()).get(value, value)
