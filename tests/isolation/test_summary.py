"""docs/isolation.md shows the matrix as it is."""

from __future__ import annotations

from .matrix import CASES
from .summary import documented, section


def test_the_documented_table_is_the_matrix() -> None:
    assert documented() == section(CASES), (
        "docs/isolation.md is behind the matrix: run "
        "`DJANGO_SETTINGS_MODULE=prm.settings.test .venv/bin/python -m tests.isolation.summary "
        "--write`"
    )
