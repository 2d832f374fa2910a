"""Fixtures of the vendor questionnaire tests (the steps themselves: questionnaire_helpers.py)."""

import pytest

from incidents.models import Questionnaire
from incidents.services import questionnaires as services
from tests.factories import VendorContactFactory
from tests.incidents.questionnaire_helpers import OTHER_EMAIL, SECURITY_EMAIL, draft


@pytest.fixture
def vendor_contacts(breached_vendor):
    """The vendor's security contact, and another contact (escalations reach them too)."""
    security = VendorContactFactory(
        vendor=breached_vendor, name="Sam Secure", email=SECURITY_EMAIL, is_security_contact=True
    )
    other = VendorContactFactory(
        vendor=breached_vendor, name="Ola Owner", email=OTHER_EMAIL, is_security_contact=False
    )
    return security, other


@pytest.fixture
def sent(incident, commander, legal, vendor_contacts) -> Questionnaire:
    """The default questionnaire, drafted by the commander, approved by Legal, sent."""
    questionnaire = draft(incident, commander)
    services.questionnaire_approve(questionnaire=questionnaire, actor=legal)
    services.questionnaire_send(questionnaire=questionnaire, actor=commander)
    questionnaire.refresh_from_db()
    return questionnaire
