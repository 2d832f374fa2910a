"""Each user's permissions and groups come from the shared cache, and a change of grant ends them.

breachdesk/grants.py: a page asks for them several times; with Redis they are
read once from the cache instead of three queries, and any change of a
group, a membership or a permission makes every cached entry stale at once.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from breachdesk import grants
from breachdesk.models import User
from breachdesk.roles import COMMANDER, LEGAL, has_role, may_command, roles_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _grants_cached(settings):
    settings.GRANTS_CACHE_SECONDS = 300
    cache.clear()
    grants.new_generation()


def _fresh(user: User) -> User:
    """The user as the next request loads it: a new object, nothing remembered on it."""
    return User.objects.get(pk=user.pk)


def test_a_second_request_reads_grants_without_a_query():
    user = UserFactory(roles=[COMMANDER])
    assert may_command(_fresh(user))
    again = _fresh(user)

    with CaptureQueriesContext(connection) as queries:
        assert may_command(again)
        assert again.has_perm("vendors.view_inventory")

    assert len(queries) == 0


def test_removing_a_role_takes_effect_on_the_next_request():
    user = UserFactory(roles=[COMMANDER])
    assert may_command(_fresh(user))

    user.groups.remove(Group.objects.get(name=COMMANDER))

    later = _fresh(user)
    assert not may_command(later)
    assert not has_role(later)
    assert not later.has_perm("incidents.view_all_incidents")


def test_removing_a_role_from_the_group_side_takes_effect_on_the_next_request():
    user = UserFactory(roles=[COMMANDER])
    assert may_command(_fresh(user))

    Group.objects.get(name=COMMANDER).user_set.remove(user)

    assert not may_command(_fresh(user))


def test_taking_a_permission_from_a_group_takes_effect_on_the_next_request():
    user = UserFactory(roles=[LEGAL])
    assert _fresh(user).has_perm("vendors.export_inventory")

    Group.objects.get(name=LEGAL).permissions.remove(
        Permission.objects.get(content_type__app_label="vendors", codename="export_inventory")
    )

    assert not _fresh(user).has_perm("vendors.export_inventory")


def test_taking_a_permission_from_the_user_takes_effect_on_the_next_request():
    user = UserFactory()
    permission = Permission.objects.get(
        content_type__app_label="vendors", codename="view_inventory"
    )
    user.user_permissions.add(permission)
    assert _fresh(user).has_perm("vendors.view_inventory")

    user.user_permissions.remove(permission)

    assert not _fresh(user).has_perm("vendors.view_inventory")


def test_deleting_a_group_takes_effect_on_the_next_request():
    user = UserFactory(roles=[COMMANDER])
    assert COMMANDER in roles_of(_fresh(user))

    Group.objects.get(name=COMMANDER).delete()

    assert roles_of(_fresh(user)) == frozenset()


def test_a_deactivated_user_holds_nothing_although_their_grants_are_cached():
    user = UserFactory(roles=[COMMANDER])
    assert may_command(_fresh(user))

    User.objects.filter(pk=user.pk).update(is_active=False)

    later = _fresh(user)
    assert not may_command(later)
    assert not later.has_perm("incidents.view_all_incidents")


def test_without_a_shared_cache_grants_are_read_from_the_database(settings):
    settings.GRANTS_CACHE_SECONDS = 0
    user = UserFactory(roles=[COMMANDER])
    assert may_command(_fresh(user))
    again = _fresh(user)

    with CaptureQueriesContext(connection) as queries:
        assert may_command(again)

    assert len(queries) > 0
    assert cache.get(f"grants:user:{user.pk}") is None
