"""Every field of every form, fed the hostile corpus: never a 500, nothing saved with an error shown,
no payload rendered unescaped.

The forms are found, not listed: every URL of the URLconf that accepts POST
is mapped to the form classes its view (and the view's helpers in the same
module) names. A new URL that accepts POST with no form found and no entry
in ``FORMLESS`` fails ``test_every_post_url_has_its_forms_found``.

Each (URL, form, field) is one test: every corpus value goes into that field
while the other fields keep valid values, as a persona allowed to use the
form, each post in a savepoint rolled back afterwards so that every value
meets the same state. The demo database is seeded once for the module.
"""

import contextlib
import inspect
import re
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import override_settings
from django.urls import get_resolver, reverse

from tests.conftest import FROZEN_NOW, build_scripted
from tests.hostile.corpus import DANGEROUS_MARKUP, GROUPS
from tests.test_access_by_url import _walk, url_for

pytestmark = pytest.mark.django_db

# URLs that accept POST without any field to fill: a button, a sign-out, an import
# whose form is a file (fed to the corpus by test_import_hostile.py).
FORMLESS = {
    "logout": "a button",
    "calendar-key": "a button that rotates the key",
    "two-factor-recovery-codes": "a button that makes new recovery codes",
    "ack": "a partner's Confirm button; its only input is the signed token in the URL",
    "incidents:member-remove": "a button",
    "incidents:task-complete": "a button",
    "incidents:task-reopen": "a button",
    "incidents:notifications-draft": "a button",
    "incidents:notifications-send": "a button",
    "incidents:notifications-follow-up": "a button",
    "incidents:notification-approve": "a button",
    "incidents:notification-retry": "a button",
    "incidents:deadlines-recompute": "a button",
    "vendors:contact-delete": "a button",
    "vendors:stakeholder-contact-delete": "a button",
    "vendors:engagement-access-delete": "a button",
    "incidents:evidence-download": "a button: records who takes a copy, then streams the file",
    "incidents:questionnaire-approve": "a button",
    "incidents:questionnaire-send": "a button",
    "incidents:questionnaire-accept-aware": "a button: takes the vendor's own answer",
    "vendors:import": "a CSV file and a kind: tests/hostile/test_import_hostile.py",
    "vendors:import-confirm": "the preview's token: tests/hostile/test_import_hostile.py",
}

# Who posts: the demo incident's commander on its pages, staff on the inventory and
# the account; Legal marks notes privileged and waives or resumes alongside command.
PERSONA = {
    "incidents:note-add": "legal",
    "incidents:deadline-waive": "legal",
    "incidents:pause-approve-resume": "legal",
    "incidents:legal-hold": "legal",
}

# Forms a view names that are not what is posted to it: the page's other forms, shown again.
NOT_POSTED = {("vendors:engagement-access-add", "EngagementForm")}


# --- discovery --------------------------------------------------------------------------------


HTTP_METHODS = {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _closure_methods(view) -> list[str] | None:
    """The methods ``require_http_methods`` (or ``require_POST``…) allows, None when unlimited."""
    while view is not None:
        for cell in view.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value and set(value) <= HTTP_METHODS:
                return value
        view = getattr(view, "__wrapped__", None)
    return None


def accepts_post(view) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    methods = _closure_methods(view)
    return methods is None or "POST" in methods


def _innermost(view):
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def _named_forms(code, module_globals) -> tuple[list[type[forms.BaseForm]], list]:
    """The form classes ``code`` names, and the module's functions it calls."""
    found, helpers = [], []
    codes = [code, *(c for c in code.co_consts if inspect.iscode(c))]
    for each in codes:
        for name in each.co_names:
            value = module_globals.get(name)
            if inspect.isclass(value) and issubclass(value, forms.BaseForm):
                if value not in found:
                    found.append(value)
            elif inspect.isfunction(value):
                helpers.append(_innermost(value))
    return found, helpers


def forms_of(view) -> list[type[forms.BaseForm]]:
    """The form classes a view uses: those it names, else those its module's helpers name.

    A view that names its form (``DeadlineMetForm(request.POST)``) posts to
    that one; the helpers it calls may also build the page's other, empty
    forms. A view that names none builds it in a helper (``_scope_form``).
    """
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        form_class = getattr(view_class, "form_class", None)
        return [form_class] if form_class else []
    function = _innermost(view)
    module_globals = function.__globals__
    found, helpers = _named_forms(function.__code__, module_globals)
    seen = {function}
    while not found and helpers:
        helper = helpers.pop()
        if helper in seen or helper.__module__ != function.__module__:
            continue
        seen.add(helper)
        named, more = _named_forms(helper.__code__, module_globals)
        found.extend(form for form in named if form not in found)
        helpers.extend(more)
    return found


def post_urls() -> dict[str, object]:
    """Every named non-admin URL that accepts POST, with its view.

    The REST API's (``api:``) take JSON through the same forms; the corpus
    reaches them in tests/api/test_api_hostile.py.
    """
    return {
        name: pattern.callback
        for name, pattern in _walk(get_resolver().url_patterns)
        if name and not name.startswith(("admin:", "api:")) and accepts_post(pattern.callback)
    }


def cases() -> list[tuple[str, type, str]]:
    found = []
    for name, view in post_urls().items():
        for form_class in forms_of(view):
            if (name, form_class.__name__) in NOT_POSTED:
                continue
            for field in form_class.base_fields:
                found.append((name, form_class, field))
    return found


CASES = cases()


# --- valid values for the fields not under attack ---------------------------------------------


def _valid(scripted) -> dict[str, dict[str, str]]:
    """Per URL, values that pass (or are not what the test is about) for named fields."""
    from breachdesk.models import User
    from incidents.models import IncidentMember
    from vendors.models import DataAsset, Stakeholder, Vendor

    users = {user.username: user for user in User.objects.all()}
    incident = scripted.incident
    working = IncidentMember.objects.filter(incident=incident).exclude(role="viewer")
    return {
        "*": {
            "commander": str(users["commander"].pk),
            "vendors": str(Vendor.objects.order_by("pk").first().pk),
            "stakeholders": str(Stakeholder.objects.order_by("pk").first().pk),
            "data_assets": str(DataAsset.objects.order_by("pk").first().pk),
            "relationship_owner": str(users["commander"].pk),
            "owner": str(users["commander"].pk),
            "assignee": str(working.first().user_id),
            "email": "security@example.com",
            "recipient_email": "security@example.com",
            "jurisdictions": "DE, FR",
            "subject_jurisdictions": "DE",
            "time_zone": "Europe/Berlin",
            "to_phase": incident.next_phase or "",
            "filed_at": "2026-03-02T08:00",
        },
        "incidents:member-add": {"user": str(users["other-commander"].pk)},
        "incidents:questionnaires": {"vendor": str(incident.vendors.get().pk)},
        "incidents:scope-mark": {"status": "suspected"},
        # A task is due after we became aware of the incident.
        "incidents:task-add": {
            "due_at": (incident.discovered_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        },
        "incidents:scope-mark-all": {"status": "suspected"},
        "password_change": {
            "old_password": "",
            "new_password1": "a-long-new-passphrase-41",
            "new_password2": "a-long-new-passphrase-41",
        },
    }


def _prefixed(url_name: str, data: dict, scripted) -> dict:
    """The whole scope review names each row's fields ``asset-<id>-…``; one row is posted."""
    if url_name != "incidents:scope-mark-all":
        return data
    from incidents import selectors

    # The other rows as the page shows them, unchanged.
    rows = {}
    for asset, item in selectors.scope_rows(incident=scripted.incident):
        current = {
            "status": item.status if item else "",
            "records_affected": ""
            if item is None or item.records_affected is None
            else item.records_affected,
            "note": item.note if item else "",
        }
        rows.update({f"asset-{asset.pk}-{name}": value for name, value in current.items()})
    target = scripted.ids["asset_id"]
    return {**rows, **{f"asset-{target}-{name}": value for name, value in data.items()}}


def valid_value(field: forms.Field, name: str, url_name: str, valid: dict) -> str:
    if name in valid.get(url_name, {}):
        return valid[url_name][name]
    if name in valid["*"]:
        return valid["*"][name]
    if isinstance(field, forms.FileField):
        # A fresh upload per post (a file is read once); names and contents are
        # attacked by tests/incidents/test_evidence.py.
        return SimpleUploadedFile(
            "notice.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        )
    if isinstance(field, forms.UUIDField):
        return str(uuid.uuid4())
    if isinstance(field, forms.BooleanField):
        return ""
    if isinstance(field, forms.IntegerField):
        return "48"
    if isinstance(field, forms.DateTimeField):
        return "2026-02-20T10:00"
    if isinstance(field, forms.DateField):
        return "2026-01-15"
    if isinstance(field, forms.ModelChoiceField):
        first = field.queryset.order_by("pk").first()
        return str(first.pk) if first else ""
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices if value not in ("", None)]
        return values[0] if values else ""
    if isinstance(field, forms.EmailField):
        return "security@example.com"
    return f"Valid {name}"


# --- the database fingerprint and the escaping check -------------------------------------------

DOMAIN_APPS = ("breachdesk", "incidents", "vendors")


def _fingerprint_sql() -> str:
    parts = []
    for app in DOMAIN_APPS:
        for model in apps.get_app_config(app).get_models():
            quote = connection.ops.quote_name
            table = quote(model._meta.db_table)
            pk = quote(model._meta.pk.column)
            names = {field.name: field.column for field in model._meta.concrete_fields}
            # Every branch of the UNION as text: PostgreSQL matches column types
            # across branches, and has no MAX of a UUID.
            largest = (
                f"CAST(MAX({pk}) AS TEXT)"
                if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField")
                else f"MAX(CAST({pk} AS TEXT))"
            )
            updated = (
                f"CAST(MAX({quote(names['updated_at'])}) AS TEXT)"
                if "updated_at" in names
                else "CAST(NULL AS TEXT)"
            )
            # Names from the models' own metadata, quoted; nothing typed by a user.
            select = f"SELECT '{model._meta.label}', COUNT(*), {largest}, {updated} FROM {table}"  # noqa: S608
            parts.append(select)
    return " UNION ALL ".join(parts)


def fingerprint() -> list[tuple]:
    """Row count, largest id and latest ``updated_at`` of every domain table, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return cursor.fetchall()


def unescaped(payload: str, text: str) -> bool:
    return payload in DANGEROUS_MARKUP and payload in text


def _html(response) -> str:
    if "html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode(errors="replace")


def _errors_shown(response) -> str:
    """The error messages a page shows, for a failure's explanation."""
    html = response.content.decode(errors="replace")
    found = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', html, flags=re.S)
    return f"{response.status_code}: {[' '.join(text.split()) for text in found]}"


def email_html(message) -> str:
    return "".join(
        content for content, mimetype in getattr(message, "alternatives", []) if "html" in mimetype
    )


# Groups whose values each take their own path even when the field treats them alike:
# markup (escaping), control characters (NUL in PostgreSQL, XML, PDF), injection
# (CR/LF in email headers, formula cells in exports).
EVERY_VALUE = {"markup", "control", "injection"}


def _carries_text(cleaned) -> bool:
    """Whether a cleaned value still holds text as typed (a string, or strings in a list)."""
    if isinstance(cleaned, str):
        return True
    if isinstance(cleaned, (list, tuple, set, frozenset)):
        return any(_carries_text(each) for each in cleaned)
    return False


def to_post(field: forms.Field) -> list[str]:
    """The corpus values worth a request to this field.

    Every value of the ``EVERY_VALUE`` groups is posted, and every value on
    which the field's ``clean`` fails with something other than a
    ValidationError. Of the other groups, one value per outcome of ``clean``
    (accepted, or refused with a given error code) is posted: the others take
    the same path through the view and the service, and a request costs tens
    of milliseconds, so that the module stays within a few minutes.

    An ``EVERY_VALUE`` value the field accepts as something other than text
    (a checkbox's True, a number, a date) is posted once per cleaned value:
    views read ``cleaned_data``, so no character of it goes further than the
    form (the timeline's PDF export rendered the same PDF for each of 47).
    A value refused is always posted: the page shows it back.
    """
    chosen, outcomes = [], set()
    for group, values in GROUPS.items():
        for value in values:
            try:
                cleaned = field.clean(value)
                outcome = ()
            except ValidationError as exc:
                outcome = tuple(sorted(error.code or "" for error in exc.error_list))
            except Exception:
                chosen.append(value)
                continue
            if group in EVERY_VALUE and outcome == () and not _carries_text(cleaned):
                outcome = ("accepted as", repr(cleaned))
            elif group in EVERY_VALUE:
                chosen.append(value)
                continue
            if (group, outcome) in outcomes:
                continue
            outcomes.add((group, outcome))
            chosen.append(value)
    return chosen


@contextmanager
def rolled_back():
    """Run a post in a savepoint that is rolled back, so the next value meets the same state."""
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The scripted demo, built once for the module inside a transaction rolled back at the end."""
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=fast_hashing, MEDIA_ROOT=media),
    ):
        atomic = transaction.atomic()
        # As Django's TestCase marks its class-wide atomic: durable blocks may nest in it.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            with time_machine.travel(FROZEN_NOW, tick=False):
                scripted = build_scripted()
            yield scripted
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _sign_in(client, url_name: str, scripted) -> None:
    from breachdesk.models import User

    default = "commander" if url_name.startswith("incidents:") else "staff"
    persona = PERSONA.get(url_name, default)
    user = scripted.personas.get(persona) or User.objects.get(username=persona)
    client.force_login(user)


def _url(url_name: str, scripted) -> str:
    """The URL, with ids of records in a state the form may change (a draft, an open task)."""
    from incidents.models import Deadline, Notification, Task

    incident = scripted.incident
    ids = dict(scripted.ids)
    draft = incident.notifications.filter(status=Notification.Status.DRAFT).first()
    if draft is not None:
        ids["notification_id"] = draft.pk
    ids["task_id"] = incident.tasks.filter(status=Task.Status.OPEN).first().pk
    pending = incident.deadlines.filter(status=Deadline.Status.PENDING).first()
    if pending is not None:
        ids["deadline_id"] = pending.pk
    # Withdraw a questionnaire not yet sent, so that the sent one's link stays open.
    unsent = incident.questionnaires.filter(status__in=["draft", "approved"]).order_by("pk")
    if url_name == "incidents:questionnaire-withdraw" and unsent.exists():
        ids["questionnaire_id"] = unsent.first().pk
    return url_for(url_name, ids)


def _after_pages(url_name: str, scripted) -> list[str]:
    """Pages that show what a post to ``url_name`` saved."""
    if url_name.startswith("incidents:"):
        return [
            url_for("incidents:detail", scripted.ids),
            url_for("incidents:timeline", scripted.ids),
        ]
    return []


@pytest.fixture(autouse=True)
def _no_flood_limit(settings):
    """The corpus is a flood from one questionnaire link by design; its limit has its own test."""
    settings.QUESTIONNAIRE_POSTS_PER_HOUR = 1_000_000


# --- the tests -----------------------------------------------------------------------------------


def test_every_post_url_has_its_forms_found():
    missing = [
        name for name, view in post_urls().items() if not forms_of(view) and name not in FORMLESS
    ]

    assert missing == [], "a URL accepts POST with no form found: add it to FORMLESS with why"


def test_formless_names_only_urls_that_accept_post_without_a_form():
    urls = post_urls()

    assert {name for name in FORMLESS if name not in urls or forms_of(urls[name])} == set()


def test_discovery_finds_a_form_used_through_a_helper():
    """The scope review builds its form in ``_scope_form``; discovery follows the call."""
    from incidents.forms import ScopeMarkForm

    assert forms_of(post_urls()["incidents:scope-mark"]) == [ScopeMarkForm]


def test_discovery_sees_get_only_urls_as_not_accepting_post():
    urls = post_urls()

    assert "incidents:detail" not in urls and "incidents:note-add" in urls


@pytest.mark.parametrize(
    ("url_name", "form_class", "field"),
    CASES,
    ids=[f"{name}-{form.__name__}-{field}" for name, form, field in CASES],
)
def test_hostile_value_in_field(
    client, seeded, django_capture_on_commit_callbacks, url_name, form_class, field
):
    scripted = seeded
    _sign_in(client, url_name, scripted)
    url = _url(url_name, scripted)
    valid = _valid(scripted)
    base = {
        name: valid_value(other, name, url_name, valid)
        for name, other in form_class.base_fields.items()
    }

    def post(payload, **headers):
        data = {**base, field: payload}
        if field != "submission_token" and "submission_token" in base:
            data["submission_token"] = str(uuid.uuid4())
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, _prefixed(url_name, data, scripted), headers=headers)

    values = to_post(form_class.base_fields[field])
    faults, pages = [], _after_pages(url_name, scripted)
    # Markup last, and kept: the pages afterwards must show it escaped. The rest
    # is rolled back, so that every value meets the same state.
    ordered = sorted(values, key=lambda value: value in DANGEROUS_MARKUP)
    for minute, payload in enumerate(ordered, start=1):
        kept = payload in DANGEROUS_MARKUP
        shown = repr(payload[:40])
        mail.outbox = []
        # Each post a minute later than the last, so that a row it updates shows
        # in the fingerprint's latest updated_at even though time stands still.
        later = time_machine.travel(FROZEN_NOW + timedelta(minutes=minute), tick=False)
        with later, contextlib.nullcontext() if kept else rolled_back():
            before = fingerprint()
            try:
                # As the page sends it (htmx: the panel or form that changed); the
                # kept markup as a browser without JavaScript does (whole pages).
                response = post(payload) if kept else post(payload, HX_Request="true")
            except Exception as exc:  # the test client re-raises what would be a 500
                faults.append(f"{shown}: {type(exc).__name__}: {exc}"[:300])
                continue
            status = response.status_code
            if status >= 500:
                faults.append(f"{shown}: {status}")
            elif 400 <= status < 500 and fingerprint() != before:
                faults.append(f"{shown}: {status} but the database changed")
            if unescaped(payload, _html(response)):
                faults.append(f"{shown}: rendered unescaped in the answer")
            if any(unescaped(payload, email_html(message)) for message in mail.outbox):
                faults.append(f"{shown}: unescaped in an email")
            if status in (301, 302, 303):
                pages.append(response["Location"])

    for page in dict.fromkeys(pages):
        html = _html(client.get(page))
        faults.extend(
            f"{payload!r}: unescaped on {page}" for payload in DANGEROUS_MARKUP if payload in html
        )

    assert faults == []


FORMS = list(dict.fromkeys((name, form) for name, form, _field in CASES))


@pytest.mark.parametrize(
    ("url_name", "form_class"), FORMS, ids=[f"{name}-{form.__name__}" for name, form in FORMS]
)
def test_the_valid_values_are_accepted(client, seeded, url_name, form_class):
    """The other fields' values pass, so each hostile value is what the form judges."""
    scripted = seeded
    _sign_in(client, url_name, scripted)
    valid = _valid(scripted)
    data = {
        name: valid_value(field, name, url_name, valid)
        for name, field in form_class.base_fields.items()
    }

    data.update(_from_the_session(client, url_name))

    response = client.post(_url(url_name, scripted), _prefixed(url_name, data, scripted))

    assert response.status_code < 400, _errors_shown(response)


def _from_the_session(client, url_name: str) -> dict:
    """Values only the page just shown can give: the code for the secret enrolment put in the session."""
    if url_name != "two-factor":
        return {}
    from django_otp.oath import TOTP

    from breachdesk.two_factor import ENROLMENT_KEY

    client.get(reverse(url_name))
    totp = TOTP(bytes.fromhex(client.session[ENROLMENT_KEY]))
    return {"code": f"{totp.token():06d}"}


def test_text_fields_get_every_markup_value():
    posted = to_post(forms.CharField(required=False))

    assert [value for value in GROUPS["markup"] if value not in posted] == []


def test_a_checkbox_gets_one_markup_value_per_meaning_not_every_one():
    field = forms.BooleanField(required=False)

    posted = [value for value in to_post(field) if value in GROUPS["markup"]]

    assert len(posted) < len(GROUPS["markup"])
    assert {field.clean(value) for value in posted} == {
        field.clean(value) for value in GROUPS["markup"]
    }


def test_a_value_the_field_refuses_is_always_posted():
    posted = to_post(forms.IntegerField(required=False))

    assert [value for value in GROUPS["markup"] if value not in posted] == []


def test_the_fingerprint_sees_a_row_added_and_a_row_changed(seeded):
    from vendors.models import Vendor

    before = fingerprint()
    with rolled_back():
        Vendor.objects.create(name="Fingerprint probe")
        added = fingerprint()
    with rolled_back(), time_machine.travel(FROZEN_NOW + timedelta(minutes=1), tick=False):
        vendor = Vendor.objects.order_by("pk").first()
        vendor.services = "changed"
        vendor.save()
        changed = fingerprint()

    assert added != before
    assert changed != before
