"""Every API URL of the URLconf, for every kind of caller: the same need-to-know as the pages.

The URL list comes from the URLconf: a new ``api:`` URL that ``RULES`` does
not name fails ``test_every_api_url_has_an_access_rule``. Callers present
a personal token (the API's way in); ``anonymous`` sends none, ``expired``
and ``revoked`` send ended tokens, ``read_only`` is Legal's read-only token.
Writes are sent only where they must be refused, or with an empty body that
the form refuses (400) where the caller may write.
"""

import pytest
from django.urls import get_resolver, reverse

from incidents.models import Incident
from tests.api.conftest import PERSONAS, client_with
from tests.test_access_by_url import (
    CHANGES_INVENTORY,
    COMMANDS,
    READS_INVENTORY,
    _walk,
    may_see,
)

pytestmark = pytest.mark.django_db

# What a GET is, and what a write (POST, PATCH) is, per URL.
ROLE = "role"  # anyone in a role
INCIDENT = "incident"  # under the need-to-know gate
INVENTORY = "inventory"  # the inventory's readers; its editors write
NONE = "none"  # no such method here (405), once past the door
# No such method on an inventory URL: 405 for whoever may read (GET) or change (write)
# the inventory, 403 for the rest (the inventory's permission answers first).
INVENTORY_NONE = "inventory-none"

RULES: dict[str, tuple[str, str, str]] = {
    # name: (GET, write rule, write method)
    "api:incident-list": (ROLE, "commanders", "post"),
    "api:incident": (INCIDENT, NONE, "post"),
    "api:timeline": (INCIDENT, INCIDENT, "post"),
    "api:deadline-list": (INCIDENT, NONE, "post"),
    "api:deadline": (INCIDENT, NONE, "post"),
    "api:deadline-met": (NONE, INCIDENT, "post"),
    "api:deadline-waive": (NONE, INCIDENT, "post"),
    "api:notification-list": (INCIDENT, NONE, "post"),
    "api:notification": (INCIDENT, NONE, "post"),
    "api:notification-approve": (NONE, INCIDENT, "post"),
    "api:whatif": (ROLE, NONE, "post"),
    "api:vendor-list": (INVENTORY, INVENTORY, "post"),
    "api:vendor": (INVENTORY, INVENTORY, "patch"),
    "api:vendor-engagement-create": (INVENTORY_NONE, INVENTORY, "post"),
    "api:engagement-list": (INVENTORY, INVENTORY_NONE, "post"),
    "api:engagement": (INVENTORY, INVENTORY, "patch"),
    "api:data-asset-list": (INVENTORY, INVENTORY, "post"),
    "api:data-asset": (INVENTORY, INVENTORY, "patch"),
    "api:stakeholder-list": (INVENTORY, INVENTORY, "post"),
    "api:stakeholder": (INVENTORY, INVENTORY, "patch"),
    "api:schema": (ROLE, NONE, "post"),
    "api:docs": (ROLE, NONE, "post"),
}
NOT_IN = {"anonymous", "expired", "revoked"}
# Whose rights a persona has (the read-only token is Legal's).
AS = {"read_only": "legal"}
WHATIF_QUERY = "?aware_at=2026-03-01T09:00&role=controller"


def api_url_names() -> list[str]:
    return [
        name
        for name, _pattern in _walk(get_resolver().url_patterns)
        if name and name.startswith("api:")
    ]


def api_url(name: str, ids: dict) -> str:
    from vendors.models import DataAsset

    pattern = dict(_walk(get_resolver().url_patterns))[name]
    keys = set(pattern.pattern.converters)
    slugs = {
        "api:data-asset": DataAsset.objects.get(pk=ids["asset_id"]).slug,
        "api:stakeholder": ids["stakeholder_slug"],
    }
    values = {
        "reference": ids["reference"],
        "deadline_id": ids["deadline_id"],
        "notification_id": ids["notification_id"],
        "slug": slugs.get(name, ids["vendor_slug"]),
        "pk": ids["engagement_id"],
    }
    url = reverse(name, kwargs={key: values[key] for key in keys})
    return url + WHATIF_QUERY if name == "api:whatif" else url


def expected_get(rule: str, persona: str, visible: bool) -> set[int]:
    who = AS.get(persona, persona)
    if persona in NOT_IN:
        return {401}
    if persona == "no_role":
        return {403}
    if rule == ROLE:
        return {200}
    if rule == INCIDENT:
        return {200} if visible else {404}
    if rule == INVENTORY:
        return {200} if who in READS_INVENTORY else {403}
    if rule == NONE:
        return {405}
    if rule == INVENTORY_NONE:
        return {405} if who in READS_INVENTORY else {403}
    raise AssertionError(rule)


def expected_write(rule: str, persona: str, visible: bool, method: str) -> set[int]:
    """What an empty write gets: refused, or (for whoever may write) the form's 400."""
    who = AS.get(persona, persona)
    if persona in NOT_IN:
        return {401}
    if persona in ("no_role", "read_only"):
        return {403}
    if rule == NONE:
        return {405}
    if rule == INVENTORY_NONE:
        return {405} if who in CHANGES_INVENTORY else {403}
    if rule == "commanders":
        return {400} if who in COMMANDS else {403}
    if rule == INCIDENT:
        # Past the gate, the form (400) or the service's own check (403) refuses it.
        return {400, 403} if visible else {404}
    if rule == INVENTORY:
        if who not in CHANGES_INVENTORY:
            return {403}
        # An empty PATCH changes nothing and succeeds; an empty POST lacks the required fields.
        return {200} if method == "patch" else {400}
    raise AssertionError(rule)


def test_every_api_url_has_an_access_rule():
    names = set(api_url_names())

    assert names - set(RULES) == set(), "add the new API URL to RULES with who may use it"
    assert set(RULES) - names == set(), "a URL in RULES is no longer in the URLconf"


@pytest.mark.parametrize("restricted", [False, True], ids=["open", "restricted"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_caller_gets_what_the_rules_allow_on_every_api_url(seeded_api, persona, restricted):
    Incident.objects.filter(pk=seeded_api.incident.pk).update(restricted=restricted)
    client = client_with(seeded_api.tokens[persona])
    visible = persona not in NOT_IN and may_see(AS.get(persona, persona), restricted)
    wrong = []

    for name in api_url_names():
        get_rule, write_rule, method = RULES[name]
        url = api_url(name, seeded_api.ids)
        status = client.get(url).status_code
        if status not in (allowed := expected_get(get_rule, persona, visible)):
            wrong.append(f"GET {name} {url}: {status}, expected one of {sorted(allowed)}")
        status = getattr(client, method)(url, {}, format="json").status_code
        if status not in (allowed := expected_write(write_rule, persona, visible, method)):
            wrong.append(f"{method.upper()} {name} {url}: {status}, expected {sorted(allowed)}")

    assert wrong == []
