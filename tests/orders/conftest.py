from typing import Any

import pytest

from .mall import Mall, build_mall


@pytest.fixture
def mall(in_a: Any) -> Mall:
    """A dealer allowed to order, two products in stock: see tests/orders/mall.py."""
    return build_mall()
