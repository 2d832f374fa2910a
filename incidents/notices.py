"""Rendering notices from the admin-edited templates, strictly.

Email templates run on their own template engine. It knows only the few tags
and filters a notice needs (an allow-list, so nothing Django adds later slips
in): nothing that loops, includes or loads, prints debugging data, generates
text or pads to a width. An unknown variable renders as a marker that we
detect, so a typo in ``{{ incident_refrence }}`` is refused when the template
is saved instead of sending a notice with a hole in it. Templates, and what
they render to, are capped in length, so that neither an edit nor an
incident's data makes a notice of megabytes.
"""

from django.core.exceptions import ValidationError
from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import Lexer, Parser, Template
from django.template.loader import render_to_string
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from breachdesk.text import fit

_UNKNOWN = "\x00unknown-variable:%s\x00"

# Long enough for any real notice; a body of megabytes is a paste gone wrong.
MAX_BODY_LENGTH = 50_000
MAX_SUBJECT_LENGTH = 200
# The templates themselves: the subject as its model field allows; the default
# bodies are about a thousand characters, and this cap bounds the work of
# checking one.
MAX_SUBJECT_TEMPLATE_LENGTH = 300
MAX_BODY_TEMPLATE_LENGTH = 20_000

NOT_ALLOWED = gettext_lazy(
    "The %(part)s could not be rendered: it uses “%(markup)s”, which email templates cannot "
    "use (they cannot include files, load libraries, loop or generate text). "
    "Allowed tags: %(tags)s; filters: %(filters)s."
)
TEMPLATE_TOO_LONG = gettext_lazy(
    "The %(part)s template is %(length)s characters long; the limit is %(limit)s."
)
RENDERED_TOO_LONG = gettext_lazy(
    "The %(part)s comes out %(length)s characters long; the limit is %(limit)s."
)
LENGTH_OUT_OF_RANGE = gettext_lazy(
    "“%(filter)s” takes a length from 1 to %(limit)s; it was given “%(given)s”."
)

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
    "organisation": _("Our organisation's name (organisation profile)."),
    "questionnaire_url": _("The vendor's link to the questionnaire (questionnaire emails only)."),
    "public_contact": _("How a partner reaches us (organisation profile); may be empty."),
    "public_summary": _(
        "What happened, as partners may read it: the incident's public summary, never its "
        "internal title."
    ),
    "assets": _("The affected data assets that hold this partner's data, by name."),
    "engagement_status": _(
        "Whether we paused our work with the vendor, and when, from the incident's record."
    ),
    "scope_status": _("How far the review of what the vendor held has got, in a sentence."),
    "update_label": _("“Update 2”, “Update 3”… on a follow-up notice; empty on the first."),
    "incident_url": _(
        "The link to the incident in BreachDesk (internal messages only; empty for partners)."
    ),
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
    "organisation": "Northwind AI Ltd",
    "questionnaire_url": "https://breachdesk.example.com/q/sample/",
    "public_contact": "security@northwind.example",
    "public_summary": "An unauthorised party accessed the vendor's file storage on 24 November.",
    "assets": "RLHF preference dataset v3",
    "engagement_status": "We paused our work with the vendor on 25 Nov 2026, 10:00 UTC.",
    "scope_status": "Our review of what the vendor held is under way.",
    "update_label": "Update 2",
    "incident_url": "https://breachdesk.example.com/incidents/INC-2026-0001/",
}


class NoticeTemplateError(ValueError):
    """A template that cannot produce a notice; the message says why, in words."""


def _length_checked(truncate):
    """``truncate`` (value, length), refusing a length outside 1 … MAX_BODY_LENGTH."""

    def checked(value, length):
        try:
            number = int(length)
        except (TypeError, ValueError, OverflowError):
            number = 0
        if not 1 <= number <= MAX_BODY_LENGTH:
            raise NoticeTemplateError(
                LENGTH_OUT_OF_RANGE
                % {
                    "filter": truncate.__name__,
                    "limit": f"{MAX_BODY_LENGTH:,}",
                    "given": Truncator(str(length)).chars(20),
                }
            )
        return truncate(value, number)

    return checked


# The allow-list, of what notices need: a condition, a note for the next admin,
# and filters that shape a value to fit a sentence (every variable is a string,
# so ``default`` covers an empty one). Django's own implementations, with the
# truncation length bounded. Each tag comes with the tags that continue or end it.
_TAGS = {
    "if": (defaulttags.do_if, ("elif", "else", "endif")),
    "comment": (defaulttags.comment, ("endcomment",)),
}
_FILTERS = {
    "default": defaultfilters.default,
    "upper": defaultfilters.upper,
    "lower": defaultfilters.lower,
    "capfirst": defaultfilters.capfirst,
    "title": defaultfilters.title,
    "truncatechars": _length_checked(defaultfilters.truncatechars),
}

_LIBRARY = Library()
for _name, (_compile_function, _closings) in _TAGS.items():
    _LIBRARY.tag(_name, _compile_function)
for _name, _filter in _FILTERS.items():
    _LIBRARY.filter(_name, _filter)
_CLOSING_TAGS = {closing for _function, closings in _TAGS.values() for closing in closings}
_ALLOWED_IN_WORDS = {
    "tags": ", ".join(" … ".join((tag, *closings)) for tag, (_f, closings) in _TAGS.items()),
    "filters": ", ".join(_FILTERS),
}


class _NotAllowed(TemplateSyntaxError):
    """A tag or filter outside the allow-list; ``markup`` is how the template wrote it."""

    def __init__(self, markup: str):
        super().__init__(markup)
        self.markup = markup


class _NoticeParser(Parser):
    """Django's parser, saying which tag or filter is not allowed."""

    def invalid_block_tag(self, token, command, parse_until=None):
        # A stray {% endif %} is a slip in an allowed tag, which Django explains.
        if command not in _CLOSING_TAGS:
            raise self.error(token, _NotAllowed(f"{{% {command} %}}"))
        super().invalid_block_tag(token, command, parse_until)

    def find_filter(self, filter_name):
        if filter_name not in self.filters:
            raise _NotAllowed("|" + filter_name)
        return self.filters[filter_name]


class _NoticeTemplate(Template):
    """Django's template, parsed by ``_NoticeParser``."""

    def compile_nodelist(self):
        parser = _NoticeParser(
            Lexer(self.source).tokenize(),
            builtins=self.engine.template_builtins,
            origin=self.origin,
        )
        nodelist = parser.parse()
        self.extra_data = parser.extra_data
        return nodelist


class _NoticeEngine(Engine):
    """Django's engine with the allow-list as its only tags and filters."""

    # Engine puts Django's default libraries (for, include, load, debug, lorem,
    # ljust…) in front of any builtins it is given; this one starts from none.
    default_builtins = []

    def get_template_builtins(self, builtins):
        return [_LIBRARY]

    def from_string(self, template_code):
        return _NoticeTemplate(template_code, engine=self)


# No loaders either, so that nothing can reach a file.
_ENGINE = _NoticeEngine(string_if_invalid=_UNKNOWN, autoescape=False, loaders=[])


def render_notice(
    subject_template: str, body_template: str, context: dict, *, fit_subject: bool = False
) -> tuple[str, str]:
    """The subject line and plain-text body for ``context``.

    Raises NoticeTemplateError, saying why in words, when a template is too
    long, uses a tag or filter that is not allowed, cannot render or uses an
    unknown variable, or when the subject comes out empty or the subject or
    body comes out longer than its cap. With ``fit_subject`` (a real notice,
    whose names may be of any length) an over-long subject is cut to its cap
    with an ellipsis instead.
    """
    subject = " ".join(
        _render(subject_template, context, _("subject"), MAX_SUBJECT_TEMPLATE_LENGTH).split()
    )
    if not subject:
        raise NoticeTemplateError(_("The subject is empty once rendered."))
    if fit_subject:
        subject = fit(subject, MAX_SUBJECT_LENGTH)
    _check_length(subject, _("subject"), MAX_SUBJECT_LENGTH)
    body = _render(body_template, context, _("body"), MAX_BODY_TEMPLATE_LENGTH).strip()
    _check_length(body, _("body"), MAX_BODY_LENGTH)
    return subject, body


def _check_length(text: str, part: str, limit: int) -> None:
    if len(text) > limit:
        raise NoticeTemplateError(
            RENDERED_TOO_LONG % {"part": part, "length": f"{len(text):,}", "limit": f"{limit:,}"}
        )


def _render(source: str, context: dict, part: str, limit: int) -> str:
    if len(source) > limit:
        raise NoticeTemplateError(
            TEMPLATE_TOO_LONG % {"part": part, "length": f"{len(source):,}", "limit": f"{limit:,}"}
        )
    try:
        rendered = _ENGINE.from_string(source).render(Context(context, autoescape=False))
    except _NotAllowed as exc:
        raise NoticeTemplateError(
            NOT_ALLOWED % {"part": part, "markup": exc.markup, **_ALLOWED_IN_WORDS}
        ) from None
    except TemplateSyntaxError as exc:
        raise NoticeTemplateError(
            _("The %(part)s has a template error: %(error)s") % {"part": part, "error": exc}
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
