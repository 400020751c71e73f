import json
import os
import subprocess
import sys

from tests.conftest import ROOT

PROBE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "from klimaalliance.celery import app; "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'eager': app.conf.task_always_eager, 'broker': app.conf.broker_url, "
    "'cache': settings.CACHES['default']['BACKEND']}))"
)


CONFIG_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "ALLOWED_HOSTS",
}


def clean_env(**env):
    """The process environment without any portal configuration, plus `env`."""
    base = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    return {**base, "DJANGO_SETTINGS_MODULE": "klimaalliance.settings.base", **env}


def probe_settings(**env):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean_env(DEBUG="1", **env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_environment_the_portal_uses_sqlite_and_runs_tasks_in_process():
    found = probe_settings()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["eager"] is True
    assert found["cache"].endswith("LocMemCache")


def test_with_environment_the_portal_uses_postgres_and_the_redis_broker():
    found = probe_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/klima",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/3"
    assert found["cache"].endswith("RedisCache")


def test_without_debug_a_secret_key_is_required():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=clean_env(DEBUG="0"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deployment_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean_env(
            DJANGO_SETTINGS_MODULE="klimaalliance.settings.production",
            SECRET_KEY="Kx9!" + "q7Zr-w2Lm#p4Vt8&sN3yB6uH1jD5gF0cE" * 2,
            ALLOWED_HOSTS="klima.example.dk",
        ),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
