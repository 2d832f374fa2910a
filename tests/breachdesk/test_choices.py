"""Choice labels are read by a dictionary lookup (breachdesk/choices.py, issue 14).

Django's ``get_<field>_display`` hashes every lazy label of the field on each
call, translating each; the timeline's many entry kinds made that a tenth of
the workspace's time.
"""

from unittest import mock

import django.db.models.base
import pytest
from django.utils import translation

from incidents.models import Incident, TimelineEntry


def test_a_label_is_read_without_hashing_every_choice():
    entry = TimelineEntry(kind=TimelineEntry.Kind.NOTE_ADDED)

    with mock.patch.object(
        django.db.models.base, "make_hashable", wraps=django.db.models.base.make_hashable
    ) as hashing:
        label = entry.get_kind_display()

    assert label == TimelineEntry.Kind.NOTE_ADDED.label
    hashing.assert_not_called()


@pytest.mark.parametrize("phase", list(Incident.Phase))
def test_every_choice_reads_as_its_label(phase):
    assert Incident(phase=phase).get_phase_display() == phase.label


def test_a_value_outside_the_choices_reads_as_itself():
    assert Incident(phase="no-such-phase").get_phase_display() == "no-such-phase"


def test_the_label_is_a_plain_string_in_the_active_language():
    with translation.override("en"):
        label = Incident(severity=Incident.Severity.SEV1).get_severity_display()

    assert type(label) is str
    assert label == str(Incident.Severity.SEV1.label)
