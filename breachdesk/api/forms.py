"""API input through the pages' own forms: the same checks and the same words.

A JSON body is handed to the form a page posts to (``IncidentOpenForm``,
``NoteForm``, ``VendorForm``…), so an API client reads exactly the messages a
responder reads. Fields the form does not have are refused, each named.
``form_serializer`` describes a form as a DRF serializer, for the OpenAPI
schema only: validation is always the form's.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

UNKNOWN_FIELD = _("Unknown field: this request does not take it.")
NOT_AN_OBJECT = _("Send a JSON object of fields and values.")
ONE_VALUE = _("Give a single value here, not a list or an object.")
A_LIST = _("Give a list of values here.")
NON_FIELD = "non_field_errors"

_SCALARS = (str, int, float, bool)


def _is_multiple(field: forms.Field) -> bool:
    return isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)


def _form_value(field: forms.Field, value: Any, errors: dict, name: str) -> Any:
    """A JSON value as a posted form value: text, a checkbox's bool, or a list of texts."""
    if _is_multiple(field):
        if not isinstance(value, list) or not all(isinstance(v, _SCALARS) for v in value):
            errors[name] = [A_LIST]
            return None
        return [str(v) for v in value]
    if not isinstance(value, _SCALARS):
        errors[name] = [ONE_VALUE]
        return None
    if isinstance(value, bool) and isinstance(field, forms.BooleanField):
        return value
    return str(value)


def form_data(form_class, payload: Any, *, base: dict | None = None, **form_kwargs) -> dict:
    """``payload`` (parsed JSON) checked against the form's fields, as form data.

    ``base`` is the record's current values (a partial update): the payload
    goes on top. Raises DRF's ValidationError (400) naming every unknown
    field, and every value of the wrong shape.
    """
    if not isinstance(payload, dict):
        raise ValidationError({NON_FIELD: [NOT_AN_OBJECT]})
    fields = form_class(**form_kwargs).fields
    errors: dict[str, list] = {name: [UNKNOWN_FIELD] for name in payload if name not in fields}
    data = dict(base or {})
    for name, value in payload.items():
        if name in fields and value is not None:
            data[name] = _form_value(fields[name], value, errors, name)
        elif name in fields:
            data.pop(name, None)
    if errors:
        raise ValidationError(errors)
    return data


def current_values(form: forms.BaseForm) -> dict:
    """An unbound form's values for its record, as it would post them (a partial update's base)."""
    values = {}
    for bound in form:
        value = bound.value()
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list | tuple):
            values[bound.name] = [str(v) for v in value]
        elif isinstance(bound.field, forms.BooleanField):
            values[bound.name] = bool(value)
        else:
            values[bound.name] = value
    return values


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    """The form's errors as the API answers them: ``{field: [message, …]}``."""
    return {
        (NON_FIELD if name == forms.forms.NON_FIELD_ERRORS else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def valid_form(form: forms.BaseForm) -> forms.BaseForm:
    """``form`` when valid; otherwise DRF's ValidationError with the form's own words (400)."""
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form


def _schema_field(field: forms.Field) -> serializers.Field:
    common = {"required": field.required, "help_text": str(field.help_text or "") or None}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(allow_null=not field.required, **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.MultipleChoiceField(choices=list(field.choices), **common)
    if isinstance(field, forms.ChoiceField):
        # With their labels, as the model's choices: one enum in the schema, not two.
        choices = [(value, label) for value, label in field.choices if value != ""]
        return serializers.ChoiceField(choices=choices, allow_blank=not field.required, **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not field.required, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=not field.required, **common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            allow_null=not field.required,
            min_value=field.min_value,
            max_value=field.max_value,
            **common,
        )
    if isinstance(field, forms.UUIDField):
        return serializers.UUIDField(allow_null=not field.required, **common)
    if isinstance(field, forms.EmailField):
        return serializers.EmailField(allow_blank=not field.required, **common)
    return serializers.CharField(
        max_length=getattr(field, "max_length", None),
        allow_blank=not field.required,
        **common,
    )


def form_serializer(form_class, name: str, *, partial: bool = False, **form_kwargs):
    """A serializer class describing ``form_class``'s fields (the OpenAPI request body).

    ``partial`` makes every field optional (a PATCH). Call it once, at import.
    """
    fields = {}
    for field_name, field in form_class(**form_kwargs).fields.items():
        described = _schema_field(field)
        if partial:
            described.required = False
        fields[field_name] = described
    return type(name, (serializers.Serializer,), fields)
