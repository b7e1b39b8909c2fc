"""The matrices build their data once per module, in one transaction rolled back at the module's
end; each test's own transaction is a savepoint inside it, so no test sees another's writes."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from prm.tenancy.models import Tenant


@pytest.fixture(scope="module")
def module_transaction(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # Marked as a test case's own block, so a durable atomic inside still counts as outermost.
        atomic._from_testcase = True
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.set_schema_to_public()


def in_schema(slug: str) -> Tenant:
    tenant = Tenant.objects.get(schema_name=slug)
    connection.set_tenant(tenant)
    return tenant


def session_cookie(user: Any, slug: str) -> str:
    """A session of `user`, signed in at its own vendor's host (its schema's session table)."""
    in_schema(slug)
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


_clients: dict[str, Client] = {}


def client_at(host: str, *, session: str = "") -> Client:
    """A client at `host` carrying only `session` (no cookie at all when empty).

    One client per host, its cookies reset each time: a new client loads the middleware again,
    and WhiteNoise's (with WHITENOISE_USE_FINDERS) walks every static file, node_modules
    included, each time: most of a matrix's run went there.
    """
    client = _clients.setdefault(host, Client(HTTP_HOST=host))
    client.cookies = SimpleCookie()
    if session:
        client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client
