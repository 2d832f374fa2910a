import pytest
from django.contrib.auth.models import Group

ROLES = {"Commander", "Responder", "Legal", "Viewer"}


@pytest.mark.django_db
def test_the_four_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= ROLES


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_everything"),
    [
        ("Commander", True),
        ("Legal", True),
        ("Responder", False),
        ("Viewer", False),
    ],
)
def test_only_commander_and_legal_view_all_incidents(role, sees_everything):
    codenames = set(
        Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    )

    assert (("incidents", "view_all_incidents") in codenames) is sees_everything


@pytest.mark.django_db
def test_view_all_incidents_is_a_permission_users_can_hold(commander, responder):
    assert commander.has_perm("incidents.view_all_incidents")
    assert not responder.has_perm("incidents.view_all_incidents")


@pytest.mark.django_db
def test_the_migrations_grant_exactly_the_documented_role_permissions():
    from breachdesk.roles import ROLE_PERMISSIONS

    granted = {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.filter(name__in=ROLE_PERMISSIONS)
    }

    assert granted == {name: set(perms) for name, perms in ROLE_PERMISSIONS.items()}


@pytest.mark.django_db
def test_ensure_roles_restores_deleted_roles():
    from breachdesk.roles import ROLE_PERMISSIONS, ensure_roles

    Group.objects.all().delete()

    ensure_roles()

    assert set(Group.objects.values_list("name", flat=True)) == set(ROLE_PERMISSIONS)
    assert Group.objects.get(name="Legal").permissions.filter(codename="legal_review").exists()
