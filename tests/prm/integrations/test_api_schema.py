"""The OpenAPI schema validates, and schemathesis, generating requests from it for every
operation (a bounded number each), finds no 5xx and no response that breaks the schema.

Requests go through the whole WSGI stack (tenant middleware, key authentication) as vendor A's
admin with every scope, inside the test's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from prm.integrations.scopes import ALL_SCOPES
from tests.factories import make_order, make_partner, make_product

from .api_helpers import key_for

pytestmark = pytest.mark.django_db

RAW = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
SCHEMA = schemathesis.openapi.from_dict(RAW)
SCHEMA.app = WSGIHandler()


def test_the_schema_validates() -> None:
    validate_schema(RAW)
    assert set(RAW["paths"]) >= {
        "/api/v1/orders/",
        "/api/v1/orders/{id}/approve/",
        "/api/v1/payments/",
        "/api/v1/partners/",
        "/api/v1/products/",
    }


@pytest.fixture
def token(in_a: Any, vendor_admin: Any) -> Iterator[str]:
    # The test client keeps the test's transaction open across requests by not closing the
    # connection when a request ends; a bare WSGI handler needs the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    partner = make_partner(name="契约测试渠道有限公司")
    make_order(partner, (make_product(), 2))
    try:
        yield key_for(vendor_admin, *ALL_SCOPES)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@SCHEMA.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_answers_5xx_or_breaks_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "Host": "alpha.localhost"},
        checks=[not_a_server_error, response_schema_conformance],
    )
