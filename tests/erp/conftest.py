"""A real Tryton server per test, on a fresh copy of a database built once (tryton_server.py).

`make test` installs Tryton first (`make tryton`); without it these tests cannot run, and say
so instead of passing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .tryton_server import ROOT, VENV_BIN, TrytonServer, build_snapshot


@pytest.fixture(scope="session")
def tryton_snapshot() -> Path:
    if not (VENV_BIN / "trytond").exists():
        pytest.fail(f"Tryton is not installed in {VENV_BIN.parent}: run `make tryton`.")
    return build_snapshot(ROOT / ".data" / "tryton")


@pytest.fixture
def tryton(tryton_snapshot: Path, tmp_path: Path) -> Iterator[TrytonServer]:
    server = TrytonServer(tmp_path, tryton_snapshot)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def erp(tryton: TrytonServer) -> Any:
    """The test's own proteus session on the server, to play the ERP's users."""
    return tryton.connect()


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The sync writes its reasons in the vendor's language; these tests read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield
