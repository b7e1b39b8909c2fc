"""The duplicate check (防撞单) a partner waits for while registering a deal, against every
registration, vendor account and sell-out customer: the same company written differently, with
a typo, by credit code, domain or phone, names typed as you go, and misses. Baseline: the
statements it sends, run raw on a cursor (the database's share)."""

from __future__ import annotations

import random
from functools import partial
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deal_registration.conflicts import Probe, find_conflicts
from deal_registration.models import DealRegistration

from ..generate import Manifest
from ..measure import Result, p95, raw_ms, timed_ms
from ..names import Names
from .common import in_vendor

TARGET_MS = 50.0
FORMS = [("股份有限公司", "有限公司"), ("有限公司", "股份有限公司"), ("集团有限公司", "有限公司")]


def _variant(name: str) -> str:
    """The same company as another partner writes it."""
    for long, other in FORMS:
        if name.endswith(long):
            return name[: -len(long)] + other
    return name.upper().replace("CO., LTD.", "COMPANY LIMITED").replace("  ", " ")


def _typo(name: str, rng: random.Random) -> str:
    at = rng.randrange(1, max(2, len(name) - 4))
    return name[:at] + ("鑫" if ord(name[at]) > 127 else "x") + name[at + 1 :]


def probes(rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    held = list(
        DealRegistration.objects.filter(holds_claim=True)
        .order_by("?")
        .values("customer_name", "credit_code", "website", "phone")[:120]
    )
    cases: list[tuple[str, dict[str, Any]]] = []
    for row in held[:40]:
        cases.append(("variant", {"customer_name": _variant(row["customer_name"])}))
    for row in held[40:70]:
        cases.append(("typo", {"customer_name": _typo(row["customer_name"], rng)}))
    for row in [r for r in held[70:] if r["credit_code"]][:15]:
        cases.append(
            ("credit code", {"customer_name": "新客户", "credit_code": row["credit_code"]})
        )
    for row in [r for r in held[70:] if r["website"]][:10]:
        cases.append(
            ("domain", {"customer_name": "新客户", "website": f"https://www.{row['website']}/"})
        )
    for row in [r for r in held[70:] if r["phone"]][:10]:
        area, _dash, number = row["phone"].partition("-")
        cases.append(("phone", {"customer_name": "新客户", "phone": f"({area}) {number}"}))
    names = Names(random.Random(rng.random()))
    cases += [("miss", {"customer_name": names.company().name()}) for _ in range(40)]
    for row in held[:8]:
        for n in (2, 3, 4, 6):
            cases.append(("typing", {"customer_name": row["customer_name"][:n]}))
    return cases


def _check(fields: dict[str, Any]) -> list:
    return find_conflicts(Probe.of(**fields))


def run(manifest: Manifest) -> list[Result]:
    rng = random.Random(11)
    with in_vendor(manifest):
        cases = probes(rng)
        for _kind, fields in cases[:20]:  # warm the connection and the plan cache
            find_conflicts(Probe.of(**fields))
        samples, baseline, queries = [], [], 0
        for _kind, fields in cases:
            with CaptureQueriesContext(connection) as captured:
                elapsed, _found = timed_ms(partial(_check, fields))
            samples.append(elapsed)
            queries = max(queries, len(captured.captured_queries))
            baseline.append(raw_ms([q["sql"] for q in captured.captured_queries]))
        registrations = DealRegistration.objects.count()
    return [
        Result(
            scenario="duplicate check (find_conflicts)",
            scale=manifest.scale,
            samples_ms=samples,
            target=f"p95 ≤ {TARGET_MS:.0f} ms",
            met=p95(samples) <= TARGET_MS,
            queries=queries,
            baseline="its statements, raw cursor",
            baseline_ms=baseline,
            notes={"registrations": registrations, "probes": len(cases)},
        )
    ]
