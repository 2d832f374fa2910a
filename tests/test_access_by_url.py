"""Every URL of the URLconf, for every kind of visitor: who may see what, and no GET writes.

The URL list comes from the URLconf itself: a new URL that this table does
not name fails ``test_every_url_has_an_access_rule``. Each rule says what the
URL is for; ``expected`` turns a rule, a visitor and whether that visitor may
see the incident into the answers allowed. Actions themselves (what a POST
does for someone allowed) are tested beside their services; here a POST is
sent only where it must be refused.
"""

import re
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# --- the rules ----------------------------------------------------------------------------

PUBLIC = "public"  # no sign-in: health check, sign-in page, a partner's acknowledgement
ACCOUNT = "account"  # anyone signed in, even with no role: dashboard, preferences, password
ACCOUNT_POST = "account-post"  # POST only; sign-out, new recovery codes
# The code after the password: only with a sign-in under way (else to sign in, or home).
SIGN_IN_STEP = "sign-in-step"
SSO = "sso"  # single sign-on's start and callback: 404 while it is off, as here
ROLE_POST = "role-post"  # POST only, any role: rotating one's calendar key
ROLE = "role"  # anyone in a role
COMMANDERS = "commanders"  # opening an incident
FEED_ALL = "feed-all"  # the personal calendar feed (a key, or the signed-in user)
INCIDENT = "incident"  # a page of one incident: the need-to-know gate
INCIDENT_FEED = "incident-feed"  # one incident's calendar feed
INCIDENT_FORM = "incident-form"  # GET shows a form, POST acts
INCIDENT_POST = "incident-post"  # POST only
# A form for those who command the incident only (add a task, the public
# summary): the gate first, then 403 for everyone else who may see it.
INCIDENT_COMMAND_FORM = "incident-command-form"
# Read by those who command the incident only (a picker's people search):
# the gate first, then 403; asked here without ``?for=``, so 422 at best.
INCIDENT_COMMAND_READ = "incident-command-read"
VENDOR_INCIDENTS = "vendor-incidents"  # a vendor's incidents, each under the gate
REPORT = "report"  # a prepared PDF report: only the person who asked for it (Legal here)
INVENTORY_READ = "inventory-read"
INVENTORY_EXPORT = "inventory-export"
INVENTORY_EDIT = "inventory-edit"  # GET shows a form, POST changes
INVENTORY_POST = "inventory-post"  # POST only
ADMIN = "admin"

RULES = {
    "healthz": PUBLIC,
    "ack": PUBLIC,
    "questionnaire-answer": PUBLIC,
    "login": PUBLIC,
    "login-code": SIGN_IN_STEP,
    "oidc_authentication_init": SSO,
    "oidc_authentication_callback": SSO,
    "two-factor": ACCOUNT,
    "two-factor-recovery-codes": ACCOUNT_POST,
    "home": ACCOUNT,
    "preferences": ACCOUNT,
    "password_change": ACCOUNT,
    "password_change_done": ACCOUNT,
    "logout": ACCOUNT_POST,
    "calendar-key": ROLE_POST,
    "api-token-new": ROLE_POST,
    "api-token-revoke": ROLE_POST,
    "whatif": ROLE,
    "clock-rules": ROLE,
    "deadlines-ics": FEED_ALL,
    "incidents:list": ROLE,
    "incidents:list-csv": ROLE,
    "incidents:create": COMMANDERS,
    "incidents:vendor-incidents": VENDOR_INCIDENTS,
    "incidents:detail": INCIDENT,
    "incidents:scope": INCIDENT,
    "incidents:timeline": INCIDENT,
    "incidents:timeline-verify": INCIDENT,
    "incidents:deadline": INCIDENT,
    "incidents:deadlines-ics": INCIDENT_FEED,
    "incidents:task-skip": INCIDENT_FORM,
    "incidents:task-add": INCIDENT_COMMAND_FORM,
    "incidents:public-summary": INCIDENT_COMMAND_FORM,
    "incidents:notification": INCIDENT_FORM,
    "incidents:timeline-export-json": INCIDENT_FORM,
    "incidents:timeline-export-csv": INCIDENT_FORM,
    "incidents:timeline-export-pdf": INCIDENT_FORM,
    "incidents:timeline-report": REPORT,
    "incidents:timeline-report-download": REPORT,
    "incidents:evidence": INCIDENT_FORM,
    "incidents:evidence-download": INCIDENT_POST,
    "incidents:evidence-delete": INCIDENT_POST,
    "incidents:legal-hold": INCIDENT_POST,
    "incidents:phase": INCIDENT_POST,
    "incidents:reopen": INCIDENT_POST,
    "incidents:severity": INCIDENT_POST,
    "incidents:commander": INCIDENT_POST,
    "incidents:note-add": INCIDENT_POST,
    "incidents:member-add": INCIDENT_POST,
    "incidents:people": INCIDENT_COMMAND_READ,
    "incidents:member-role": INCIDENT_POST,
    "incidents:member-remove": INCIDENT_POST,
    "incidents:task-complete": INCIDENT_POST,
    "incidents:task-reopen": INCIDENT_POST,
    "incidents:task-assign": INCIDENT_POST,
    "incidents:pause": INCIDENT_POST,
    "incidents:pause-approve-resume": INCIDENT_POST,
    "incidents:scope-mark": INCIDENT_POST,
    "incidents:scope-mark-all": INCIDENT_POST,
    "incidents:notifications-draft": INCIDENT_POST,
    "incidents:notifications-send": INCIDENT_POST,
    "incidents:notifications-follow-up": INCIDENT_POST,
    "incidents:notification-approve": INCIDENT_POST,
    "incidents:notification-retry": INCIDENT_POST,
    "incidents:decisions": INCIDENT_POST,
    "incidents:deadlines-recompute": INCIDENT_POST,
    "incidents:deadline-met": INCIDENT_POST,
    "incidents:deadline-waive": INCIDENT_POST,
    "incidents:questionnaires": INCIDENT_FORM,
    "incidents:questionnaire": INCIDENT,
    "incidents:questionnaire-approve": INCIDENT_POST,
    "incidents:questionnaire-send": INCIDENT_POST,
    "incidents:questionnaire-accept-aware": INCIDENT_POST,
    "incidents:questionnaire-follow-up": INCIDENT_POST,
    "incidents:questionnaire-withdraw": INCIDENT_POST,
    "vendors:list": INVENTORY_READ,
    "vendors:detail": INVENTORY_READ,
    "vendors:asset-list": INVENTORY_READ,
    "vendors:asset-detail": INVENTORY_READ,
    "vendors:stakeholder-list": INVENTORY_READ,
    "vendors:stakeholder-detail": INVENTORY_READ,
    "vendors:history": INVENTORY_READ,
    "vendors:import-template": INVENTORY_READ,
    "vendors:export": INVENTORY_EXPORT,
    "vendors:asset-export": INVENTORY_EXPORT,
    "vendors:engagement-export": INVENTORY_EXPORT,
    "vendors:create": INVENTORY_EDIT,
    "vendors:edit": INVENTORY_EDIT,
    "vendors:asset-create": INVENTORY_EDIT,
    "vendors:asset-edit": INVENTORY_EDIT,
    "vendors:stakeholder-create": INVENTORY_EDIT,
    "vendors:stakeholder-edit": INVENTORY_EDIT,
    "vendors:engagement-create": INVENTORY_EDIT,
    "vendors:engagement-edit": INVENTORY_EDIT,
    "vendors:contact-edit": INVENTORY_EDIT,
    "vendors:import": INVENTORY_EDIT,
    "vendors:contact-add": INVENTORY_POST,
    "vendors:contact-delete": INVENTORY_POST,
    "vendors:stakeholder-contact-add": INVENTORY_POST,
    "vendors:stakeholder-contact-delete": INVENTORY_POST,
    "vendors:engagement-access-add": INVENTORY_POST,
    "vendors:engagement-access-delete": INVENTORY_POST,
    "vendors:import-confirm": INVENTORY_POST,
}

# Which URL parameter takes which of the scripted ids, where the name alone is ambiguous.
SLUGS = {
    "vendors:asset-detail": "asset_slug",
    "vendors:asset-edit": "asset_slug",
    "vendors:stakeholder-detail": "stakeholder_slug",
    "vendors:stakeholder-edit": "stakeholder_slug",
    "vendors:stakeholder-contact-add": "stakeholder_slug",
    "vendors:stakeholder-contact-delete": "stakeholder_slug",
}
CONTACTS = {
    "vendors:stakeholder-contact-delete": "stakeholder_contact_id",
}
# The signed links: a partner's acknowledgement, a vendor's questionnaire.
TOKENS = {"questionnaire-answer": "questionnaire_token"}

# --- the visitors ---------------------------------------------------------------------------

PERSONAS = (
    "anonymous",
    "no_role",
    "viewer",
    "responder",
    "outsider",
    "legal",
    "commander_nonmember",
    "staff",
)
MEMBERS = {"viewer", "responder", "legal"}
VIEW_ALL = {"legal", "commander_nonmember", "staff"}
READS_INVENTORY = {"responder", "outsider", "legal", "commander_nonmember", "staff"}
EXPORTS_INVENTORY = {"legal", "commander_nonmember", "staff"}
CHANGES_INVENTORY = {"commander_nonmember", "staff"}
COMMANDS = {"commander_nonmember", "staff"}
# Who commands the scripted incident itself (staff command any incident they may see).
COMMANDS_SCRIPTED = {"staff"}


def may_see(persona: str, restricted: bool) -> bool:
    return persona in MEMBERS or (not restricted and persona in VIEW_ALL)


# --- the URL list, from the URLconf ----------------------------------------------------------


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, joined)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern
            else:
                yield None, pattern


def url_names() -> list[str]:
    names = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name is None:
            # Only the admin has unnamed patterns (its object redirect and catch-all).
            assert str(pattern.pattern) in ("<path:object_id>/", "(?P<url>.*)$"), pattern
            continue
        names.append(name)
    return names


def _admin_model(app_and_model: str):
    """The model of an admin URL name's ``<app label>_<model>`` (app labels may hold "_")."""
    for app_config in apps.get_app_configs():
        prefix = f"{app_config.label}_"
        if app_and_model.startswith(prefix):
            try:
                return app_config.get_model(app_and_model.removeprefix(prefix))
            except LookupError:
                continue
    raise LookupError(app_and_model)


def _admin_kwargs(name: str, pattern_keys: set[str]) -> dict:
    kwargs = {}
    match = re.fullmatch(r"admin:(\w+)_(changelist|add|history|delete|change)", name)
    if "object_id" in pattern_keys and match:
        model = _admin_model(match.group(1))
        first = model._default_manager.order_by("pk").first()
        kwargs["object_id"] = str(first.pk) if first else "0"
    if "pk" in pattern_keys:
        # django-otp's device pages (set-up link, QR code); no device exists here.
        kwargs["pk"] = "0"
    if name == "admin:auth_user_password_change":
        kwargs["id"] = str(apps.get_model("breachdesk", "User").objects.order_by("pk").first().pk)
    if name == "admin:view_on_site":
        incident = apps.get_model("incidents", "Incident").objects.first()
        kwargs["content_type_id"] = str(ContentType.objects.get_for_model(incident).pk)
        kwargs["object_id"] = str(incident.pk)
    if name == "admin:app_list":
        kwargs["app_label"] = "incidents"
    return kwargs


def url_for(name: str, ids: dict) -> str:
    pattern = dict(_walk(get_resolver().url_patterns))[name]
    keys = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
    if name.startswith("admin:"):
        return reverse(name, kwargs=_admin_kwargs(name, keys))
    values = {
        "reference": ids["reference"],
        "task_id": ids["task_id"],
        "member_id": ids["member_id"],
        "pause_id": ids["pause_id"],
        "asset_id": ids["asset_id"],
        "notification_id": ids["notification_id"],
        "deadline_id": ids["deadline_id"],
        "slug": ids[SLUGS.get(name, "vendor_slug")],
        "contact_id": ids[CONTACTS.get(name, "vendor_contact_id")],
        "pk": ids["engagement_id"],
        "access_id": ids["access_id"],
        "kind": "vendors",
        "token": ids[TOKENS.get(name, "ack_token")],
        "questionnaire_id": ids["questionnaire_id"],
        "report_id": ids["report_id"],
        "evidence_id": ids["evidence_id"],
    }
    return reverse(name, kwargs={key: values[key] for key in keys})


# --- what each visitor may get -------------------------------------------------------------

OK = {200}
TO_SIGN_IN = {302}
FORBIDDEN = {403}
HIDDEN = {404}
NOT_ALLOWED_METHOD = {405}


def expected_get(rule: str, persona: str, visible: bool, name: str) -> set[int]:
    """The answers a GET may get."""
    if rule == ADMIN:
        if persona == "staff":
            return set(range(200, 500)) - {401}
        # The admin's sign-in sends everyone to the one sign-in page (and its code step).
        return {302, 403, 405}
    if rule == SIGN_IN_STEP:
        return TO_SIGN_IN
    if rule == SSO:
        return HIDDEN
    if persona == "anonymous":
        if rule == PUBLIC:
            return {200, 503} if name == "healthz" else OK
        if rule in (FEED_ALL, INCIDENT_FEED):
            return HIDDEN
        return TO_SIGN_IN
    if rule == PUBLIC:
        return {200, 503} if name == "healthz" else OK
    if rule == ACCOUNT:
        return OK
    if rule == ACCOUNT_POST:
        return NOT_ALLOWED_METHOD
    if persona == "no_role":
        return FORBIDDEN
    if rule == ROLE_POST:
        return NOT_ALLOWED_METHOD
    if rule in (ROLE, FEED_ALL, VENDOR_INCIDENTS):
        return OK
    if rule == COMMANDERS:
        return OK if persona in COMMANDS else FORBIDDEN
    if rule in (INCIDENT, INCIDENT_FEED, INCIDENT_FORM):
        return OK if visible else HIDDEN
    if rule == INCIDENT_COMMAND_FORM:
        if not visible:
            return HIDDEN
        return OK if persona in COMMANDS_SCRIPTED else FORBIDDEN
    if rule == REPORT:
        return OK if visible and persona == "legal" else HIDDEN
    if rule == INCIDENT_POST:
        return NOT_ALLOWED_METHOD
    if rule == INCIDENT_COMMAND_READ:
        return {403, 422} if visible else HIDDEN
    if rule == INVENTORY_READ:
        return OK if persona in READS_INVENTORY else FORBIDDEN
    if rule == INVENTORY_EXPORT:
        return OK if persona in EXPORTS_INVENTORY else FORBIDDEN
    if rule == INVENTORY_EDIT:
        return OK if persona in CHANGES_INVENTORY else FORBIDDEN
    if rule == INVENTORY_POST:
        return NOT_ALLOWED_METHOD if persona in CHANGES_INVENTORY else FORBIDDEN
    raise AssertionError(f"no rule {rule}")


def refused_post(rule: str, persona: str, visible: bool) -> set[int] | None:
    """The answers a POST must get from someone refused; None where it may be allowed."""
    posts = (
        INCIDENT_FORM,
        INCIDENT_COMMAND_FORM,
        INCIDENT_POST,
        INVENTORY_EDIT,
        INVENTORY_POST,
        COMMANDERS,
        ROLE_POST,
    )
    if rule not in posts:
        return None
    if persona == "anonymous":
        return TO_SIGN_IN
    if persona == "no_role":
        return FORBIDDEN
    if rule in (INCIDENT_FORM, INCIDENT_POST, INCIDENT_COMMAND_FORM) and not visible:
        return HIDDEN
    if rule == INCIDENT_COMMAND_FORM and persona not in COMMANDS_SCRIPTED:
        return FORBIDDEN
    if rule in (INVENTORY_EDIT, INVENTORY_POST) and persona not in CHANGES_INVENTORY:
        return FORBIDDEN
    if rule == COMMANDERS and persona not in COMMANDS:
        return FORBIDDEN
    return None


def rule_of(name: str) -> str:
    return ADMIN if name.startswith("admin:") else RULES[name]


def is_api(name: str) -> bool:
    """The REST API answers tokens, not sessions: tests/api/test_access_by_url.py has its rules."""
    return name.startswith("api:")


def _client_for(client, scripted, persona):
    user = scripted.personas[persona]
    if user is not None:
        client.force_login(user)
    return client


# --- the tests --------------------------------------------------------------------------------


def test_every_url_has_an_access_rule():
    names = {name for name in url_names() if not name.startswith("admin:") and not is_api(name)}

    assert names - set(RULES) == set(), "add the new URL to RULES with who may use it"
    assert set(RULES) - names == set(), "a URL in RULES is no longer in the URLconf"


@pytest.mark.parametrize("restricted", [False, True], ids=["open", "restricted"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_visitor_gets_what_the_rules_allow_on_every_url(client, scripted, persona, restricted):
    if restricted:
        scripted.restrict()
    client = _client_for(client, scripted, persona)
    visible = may_see(persona, restricted)
    wrong = []

    for name in url_names():
        if (restricted and name.startswith("admin:")) or is_api(name):
            continue
        rule = rule_of(name)
        url = url_for(name, scripted.ids)
        status = client.get(url).status_code
        allowed = expected_get(rule, persona, visible, name)
        if status not in allowed:
            wrong.append(f"GET {name} {url}: {status}, expected one of {sorted(allowed)}")
        refusal = refused_post(rule, persona, visible)
        if refusal is not None:
            status = client.post(url, {}).status_code
            if status not in refusal:
                wrong.append(f"POST {name} {url}: {status}, expected {sorted(refusal)}")

    assert wrong == []


# --- no GET changes a domain row --------------------------------------------------------------

# Sessions, sign-in lockout (django-axes) and cache tables may change on any request.
EXEMPT_TABLES = ("django_session", "axes_", "django_cache")
_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.I)


@contextmanager
def writes_recorded():
    """Every INSERT, UPDATE or DELETE the code runs, as (table, statement)."""
    writes = []

    def record(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match and not match.group(2).lower().startswith(EXEMPT_TABLES):
            writes.append((match.group(2), sql[:120]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield writes


@pytest.mark.parametrize(
    "persona", ["anonymous", "no_role", "viewer", "responder", "legal", "staff"]
)
def test_no_get_changes_a_domain_row(client, scripted, persona):
    client = _client_for(client, scripted, persona)
    changed = []

    for name in url_names():
        url = url_for(name, scripted.ids)
        with writes_recorded() as writes:
            client.get(url)
        changed.extend(f"GET {name} {url} wrote {table}: {sql}" for table, sql in writes)

    assert changed == []


def test_the_write_detector_sees_a_get_that_writes(client, scripted):
    """The detector is not blind: the old export, which recorded itself on GET, is caught."""
    from incidents import services

    with writes_recorded() as writes:
        services.timeline_export_record(
            incident=scripted.incident,
            actor=scripted.personas["legal"],
            export_format="json",
        )

    assert any(table == "incidents_timelineentry" for table, _ in writes)
