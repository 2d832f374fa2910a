from tests.manage_child import PRODUCTION_ENV, run_manage


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_refuses_production_without_smtp(tmp_path):
    env = {**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)}
    del env["SMTP_HOST"]

    result = run_manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "breachdesk.E001" in result.stderr


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    env = {**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)}
    del env["SECRET_KEY"]

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(PRODUCTION_ENV["SECRET_KEY"])
    env = {**PRODUCTION_ENV, "DATA_DIR": str(tmp_path), "SECRET_KEY_FILE": str(key_file)}
    del env["SECRET_KEY"]

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stderr


def test_allowed_hosts_are_required_when_debug_is_off(tmp_path):
    env = {**PRODUCTION_ENV, "DATA_DIR": str(tmp_path)}
    del env["ALLOWED_HOSTS"]

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_a_mistyped_boolean_stops_start_up(tmp_path):
    result = run_manage("check", env={"DEBUG": "ture", "DATA_DIR": str(tmp_path)})

    assert result.returncode != 0
    assert "DEBUG='ture' is not a yes/no value" in result.stderr


def test_without_smtp_each_message_is_written_under_data_dir(tmp_path):
    result = run_manage(
        "sendtestemail", "partner@example.org", env={"DEBUG": "1", "DATA_DIR": str(tmp_path)}
    )

    assert result.returncode == 0, result.stderr
    written = list((tmp_path / "mail").iterdir())
    assert len(written) == 1
    assert written[0].suffix == ".eml"
    assert "To: partner@example.org" in written[0].read_text()


def test_in_development_links_follow_the_port_served(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SITE_URL)",
        env={"DEBUG": "1", "PORT": "8111", "DATA_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8111"


def test_beat_heartbeat_follows_heartbeat_seconds(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE['record-heartbeat']['schedule'])",
        env={"DEBUG": "1", "HEARTBEAT_SECONDS": "2", "DATA_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2.0"


def test_a_heartbeat_under_one_second_stops_start_up(tmp_path):
    result = run_manage(
        "check", env={"DEBUG": "1", "HEARTBEAT_SECONDS": "0", "DATA_DIR": str(tmp_path)}
    )

    assert result.returncode != 0
    assert "HEARTBEAT_SECONDS=0 must be at least 1" in result.stderr


def test_beat_sweeps_follow_sweep_seconds(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "s = settings.CELERY_BEAT_SCHEDULE; "
        "print(s['sweep-deadline-reminders']['schedule'], s['sweep-notification-outbox']['schedule'])",
        env={"DEBUG": "1", "SWEEP_SECONDS": "2", "DATA_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "2.0 2.0"


def test_a_sweep_under_one_second_stops_start_up(tmp_path):
    result = run_manage(
        "check", env={"DEBUG": "1", "SWEEP_SECONDS": "0", "DATA_DIR": str(tmp_path)}
    )

    assert result.returncode != 0
    assert "SWEEP_SECONDS=0 must be at least 1" in result.stderr


def test_a_questionnaire_chaser_interval_of_zero_stops_start_up(tmp_path):
    result = run_manage(
        "check",
        env={"DEBUG": "1", "QUESTIONNAIRE_CHASER_HOURS": "0", "DATA_DIR": str(tmp_path)},
    )

    assert result.returncode != 0
    assert "QUESTIONNAIRE_CHASER_HOURS=0 must be from 1 to 720" in result.stderr


def test_beat_sweeps_questionnaire_chasers_and_the_cache_follows_redis(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CELERY_BEAT_SCHEDULE['sweep-questionnaire-chasers']['task'], "
        "settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1], "
        "settings.QUESTIONNAIRE_CHASER_HOURS)",
        env={
            "DEBUG": "1",
            "DATA_DIR": str(tmp_path),
            "REDIS_URL": "redis://127.0.0.1:6379/12",
            "QUESTIONNAIRE_CHASER_HOURS": "6",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "incidents.tasks.questionnaires_sweep_task RedisCache 6"
    )


def test_ack_alert_hours_comes_from_the_environment(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ACK_ALERT_HOURS)",
        env={"DEBUG": "1", "ACK_ALERT_HOURS": "12", "DATA_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "12"


def test_ack_alert_hours_under_one_stops_start_up(tmp_path):
    result = run_manage(
        "check", env={"DEBUG": "1", "ACK_ALERT_HOURS": "0", "DATA_DIR": str(tmp_path)}
    )

    assert result.returncode != 0
    assert "ACK_ALERT_HOURS=0 must be at least 1" in result.stderr
