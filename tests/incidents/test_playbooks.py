import pytest

from incidents.models import Playbook
from incidents.playbooks import STEPS, ensure_default_playbook

pytestmark = pytest.mark.django_db


def test_a_new_database_has_the_default_vendor_breach_playbook():
    playbook = Playbook.objects.get(is_default=True)

    titles = list(playbook.steps.order_by("order").values_list("title", flat=True))
    assert titles == [step[1] for step in STEPS]
    assert titles[0] == "Confirm the report with the vendor's security contact"
    assert "Post-incident review" in titles


def test_ensure_default_playbook_restores_a_deleted_playbook():
    Playbook.objects.all().delete()

    playbook = ensure_default_playbook()

    assert playbook.is_default
    assert playbook.steps.count() == len(STEPS)


def test_ensure_default_playbook_keeps_an_edited_one():
    playbook = Playbook.objects.get(is_default=True)
    playbook.steps.first().delete()

    assert ensure_default_playbook().steps.count() == len(STEPS) - 1
