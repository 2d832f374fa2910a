"""The form renderer: Django's own widget templates, compiled by Jinja2.

Forms and filters render through a dozen small templates per field (the
field, its label, the widget, its attributes, each ``<option>``). With the
Django template engine those cost about 0.6 ms a form (1.4 ms under the
test client's instrumentation), 7 ms of the incident page's CPU; Django
ships the same templates for Jinja2, which renders them several times
faster. A template that exists only for the Django engine (the admin's
widgets) falls back to it, so every form still renders.

Values are escaped by Django's ``conditional_escape``, not by Jinja2's
autoescape, which writes quotes differently (``&#34;`` for ``&quot;``): the
markup is the Django engine's, character for character, but for blank lines.
"""

from pathlib import Path

import django.forms
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.template import TemplateDoesNotExist
from django.template.backends.jinja2 import Jinja2
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from jinja2 import Environment


def environment(**options) -> Environment:
    """Jinja2 that escapes every ``{{ }}`` as the Django engine does; safe values stay safe."""
    options["autoescape"] = False
    # Not unescaped: finalize runs Django's escaping on every value instead.
    return Environment(finalize=conditional_escape, **options)  # noqa: S701


class FormRenderer(BaseRenderer):
    """Jinja2's copy of a form template when there is one, else the Django engine's."""

    def __init__(self):
        self.django = DjangoTemplates()

    @cached_property
    def jinja2(self) -> Jinja2:
        return Jinja2(
            {
                "APP_DIRS": True,
                "DIRS": [Path(django.forms.__file__).parent / "jinja2"],
                "NAME": "djangoforms",
                "OPTIONS": {"environment": "breachdesk.form_renderer.environment"},
            }
        )

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
