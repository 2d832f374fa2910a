"""Admin-edited email templates are refused on save when they cannot render."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.models import EmailTemplate
from incidents.notices import CONTEXT_VARIABLES, SAMPLE_CONTEXT, render_notice

pytestmark = pytest.mark.django_db


def test_every_kind_has_a_default_template_that_renders():
    for template in EmailTemplate.objects.all():
        template.full_clean()
        subject, body = render_notice(template.subject, template.body, SAMPLE_CONTEXT)
        assert subject and body

    assert EmailTemplate.objects.count() == len(EmailTemplate.Kind.values)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{{ incident_refrence }}", "unknown variable(s): incident_refrence"),
        ("{% if %}", "template error"),
        ('{% include "base.html" %}', "cannot include files"),
        ("{{ incident_reference|divisibleby:2 }}", "could not be rendered"),
    ],
)
def test_a_template_that_cannot_render_is_refused_with_the_reason(body, words):
    template = EmailTemplate.objects.get(kind="partner_notice")
    template.body = body

    with pytest.raises(ValidationError) as caught:
        template.full_clean()

    assert words in str(caught.value)


def test_the_admin_refuses_a_broken_template_and_keeps_the_old_one(admin_client):
    template = EmailTemplate.objects.get(kind="reminder")
    before = template.body

    response = admin_client.post(
        reverse("admin:incidents_emailtemplate_change", args=[template.pk]),
        {"subject": "Reminder {{ deadline }}", "body": "Hello {{ recipent_name }}"},
    )

    assert response.status_code == 200
    assert "unknown variable(s): recipent_name" in response.content.decode()
    template.refresh_from_db()
    assert template.body == before


def test_the_admin_lists_the_variables_a_template_may_use(admin_client):
    template = EmailTemplate.objects.get(kind="reminder")

    html = admin_client.get(
        reverse("admin:incidents_emailtemplate_change", args=[template.pk])
    ).content.decode()

    for name in CONTEXT_VARIABLES:
        assert f"{{{{ {name} }}}}" in html
