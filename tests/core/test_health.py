import os

import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "eager"}
    assert "Set-Cookie" not in response.headers


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_healthz_reports_the_real_broker_as_ok(client, settings):
    from tests.conftest import need

    need(os.environ.get("REDIS_URL"), "Redis (REDIS_URL)")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_robots_txt_is_plain_text(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"Disallow: /admin/" in response.content


@pytest.mark.django_db
def test_worker_status_is_for_platform_staff_only(client, rep_a, staff_x, platform_admin):
    assert client.get("/ops/workers/").status_code == 302
    client.force_login(rep_a)
    assert client.get("/ops/workers/").status_code == 403
    client.force_login(staff_x)
    assert client.get("/ops/workers/").status_code == 403
    client.force_login(platform_admin)
    response = client.get("/ops/workers/")
    assert response.status_code == 200
    assert "Baggrundsprocesser" in response.content.decode()
