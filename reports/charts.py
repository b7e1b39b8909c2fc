"""Chart definitions as plain data; `static/js/charts.js` draws them with Chart.js.

A view builds charts with `chart(...)` and a template shows one with
`{% include "reports/_chart.html" with chart=... chart_id="..." %}` (and the scripts with
`{% include "reports/_chart_scripts.html" %}` in its `scripts` block). Values are sent as
strings so Decimals stay exact; the browser formats them for the page's language (¥ and 万 in
Chinese, ¥ and K/M in English). A bar with a link opens the list behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

MONEY = "money"
NUMBER = "number"
PERCENT = "percent"  # Decimal fractions


def series(label: str, values: Sequence[Decimal | int | None]) -> dict[str, Any]:
    return {"label": str(label), "data": [None if v is None else str(v) for v in values]}


def chart(
    kind: str,
    labels: Sequence[str],
    datasets: list[dict[str, Any]],
    *,
    title: str = "",
    value_kind: str = MONEY,
    horizontal: bool = False,
    links: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """kind: "bar", "line" or "doughnut"; `links[i]` is where a click on label i leads."""
    return {
        "type": kind,
        "title": str(title),
        "labels": [str(label) for label in labels],
        "datasets": datasets,
        "valueKind": value_kind,
        "horizontal": horizontal,
        "links": list(links) if links else [],
    }
