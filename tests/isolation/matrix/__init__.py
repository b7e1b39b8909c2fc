"""The isolation matrix: every page, file and PDF URL of a vendor's host and of the platform's
host (except admin/ and api/, tests/isolation/api_admin/), each with the access rule its view
declares. tests/isolation/test_matrix.py fails for a URL without an entry and for an entry whose
URL is gone; docs/isolation.md says how to add one."""

from __future__ import annotations

from ..cases import Case
from . import deals, learning, money, orders, partners, platform, reports

MODULES = (orders, deals, money, partners, learning, reports, platform)
CASES: list[Case] = [case for module in MODULES for case in module.CASES]
