"""The form renderer: Django's own widget templates, compiled by Jinja2.

Forms and filters render through a dozen small templates per field (the
field, its label, the widget, its attributes, each ``<option>``). With the
Django template engine those cost about 0.6 ms a form (1.4 ms under the
test client's instrumentation), 10 to 15 ms of every incident page and list;
Django ships the same templates for Jinja2, which renders them several times
faster. A template that exists only for the Django engine (the admin's
widgets, django-filter's range widget before ours) falls back to it, so
every form still renders.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """Jinja2's copy of a form template when there is one, else the Django engine's."""

    def __init__(self):
        self.jinja2 = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
