"""Admin-edited email templates are refused on save when they cannot render."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents import notices
from incidents.email_templates import DEFAULTS
from incidents.models import EmailTemplate
from incidents.notices import (
    CONTEXT_VARIABLES,
    SAMPLE_CONTEXT,
    NoticeTemplateError,
    render_notice,
)

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


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{% debug %}", "“{% debug %}”"),
        ("{% lorem 20000 p %}", "“{% lorem %}”"),
        ("{% load humanize %}{{ records_affected|intcomma }}", "“{% load %}”"),
        ("{% for name in incident_title %}{{ name }}{% endfor %}", "“{% for %}”"),
        ('{{ incident_title|ljust:"100000000" }}', "“|ljust”"),
        ("{% if phase %}{{ phase|center:9000000 }}{% endif %}", "“|center”"),
    ],
)
def test_a_tag_or_filter_outside_the_allow_list_is_refused_naming_it(body, named):
    template = EmailTemplate.objects.get(kind="partner_notice")
    template.body = body

    with pytest.raises(ValidationError) as caught:
        template.full_clean()

    assert f"The body could not be rendered: it uses {named}" in str(caught.value)


def test_a_refused_tag_comes_with_the_tags_and_filters_that_are_allowed():
    template = EmailTemplate.objects.get(kind="internal_update")
    template.subject = "{% now 'Y' %} {{ incident_reference }}"

    with pytest.raises(ValidationError) as caught:
        template.full_clean()

    assert (
        "Allowed tags: if … elif … else … endif, comment … endcomment; "
        "filters: default, upper, lower, capfirst, title, truncatechars."
    ) in str(caught.value)


def test_every_allowed_tag_and_filter_renders():
    subject = "{{ incident_title|truncatechars:12 }}"
    body = (
        "{% comment %}Admins' note: not sent.{% endcomment %}"
        "{% if deadline == 'none' %}no{% elif deadline %}{{ phase|upper }}{% else %}-{% endif %} "
        "{{ vendor|lower }} {{ severity|lower|capfirst }} {{ recipient_name|title }} "
        '{{ stakeholder_name|default:"Sir or Madam" }}'
    )
    context = {**SAMPLE_CONTEXT, "recipient_name": "mira albrecht", "stakeholder_name": ""}

    rendered = render_notice(subject, body, context)

    assert rendered == (
        "Vendor brea…",
        "SCOPING parallax data services Sev1 Mira Albrecht Sir or Madam",
    )


def test_truncatechars_refuses_a_length_out_of_range():
    template = EmailTemplate.objects.get(kind="internal_update")
    template.subject = '{{ incident_title|truncatechars:"100000000" }}'

    with pytest.raises(ValidationError) as caught:
        template.full_clean()

    assert "“truncatechars” takes a length from 1 to 50,000; it was given “100000000”." in str(
        caught.value
    )


def test_a_body_template_over_the_length_cap_is_refused():
    template = EmailTemplate.objects.get(kind="partner_notice")
    template.body = "x" * (notices.MAX_BODY_TEMPLATE_LENGTH + 1)

    with pytest.raises(ValidationError) as caught:
        template.full_clean()

    assert "The body template is 20,001 characters long; the limit is 20,000." in str(caught.value)


def test_a_body_that_renders_over_the_cap_is_refused_on_save_with_its_length():
    template = EmailTemplate.objects.get(kind="partner_notice")
    template.body = "{{ deadline }}\n" * 1_000
    rendered_length = len(SAMPLE_CONTEXT["deadline"]) * 1_000 + 999

    with pytest.raises(ValidationError) as caught:
        template.full_clean()

    assert f"The body comes out {rendered_length:,} characters long; the limit is 50,000." in str(
        caught.value
    )


def test_a_subject_that_renders_over_the_cap_is_refused_on_save_with_its_length():
    template = EmailTemplate.objects.get(kind="reminder")
    template.subject = "{{ deadline }} {{ deadline }} {{ deadline }} {{ deadline }}"
    rendered_length = len(SAMPLE_CONTEXT["deadline"]) * 4 + 3

    with pytest.raises(ValidationError) as caught:
        template.full_clean()

    assert f"The subject comes out {rendered_length} characters long; the limit is 200." in str(
        caught.value
    )


def test_a_notice_whose_values_make_the_body_too_long_is_refused_when_composed():
    template = EmailTemplate.objects.get(kind="engagement_paused")
    context = {**SAMPLE_CONTEXT, "reason": "Because. " * 6_000}

    with pytest.raises(NoticeTemplateError) as caught:
        render_notice(template.subject, template.body, context)

    assert "the limit is 50,000" in str(caught.value)


@pytest.mark.parametrize("kind", EmailTemplate.Kind.values)
def test_a_default_subject_stays_under_the_cap_however_long_the_values(kind):
    subject_template, body_template = DEFAULTS[kind]
    # Names, titles and deadlines can be long; the reference, severity and phase are short.
    context = {name: "x" * 1_000 for name in CONTEXT_VARIABLES} | {
        name: SAMPLE_CONTEXT[name] for name in ("incident_reference", "severity", "phase")
    }

    subject, _body = render_notice(subject_template, body_template, context)

    assert len(subject) <= notices.MAX_SUBJECT_LENGTH


def test_the_admin_refuses_lorem_and_keeps_the_old_template(admin_client):
    template = EmailTemplate.objects.get(kind="reminder")
    before = template.body

    response = admin_client.post(
        reverse("admin:incidents_emailtemplate_change", args=[template.pk]),
        {"subject": "Reminder {{ deadline }}", "body": "{% lorem 20000 p %}"},
    )

    assert response.status_code == 200
    assert "it uses “{% lorem %}”, which email templates cannot use" in response.content.decode()
    template.refresh_from_db()
    assert template.body == before
