import pytest
from django.core.management import CommandError, call_command

from breachdesk.demo import DEMO_PASSWORD
from breachdesk.models import User

ROLE_OF = {"commander": "Commander", "responder": "Responder", "legal": "Legal", "viewer": "Viewer"}


@pytest.mark.django_db
def test_seed_demo_creates_a_user_per_role_with_the_demo_password(settings):
    settings.DEBUG = True

    call_command("seed_demo")

    for username, role in ROLE_OF.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert list(user.groups.values_list("name", flat=True)) == [role]


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    before = sorted(User.objects.values_list("username", "password", "is_staff"))

    call_command("seed_demo")

    assert sorted(User.objects.values_list("username", "password", "is_staff")) == before


@pytest.mark.django_db
def test_seed_demo_keeps_a_password_the_user_changed(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    user = User.objects.get(username="legal")
    user.set_password("changed by the user")
    user.save()

    call_command("seed_demo")

    user.refresh_from_db()
    assert user.check_password("changed by the user")


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")

    assert not User.objects.exists()
