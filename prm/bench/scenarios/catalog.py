"""A dealer's catalog page: 50 SKUs with their tier / region / partner price and stock, a search
term, through the whole request (middleware, view, template). Baseline: one hand-written
statement returning the same page (the products, their winning price and stock, the count)."""

from __future__ import annotations

from functools import partial

from orders.catalog import CatalogFilter, products_for_partner
from prm.accounts.models import User

from ..generate import Manifest
from ..measure import Result, p95, repeat_ms, sql_ms, statements
from ..sql import scalar
from .common import in_vendor, signed_in

TERMS = ["网关", "5G", "sensor", "GW1-00", "宽温", "Plus"]
RUNS = 15
TARGET_MS = 120.0

BASELINE = """
SELECT p.id, p.sku, p.name, p.list_price, coalesce(pr.price, p.list_price),
       coalesce(st.available, 0), count(*) OVER ()
FROM orders_product p
JOIN partners_partner_product_lines pl
  ON pl.productline_id = p.product_line_id AND pl.partner_id = %(partner)s
LEFT JOIN LATERAL (
    SELECT i.price FROM orders_pricelistitem i JOIN orders_pricelist l ON l.id = i.price_list_id
    WHERE i.product_id = p.id AND i.min_quantity <= 1 AND l.is_active
      AND (l.valid_from IS NULL OR l.valid_from <= current_date)
      AND (l.valid_to IS NULL OR l.valid_to >= current_date)
      AND ((l.kind = 'partner' AND l.partner_id = %(partner)s)
           OR (l.kind = 'region' AND l.region = %(region)s)
           OR (l.kind = 'tier' AND l.tier_id = %(tier)s))
    ORDER BY CASE l.kind WHEN 'partner' THEN 3 WHEN 'region' THEN 2 ELSE 1 END DESC,
             i.min_quantity DESC, l.valid_from DESC NULLS LAST, l.id DESC
    LIMIT 1
) pr ON true
LEFT JOIN LATERAL (
    SELECT sum(s.on_hand - s.reserved) AS available FROM orders_stock s WHERE s.product_id = p.id
) st ON true
WHERE p.is_active AND (p.sku ILIKE %(q)s OR p.name ILIKE %(q)s OR p.name_en ILIKE %(q)s)
ORDER BY p.sku LIMIT 50
"""


def run(manifest: Manifest) -> list[Result]:
    with in_vendor(manifest):
        email = manifest.dealer_logins[0]
        client = signed_in(manifest, email)
        partner = User.objects.select_related("partner").get(email=email).partner
        assert partner is not None
        products = products_for_partner(partner)
        samples: list[float] = []
        baseline: list[float] = []
        shown = {}
        for term in TERMS:
            url = f"/portal/orders/catalog/?q={term}"
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            shown[term] = CatalogFilter({"q": term}, queryset=products, partner=partner).qs.count()
            samples += repeat_ms(partial(client.get, url), RUNS)
            params = {"partner": partner.pk, "region": partner.region, "tier": partner.tier_id,
                      "q": f"%{term}%"}  # fmt: skip
            sql_ms(BASELINE, params)
            baseline += [sql_ms(BASELINE, params) for _ in range(RUNS)]
        queries = len(statements(lambda: client.get(f"/portal/orders/catalog/?q={TERMS[0]}")))
        skus = int(scalar("SELECT count(*) FROM orders_product"))
    return [
        Result(
            scenario="catalog page (dealer, search, 50 per page)",
            scale=manifest.scale,
            samples_ms=samples,
            target=f"p95 ≤ {TARGET_MS:.0f} ms",
            met=p95(samples) <= TARGET_MS,
            queries=queries,
            baseline="one SQL statement: page, prices, stock",
            baseline_ms=baseline,
            notes={
                "SKUs": skus,
                "matches per term": ", ".join(f"{t} {n}" for t, n in shown.items()),
            },
        )
    ]
