"""Fixtures of the fault tests: a Redis and a webhook receiver of a module's own; and, for the
ERP tests, the real Tryton server of tests/erp with its fixtures."""

from collections.abc import Iterator

import pytest

from tests.erp.conftest import _in_english, erp, tryton, tryton_snapshot  # noqa: F401
from tests.erp.test_tryton_sync import connection, mall  # noqa: F401
from tests.prm.integrations.receiver import Receiver

from .servers import RedisServer


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver().start() as running:
        yield running
