"""Journey 5: the vendor admin opens the channel cockpit. Every chart is drawn by Chart.js from
the figures the tables beside it show; a click on a month's bar opens the orders behind it, and
they add up to that bar."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .journey import Journey, amount

pytestmark = pytest.mark.django_db

ADMIN = "admin@demo.localhost"
CHARTS = {"trend", "areas", "product-lines", "top", "funnel"}

# What Chart.js drew on each canvas, beside the data the page gave it.
DRAWN = """() => [...document.querySelectorAll("canvas[data-chart]")].map((canvas) => {
  const spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
  const chart = window.Chart && window.Chart.getChart(canvas);
  return {
    id: canvas.dataset.chart.replace("chart-data-", ""),
    spec: spec,
    type: chart ? chart.config.type : null,
    labels: chart ? chart.data.labels : null,
    sizes: chart ? chart.data.datasets.map((d) => d.data.length) : null,
    pixels: [canvas.width, canvas.height],
  };
})"""
# Where the bar of month `index` of the first dataset is, in the canvas's CSS pixels.
BAR = """([canvas, index]) => {
  const bar = window.Chart.getChart(canvas).getDatasetMeta(0).data[index];
  return {x: bar.x, y: (bar.y + bar.base) / 2};
}"""


def drawn_charts(page: Page) -> dict[str, dict[str, Any]]:
    charts = {chart["id"]: chart for chart in page.evaluate(DRAWN)}
    assert set(charts) == CHARTS
    for chart in charts.values():
        spec = chart["spec"]
        assert chart["type"] == spec["type"], chart["id"]
        assert chart["labels"] == spec["labels"], chart["id"]
        assert chart["sizes"] == [len(d["data"]) for d in spec["datasets"]], chart["id"]
        assert min(chart["pixels"]) > 0, chart["id"]
    return charts


def table(page: Page, key: str) -> list[list[str]]:
    rows = page.locator(f"#table-{key} tbody tr")
    return [row.locator("td").all_inner_texts() for row in rows.all()]


def test_cockpit_charts_are_drawn_from_its_figures_and_open_the_orders(journey: Journey):
    admin = journey.sign_in(ADMIN)
    journey.follow(admin, "/reports/cockpit/")
    charts = drawn_charts(admin)

    # The trend chart: the months, orders and amounts of the monthly table, to the cent.
    months = table(admin, "trend")
    trend = charts["trend"]["spec"]
    assert trend["labels"] == [month for month, *_rest in months]
    ordered, shipped, collected = ([Decimal(v) for v in d["data"]] for d in trend["datasets"])
    assert ordered == [amount(row[2]) for row in months]
    assert shipped == [amount(row[3]) for row in months]
    assert collected == [amount(row[4]) for row in months]
    top = [row[0] for row in table(admin, "top")]
    assert charts["top"]["spec"]["labels"] == top[: len(charts["top"]["spec"]["labels"])]

    # A click on the busiest month's bar lists that month's orders.
    busiest = max(range(len(months)), key=lambda i: (int(months[i][1]), i))
    month, orders, total = months[busiest][0], int(months[busiest][1]), ordered[busiest]
    canvas = admin.locator('canvas[data-chart="chart-data-trend"]')
    bar = admin.evaluate(BAR, [canvas.element_handle(), busiest])
    with admin.expect_navigation():
        canvas.click(position={"x": bar["x"], "y": bar["y"]})
    journey.check(admin)
    expect(admin.locator("h1")).to_contain_text(month)
    rows = admin.locator("main table tbody tr")
    expect(rows).to_have_count(orders)
    assert sum(amount(text) for text in rows.locator("td:last-child").all_inner_texts()) == total

    admin.go_back()
    journey.check(admin)
    drawn_charts(admin)
