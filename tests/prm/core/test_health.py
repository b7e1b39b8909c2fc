import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_redis_and_missing_worker(client_a):
    response = client_a.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "redis": "ok",
        "worker": "no worker answered",
    }


def test_healthz_answers_on_the_platform_host(tenant_a):
    response = Client(HTTP_HOST="localhost").get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_200_degraded_when_redis_is_down(client_a, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client_a.get("/healthz")

    assert response.status_code == 200  # pages still work: the web process stays in rotation
    assert response.json()["status"] == "degraded"
    assert response.json()["redis"] == "error: ConnectionError"
    assert response.json()["worker"] == "unknown: Redis unreachable"  # not pinged through it


def test_healthz_is_503_json_when_the_database_is_down(tenant_a, monkeypatch):
    monkeypatch.setattr("prm.core.health._check_database", lambda: "error: OperationalError")

    response = Client(HTTP_HOST="any.host.example").get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
