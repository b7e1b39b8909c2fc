"""Static checks of docker-compose.yml and the Dockerfile (Docker itself is not run in CI)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
DJANGO_SERVICES = ("init", "web", "worker", "beat")


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _services() -> dict[str, Any]:
    return _compose()["services"]


def _command(service: dict[str, Any]) -> str:
    command = service["command"]
    return command if isinstance(command, str) else shlex.join(command)


def _healthcheck_command(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    if isinstance(test, str):
        return test
    assert test[0] in {"CMD", "CMD-SHELL"}
    return " ".join(test[1:])


def _dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_service_set() -> None:
    assert set(_services()) == {"postgres", "redis", "init", "web", "worker", "beat"}


def test_django_services_share_one_image() -> None:
    services = _services()
    for name in DJANGO_SERVICES:
        assert services[name]["build"] == ".", name
        assert services[name]["image"] == "channel-prm:latest", name


def test_django_environment() -> None:
    services = _services()
    for name in DJANGO_SERVICES:
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "prm.settings.production", name
        assert env["DATABASE_URL"] == "postgres://prm:prm@postgres:5432/prm", name
        assert urlsplit(env["DATABASE_URL"]).hostname == "postgres", name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert urlsplit(env["REDIS_URL"]).hostname == "redis", name
        assert env["DJANGO_SECRET_KEY"] == "${DJANGO_SECRET_KEY:-change-me-in-production}", name
        assert env["PRM_BASE_DOMAIN"] == "${PRM_BASE_DOMAIN:-localhost}", name
        # The demo is served over plain http, where secure-only cookies would break login.
        assert env["DJANGO_SECURE_COOKIES"] == "${DJANGO_SECURE_COOKIES:-false}", name
        assert "DJANGO_ALLOWED_HOSTS" not in env, name


def test_django_services_wait_for_backing_services() -> None:
    services = _services()
    for name in DJANGO_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"] == {"condition": "service_healthy"}, name
        assert depends_on["redis"] == {"condition": "service_healthy"}, name


def test_web_waits_for_init() -> None:
    depends_on = _services()["web"]["depends_on"]
    assert depends_on == {
        "init": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_init_runs_once() -> None:
    init = _services()["init"]
    assert init["restart"] == "no"
    assert _command(init) == 'sh -c "python manage.py bootstrap && python manage.py seed_demo"'


def test_postgres_service() -> None:
    postgres = _services()["postgres"]
    assert postgres["image"] == "postgres:15"
    assert postgres["environment"] == {
        "POSTGRES_DB": "prm",
        "POSTGRES_USER": "prm",
        "POSTGRES_PASSWORD": "prm",
        "POSTGRES_INITDB_ARGS": "--encoding=UTF8 --locale=C.UTF-8",
    }
    assert "pg_isready -h 127.0.0.1 -U prm -d prm" in _healthcheck_command(postgres)


def test_redis_service() -> None:
    redis = _services()["redis"]
    assert redis["image"] == "redis:7"
    assert _command(redis) == "redis-server --appendonly yes"
    assert "redis-cli ping" in _healthcheck_command(redis)


def test_web_publishes_8000_and_is_health_checked() -> None:
    web = _services()["web"]
    assert web["ports"] == ["8000:8000"]
    assert _command(web).startswith("gunicorn prm.wsgi:application --bind 0.0.0.0:8000")
    check = _healthcheck_command(web)
    assert "curl -fsS" in check
    assert "http://127.0.0.1:8000/healthz" in check


def test_celery_commands() -> None:
    services = _services()
    assert _command(services["worker"]).startswith("celery -A prm worker")
    assert _command(services["beat"]).startswith("celery -A prm beat")
    assert "celery -A prm inspect ping" in _healthcheck_command(services["worker"])


def test_named_volumes() -> None:
    compose = _compose()
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media"}
    for name in DJANGO_SERVICES:
        assert "media:/app/.data/media" in compose["services"][name]["volumes"], name


def test_dockerfile() -> None:
    dockerfile = _dockerfile()
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", dockerfile, re.MULTILINE)
    assert "fonts-wqy-microhei" in dockerfile
    assert "libpango-1.0-0" in dockerfile
    assert "libpangoft2-1.0-0" in dockerfile
    assert "uv==0.13.8" in dockerfile
    assert "uv sync --locked" in dockerfile
    assert "npm ci" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert "compilemessages" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert re.search(r"^EXPOSE 8000$", dockerfile, re.MULTILINE)


def test_dockerignore_keeps_host_environments_out() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in (".git", ".venv", ".data", "node_modules"):
        assert entry in lines


def _management_commands_in_compose() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    return set(re.findall(r"python manage\.py ([a-z_][a-z0-9_]*)", text))


def test_compose_management_commands_exist() -> None:
    names = _management_commands_in_compose()
    assert names >= {"bootstrap", "seed_demo"}
    for name in sorted(names):
        found = [
            *ROOT.glob(f"prm/*/management/commands/{name}.py"),
            *ROOT.glob(f"*/management/commands/{name}.py"),
        ]
        assert found, f"manage.py {name} is used in docker-compose.yml but no such command exists"


def test_web_healthcheck_path_is_routed() -> None:
    check = _healthcheck_command(_services()["web"])
    match = re.search(r"http://127\.0\.0\.1:8000(/\S*)", check)
    assert match
    route = match.group(1).lstrip("/")
    assert route == "healthz"
    # Answered for every host by the first middleware, before tenant routing.
    middleware = (ROOT / "prm" / "core" / "health_middleware.py").read_text(encoding="utf-8")
    assert f'request.path == "/{route}"' in middleware
