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
