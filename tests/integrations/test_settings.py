"""WEBHOOK_ALLOW_PRIVATE comes from the environment, strictly; the webhook sweep runs in beat."""

from tests.manage_child import run_manage


def _print_settings(tmp_path, expression: str, **env) -> str:
    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print({expression})",
        env={"DEBUG": "1", "DATA_DIR": str(tmp_path), **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_private_webhook_addresses_are_refused_unless_the_environment_allows_them(tmp_path):
    assert _print_settings(tmp_path, "settings.WEBHOOK_ALLOW_PRIVATE") == "False"
    assert (
        _print_settings(tmp_path, "settings.WEBHOOK_ALLOW_PRIVATE", WEBHOOK_ALLOW_PRIVATE="yes")
        == "True"
    )


def test_a_typo_in_webhook_allow_private_stops_start_up(tmp_path):
    result = run_manage(
        "check", env={"DEBUG": "1", "DATA_DIR": str(tmp_path), "WEBHOOK_ALLOW_PRIVATE": "ture"}
    )

    assert result.returncode != 0
    assert "WEBHOOK_ALLOW_PRIVATE='ture' is not a yes/no value" in result.stderr


def test_the_webhook_sweep_follows_sweep_seconds(tmp_path):
    schedule = "settings.CELERY_BEAT_SCHEDULE['sweep-webhook-outbox']"

    assert _print_settings(tmp_path, f"{schedule}['schedule']", SWEEP_SECONDS="2") == "2.0"
    assert _print_settings(tmp_path, f"{schedule}['task']") == (
        "integrations.tasks.webhooks_sweep_task"
    )
