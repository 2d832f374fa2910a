"""Rendering notices from the admin-edited templates, strictly.

Email templates run on their own template engine: no loaders (so no
``{% include %}`` of files), and an unknown variable renders as a marker that
we detect, so a typo in ``{{ incident_refrence }}`` is refused when the
template is saved instead of sending a notice with a hole in it.
"""

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

_UNKNOWN = "\x00unknown-variable:%s\x00"
_ENGINE = Engine(string_if_invalid=_UNKNOWN, autoescape=False, loaders=[])

# Long enough for any real notice; a body of megabytes is a paste gone wrong.
MAX_BODY_LENGTH = 50_000
MAX_SUBJECT_LENGTH = 200

# Every variable a template may use, with what it holds; shown to admins.
CONTEXT_VARIABLES = {
    "incident_reference": _("The incident's reference, e.g. INC-2026-0001."),
    "incident_title": _("The incident's title."),
    "vendor": _("The breached vendor(s), by name."),
    "phase": _("The incident's current phase."),
    "severity": _("SEV1 to SEV4."),
    "data_categories": _("Affected data categories in words, e.g. “personal data, health data”."),
    "jurisdictions": _("Where affected people live, e.g. “Germany, France”."),
    "records_affected": _("Records affected, as known so far."),
    "recipient_name": _("Whom the message is addressed to."),
    "stakeholder_name": _("The organisation being notified."),
    "deadline": _("The deadline that applies, in words; may be empty."),
    "ack_url": _("The acknowledgement link (external notices only; empty otherwise)."),
    "engagement": _("The engagement concerned (engagement-paused notices)."),
    "reason": _("The reason given for the action (engagement-paused notices)."),
    "commander": _("The incident commander's name."),
}

SAMPLE_CONTEXT = {
    "incident_reference": "INC-2026-0001",
    "incident_title": "Vendor breach reported in the press",
    "vendor": "Parallax Data Services",
    "phase": "Scoping",
    "severity": "SEV1",
    "data_categories": "personal data, health data",
    "jurisdictions": "Germany, France",
    "records_affected": "48,000",
    "recipient_name": "Mira Albrecht",
    "stakeholder_name": "Helix Health Research GmbH",
    "deadline": "within 48 hours of awareness (by 27 Nov 2026, 09:40 UTC)",
    "ack_url": "https://breachdesk.example.com/ack/sample/",
    "engagement": "RLHF annotation programme",
    "reason": "Vendor breach under investigation",
    "commander": "Casey Commander",
}


class NoticeTemplateError(ValueError):
    """A template that cannot produce a notice; the message says why, in words."""


def render_notice(subject_template: str, body_template: str, context: dict) -> tuple[str, str]:
    """The subject line and plain-text body for ``context``."""
    subject = " ".join(_render(subject_template, context, _("subject")).split())
    body = _render(body_template, context, _("body")).strip()
    if not subject:
        raise NoticeTemplateError(_("The subject is empty once rendered."))
    return subject, body


def _render(source: str, context: dict, part: str) -> str:
    try:
        rendered = _ENGINE.from_string(source).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise NoticeTemplateError(
            _("The %(part)s has a template error: %(error)s") % {"part": part, "error": exc}
        ) from None
    except TemplateDoesNotExist as exc:
        raise NoticeTemplateError(
            _("The %(part)s includes “%(name)s”; email templates cannot include files.")
            % {"part": part, "name": exc}
        ) from None
    except Exception as exc:  # a filter or tag that raised: refuse, with its words
        raise NoticeTemplateError(
            _("The %(part)s could not be rendered: %(error)s") % {"part": part, "error": exc}
        ) from None
    if "\x00unknown-variable:" in rendered:
        unknown = sorted(
            {chunk.split("\x00", 1)[0] for chunk in rendered.split("\x00unknown-variable:")[1:]}
        )
        raise NoticeTemplateError(
            _("The %(part)s uses unknown variable(s): %(names)s. Known: %(known)s.")
            % {"part": part, "names": ", ".join(unknown), "known": ", ".join(CONTEXT_VARIABLES)}
        )
    return rendered


def check_template(subject_template: str, body_template: str) -> None:
    """Raises ValidationError unless the template renders with every documented variable."""
    try:
        render_notice(subject_template, body_template, SAMPLE_CONTEXT)
    except NoticeTemplateError as exc:
        raise ValidationError(str(exc)) from None


def notice_html(*, body_text: str, ack_url: str, incident_reference: str) -> str:
    """The HTML part: the same words, laid out for mail clients. No images, no tracking."""
    return render_to_string(
        "emails/notice.html",
        {"body_text": body_text, "ack_url": ack_url, "incident_reference": incident_reference},
    )
