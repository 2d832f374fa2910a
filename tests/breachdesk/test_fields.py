"""The range-checked form fields every form builds on."""

from datetime import UTC, datetime, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from breachdesk.fields import IdChoiceField, IdMultipleChoiceField, MomentField, PlausibleDateField
from breachdesk.models import User
from tests.factories import UserFactory

HUGE_ID = "9223372036854775808"


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE_ID, "9" * 400, "0", "-1"])
def test_an_impossible_id_is_an_invalid_choice_without_a_query(value, django_assert_num_queries):
    field = IdChoiceField(
        queryset=User.objects.all(), error_messages={"invalid_choice": "Pick someone listed."}
    )

    with django_assert_num_queries(0), pytest.raises(ValidationError) as raised:
        field.clean(value)

    assert raised.value.messages == ["Pick someone listed."]


@pytest.mark.django_db
def test_a_real_id_is_still_chosen():
    person = UserFactory()

    assert IdChoiceField(queryset=User.objects.all()).clean(str(person.pk)) == person


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE_ID, "9" * 400, "0", "-1"])
def test_an_impossible_id_among_several_is_an_invalid_choice_without_a_query(
    value, django_assert_num_queries
):
    person = UserFactory()
    field = IdMultipleChoiceField(queryset=User.objects.all())

    with django_assert_num_queries(0), pytest.raises(ValidationError) as raised:
        field.clean([str(person.pk), value])

    assert raised.value.code == "invalid_choice"
    assert value in raised.value.messages[0]


@pytest.mark.django_db
def test_real_ids_among_several_are_still_chosen():
    people = [UserFactory(), UserFactory()]

    chosen = IdMultipleChoiceField(queryset=User.objects.all()).clean([p.pk for p in people])

    assert set(chosen) == set(people)


def _moment(**kwargs):
    return MomentField(input_formats=["%Y-%m-%dT%H:%M"], **kwargs)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01T00:00", "nothing before 1990"),
        ("1989-12-31T23:59", "nothing before 1990"),
        ("2100-01-01T00:00", "nothing after 2099"),
        ("9999-12-31T23:59", "nothing after 2099"),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
def test_a_time_outside_1990_to_2099_is_refused_as_typed_in_any_zone(zone, value, message):
    with timezone.override(zone), pytest.raises(ValidationError) as raised:
        _moment().clean(value)

    assert message in raised.value.messages[0]


@pytest.mark.parametrize("value", ["1990-01-01T00:00", "2099-12-31T23:59"])
def test_the_first_and_last_minutes_of_the_range_are_accepted(value):
    with timezone.override("Pacific/Kiritimati"):
        assert _moment().clean(value).year in (1990, 2099)


def test_an_event_in_the_future_gets_the_forms_own_message():
    field = _moment(
        latest=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        error_messages={"too_late": "Record when it happened."},
    )

    with timezone.override("UTC"), pytest.raises(ValidationError) as raised:
        field.clean("2026-01-01T00:01")

    assert raised.value.messages == ["Record when it happened."]


def test_the_picker_starts_in_1990():
    class Picker(forms.DateTimeInput):
        input_type = "datetime-local"

    assert MomentField(widget=Picker()).widget.attrs["min"] == "1990-01-01T00:00"


@pytest.mark.parametrize(
    ("value", "message"),
    [("0001-01-01", "before 1990"), ("1989-12-31", "before 1990"), ("2100-01-01", "after 2099")],
)
def test_a_date_outside_1990_to_2099_is_refused(value, message):
    with pytest.raises(ValidationError) as raised:
        PlausibleDateField().clean(value)

    assert message in raised.value.messages[0]


def test_a_date_in_range_is_kept():
    today = timezone.localdate()

    assert PlausibleDateField().clean((today + timedelta(days=400)).isoformat()) > today


class _PeopleForm(forms.Form):
    one = IdChoiceField(queryset=User.objects.order_by("username"))
    several = IdMultipleChoiceField(queryset=User.objects.order_by("username"))


@pytest.mark.django_db
@pytest.mark.services("postgres")
@pytest.mark.parametrize("name", ["one", "several"])
def test_choices_are_drawn_with_one_plain_query_not_a_server_side_cursor(name):
    UserFactory.create_batch(3)
    form = _PeopleForm()

    with CaptureQueriesContext(connection) as queries:
        html = str(form[name])

    assert html.count("<option") >= 3
    assert [q["sql"].split()[0] for q in queries] == ["SELECT"]
