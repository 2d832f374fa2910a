import socket
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from breachdesk.demo import DEMO_PASSWORD
from breachdesk.models import User
from incidents.models import Incident
from tests.manage_child import run_manage
from vendors.models import Vendor

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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failure_halfway_leaves_nothing_seeded(settings, monkeypatch):
    settings.DEBUG = True

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("incidents.demo._demo_notices", broken)

    with pytest.raises(RuntimeError):
        call_command("seed_demo")

    assert not User.objects.exists()
    assert not Incident.objects.exists()
    assert not Vendor.objects.exists()


def test_seed_demo_without_a_reachable_mail_server_loads_every_notice_state(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    env = {
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(closed_port),
        "SMTP_TLS": "0",
    }
    assert run_manage("migrate", env=env, timeout=120).returncode == 0

    result = run_manage("seed_demo", env=env, timeout=120)

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "breachdesk.sqlite3") as database:
        statuses = {row[0] for row in database.execute("SELECT status FROM incidents_notification")}
    assert {"queued", "failed", "draft"} <= statuses
