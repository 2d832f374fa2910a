"""Run ``manage.py`` in a child process with a chosen environment.

Settings are read once at import, so checking how they react to the
environment needs a fresh interpreter.
"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATA_DIR",
    "DATABASE_URL",
    "REDIS_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_TLS",
    "SMTP_SSL",
    "EMAIL_FROM",
    "PROXY_COUNT",
    "SITE_URL",
    "PORT",
    "HEARTBEAT_SECONDS",
    "SWEEP_SECONDS",
    "NOTICE_FOUR_EYES",
    "SESSION_IDLE_HOURS",
    "SESSION_MAX_HOURS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "p7Vq2-production-like-key-9fK3mZ0xW8rT5yU1iO4pA6sD7fG2hJ0kL3zX",
    "ALLOWED_HOSTS": "breachdesk.example.com",
    "SITE_URL": "https://breachdesk.example.com",
    "SMTP_HOST": "smtp.example.com",
}


def run_manage(*args: str, env: dict[str, str], timeout: int = 60):
    child_env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    child_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
