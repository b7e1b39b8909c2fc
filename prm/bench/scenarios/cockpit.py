"""The vendor cockpit as the vendor admin sees it: a month, a quarter, a year, the year for one
area, a quarter for one product line; through the whole request. Baseline: its statements run
raw on a cursor (the database's share; the rest is Python and the template)."""

from __future__ import annotations

from functools import partial

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import ProductLine

from ..generate import Manifest
from ..measure import Result, p95, raw_ms, repeat_ms
from ..scales import END
from ..sql import scalar
from .common import in_vendor, signed_in

RUNS = 10
TARGET_MS = 300.0


def run(manifest: Manifest) -> list[Result]:
    with in_vendor(manifest):
        client = signed_in(manifest, manifest.admin_email)
        line = ProductLine.objects.order_by("pk").values_list("pk", flat=True).first()
        day = END.isoformat()
        cases = [
            f"period=month&on={day}",
            f"period=quarter&on={day}",
            f"period=year&on={END.year}-06-01",
            f"period=year&on={END.year}-06-01&area=east",
            f"period=quarter&on={day}&product_line={line}",
        ]
        samples: list[float] = []
        baseline: list[float] = []
        queries = 0
        for query in cases:
            url = f"/reports/cockpit/?{query}"
            assert client.get(url).status_code == 200
            samples += repeat_ms(partial(client.get, url), RUNS, warm=0)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            sent = [q["sql"] for q in captured.captured_queries]
            queries = max(queries, len(sent))
            baseline.append(raw_ms(sent))
        lines = int(scalar("SELECT count(*) FROM orders_orderline"))
    return [
        Result(
            scenario="vendor cockpit (5 views)",
            scale=manifest.scale,
            samples_ms=samples,
            target=f"p95 ≤ {TARGET_MS:.0f} ms",
            met=p95(samples) <= TARGET_MS,
            queries=queries,
            baseline="its statements, raw cursor",
            baseline_ms=baseline,
            notes={"order lines": lines},
        )
    ]
