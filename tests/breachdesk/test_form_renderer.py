"""Forms render Django's form templates through Jinja2, and the rest through the Django engine.

The renderer is there for speed (issue 14); what a person sees must not
change, so a filter's widgets come out as the Django engine writes them
(escaping included; only blank lines differ),
and a widget whose template exists only for the Django engine (the admin's)
still renders.
"""

import pytest
from django.forms.renderers import DjangoTemplates
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.urls import reverse

from breachdesk.form_renderer import FormRenderer
from incidents.filters import IncidentFilter
from incidents.models import Incident


def _without_blank_lines(field) -> str:
    return "\n".join(line for line in str(field).splitlines() if line.strip())


def test_a_form_template_django_ships_for_jinja2_renders_with_jinja2():
    template = FormRenderer().get_template("django/forms/widgets/select.html")

    assert isinstance(template, Jinja2Template)


def test_a_widget_template_only_the_django_engine_has_falls_back_to_it():
    template = FormRenderer().get_template("admin/widgets/foreign_key_raw_id.html")

    assert isinstance(template, DjangoTemplate)


@pytest.mark.django_db
def test_the_incident_filters_render_as_the_django_engine_renders_them():
    data = {"aware_after": "2026-01-02", "aware_before": "<script>", "q": '"quoted" & <b>'}
    jinja2 = IncidentFilter(data, queryset=Incident.objects.all()).form
    django = IncidentFilter(data, queryset=Incident.objects.all()).form
    django.renderer = DjangoTemplates()

    for field in ("aware", "q", "state", "severity", "commander", "overdue", "sort"):
        assert _without_blank_lines(jinja2[field]) == _without_blank_lines(django[field])


@pytest.mark.django_db
def test_the_admin_still_renders_its_own_widgets(admin_client, incident):
    response = admin_client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))

    assert response.status_code == 200
