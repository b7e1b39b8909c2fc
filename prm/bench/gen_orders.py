"""Order history for benchmark data, loaded set-based (INSERT … SELECT generate_series): orders
over the scale's months with growth, skewed to busy partners and best-selling SKUs; statuses by
age (recent orders still open, old ones completed, some cancelled or rejected); consistent
totals; shipments with their lines; returns; payments."""

from __future__ import annotations

from datetime import timedelta

from .scales import END, Scale, start_of
from .sql import analyze, int_array, local_midnight, run, scalar, seed_random, text_array

SHIPPED = ("partially_shipped", "shipped", "received", "completed")
OPEN_MIX = ["submitted"] * 3 + ["approved"] * 3 + ["partially_shipped"] * 2 + ["shipped"] * 2
CLOSED_MIX = ["completed"] * 84 + ["received"] * 6 + ["cancelled"] * 6 + ["rejected"] * 4


def orders_generate(scale: Scale, seed: int, partners: list[int], products: list[int]) -> dict:
    counts: dict[str, int] = {}
    n_orders = scale.order_lines // scale.lines_per_order
    since, until = local_midnight(start_of(scale)), local_midnight(END + timedelta(days=1))
    recent = local_midnight(END - timedelta(days=14))
    seed_random(seed, 10)
    # Busy partners order often (power skew); the business grows over the months (power < 1).
    run(
        f"""
        INSERT INTO orders_order (number, partner_id, status, currency, subtotal,
            discount_total, total, paid_prepaid, paid_rebate, paid_credit, placed_by_id,
            ship_to, note, received_at, created_at)
        SELECT 'BO' || lpad(g::text, 8, '0'), p, CASE WHEN at >= {recent}
                 THEN ({text_array(OPEN_MIX)})[1 + floor(random() * {len(OPEN_MIX)})::int]
                 ELSE ({text_array(CLOSED_MIX)})[1 + floor(random() * 100)::int] END,
               'CNY', 0, 0, 0, 0, 0, 0, NULL, '', '', NULL, at
        FROM (
            SELECT g, ({int_array(partners)})
                       [1 + floor(power(random(), 1.8) * {len(partners)})::int] AS p,
                   {since} + power(random(), 0.8) * ({until} - {since}) AS at
            FROM generate_series(1, {n_orders}) AS g
        ) AS drawn
        """  # noqa: S608 - literals built here
    )
    analyze("orders_order")
    seed_random(seed, 11)
    counts["order lines"] = run(
        f"""
        WITH o AS (
            SELECT id, status, row_number() OVER (ORDER BY id) AS rn
            FROM orders_order WHERE number LIKE 'BO%'
        ), p AS (
            SELECT id, list_price, row_number() OVER (ORDER BY id) AS rn
            FROM orders_product WHERE id = ANY({int_array(products)})
        ), g AS (
            SELECT 1 + floor(random() * {n_orders})::int AS orn,
                   1 + floor(power(random(), 1.6) * {len(products)})::int AS prn,
                   1 + floor(power(random(), 2) * 30)::int AS qty,
                   random() < 0.02 AS gift,
                   (ARRAY[0.85, 0.88, 0.92, 0.96])[1 + floor(random() * 4)::int] AS share
            FROM generate_series(1, {scale.order_lines})
        ), priced AS (
            SELECT o.id AS order_id, o.status, p.id AS product_id, g.qty, g.gift, p.list_price,
                   CASE WHEN g.gift THEN 0 ELSE round(p.list_price * g.share, 2) END AS unit
            FROM g JOIN o ON o.rn = g.orn JOIN p ON p.rn = g.prn
        )
        INSERT INTO orders_orderline (order_id, product_id, quantity, list_price, unit_price,
            price_rule, discount, order_discount, line_total, is_gift, promotions,
            shipped_quantity, returned_quantity)
        SELECT order_id, product_id, qty, list_price, unit,
               CASE WHEN gift THEN '赠品' ELSE '等级价' END, 0, 0, unit * qty, gift, '[]',
               CASE WHEN status IN ('shipped', 'received', 'completed') THEN qty
                    WHEN status = 'partially_shipped' THEN qty / 2 ELSE 0 END, 0
        FROM priced
        """  # noqa: S608
    )
    analyze("orders_orderline")
    run(
        """
        DELETE FROM orders_order o WHERE o.number LIKE 'BO%'
        AND NOT EXISTS (SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id)
        """
    )
    # Paid from the wallet; the wallet balances themselves are the opening top-ups.
    run(
        """
        UPDATE orders_order o SET subtotal = s.total, total = s.total, paid_prepaid = s.total
        FROM (SELECT order_id, sum(line_total) AS total FROM orders_orderline
              GROUP BY order_id) AS s
        WHERE s.order_id = o.id AND o.number LIKE 'BO%'
        """
    )
    counts["orders"] = scalar("SELECT count(*) FROM orders_order WHERE number LIKE 'BO%'")
    counts.update(_fulfilment(seed))
    counts["payments"] = _payments(scale, seed, partners, n_orders // 2)
    analyze("orders_order", "orders_shipment", "orders_shipmentline", "orders_payment")
    return counts


def _fulfilment(seed: int) -> dict[str, int]:
    counts = {}
    shipped = ", ".join(f"'{s}'" for s in SHIPPED)
    warehouse = scalar("SELECT id FROM orders_warehouse WHERE code = 'bench-east'")
    seed_random(seed, 12)
    counts["shipments"] = run(
        f"""
        INSERT INTO orders_shipment (number, order_id, warehouse_id, carrier, tracking_number,
            shipped_at, shipped_by_id, delivered_at)
        SELECT 'BS' || o.id, o.id, {int(warehouse)}, '顺丰', 'SF' || o.id,
               o.created_at + (0.5 + random() * 6) * interval '1 day', NULL, NULL
        FROM orders_order o WHERE o.number LIKE 'BO%' AND o.status IN ({shipped})
        """  # noqa: S608
    )
    analyze("orders_shipment")
    run(
        """
        INSERT INTO orders_shipmentline (shipment_id, order_line_id, quantity)
        SELECT s.id, l.id, l.shipped_quantity
        FROM orders_shipment s JOIN orders_orderline l ON l.order_id = s.order_id
        WHERE s.number LIKE 'BS%' AND l.shipped_quantity > 0
        """
    )
    seed_random(seed, 13)
    counts["returns"] = run(
        """
        INSERT INTO orders_returnrequest (number, order_id, status, reason, refund_total,
            requested_by_id, created_at)
        SELECT 'BR' || o.id, o.id,
               (ARRAY['received', 'received', 'received', 'received', 'received',
                      'received', 'received', 'received', 'requested', 'rejected'])
                   [1 + floor(random() * 10)::int],
               '质量问题', 0, NULL, o.created_at + (3 + random() * 30) * interval '1 day'
        FROM orders_order o
        WHERE o.number LIKE 'BO%' AND o.status = 'completed' AND random() < 0.02
        """
    )
    analyze("orders_returnrequest")
    run(
        """
        INSERT INTO orders_returnline (request_id, order_line_id, quantity, refund)
        SELECT r.id, l.id, greatest(1, l.shipped_quantity / 3),
               round(l.line_total * greatest(1, l.shipped_quantity / 3) / l.quantity, 2)
        FROM orders_returnrequest r JOIN orders_orderline l ON l.order_id = r.order_id
        WHERE r.number LIKE 'BR%' AND l.shipped_quantity > 0 AND NOT l.is_gift
          AND random() < 0.4
        """
    )
    run(
        """
        UPDATE orders_orderline l SET returned_quantity = rl.quantity
        FROM orders_returnline rl JOIN orders_returnrequest r ON r.id = rl.request_id
        WHERE rl.order_line_id = l.id AND r.number LIKE 'BR%' AND r.status = 'received'
        """
    )
    run(
        """
        UPDATE orders_returnrequest r SET refund_total = s.total
        FROM (SELECT request_id, sum(refund) AS total FROM orders_returnline
              GROUP BY request_id) AS s
        WHERE s.request_id = r.id AND r.number LIKE 'BR%'
        """
    )
    analyze("orders_returnline", "orders_orderline")
    return counts


def _payments(scale: Scale, seed: int, partners: list[int], n: int) -> int:
    first = start_of(scale)
    days = (END - first).days + 1
    seed_random(seed, 14)
    return run(
        f"""
        INSERT INTO orders_payment (number, partner_id, amount, method, received_on, reference,
            source, external_id, recorded_by_id, created_at)
        SELECT 'BP' || lpad(g::text, 8, '0'),
               ({int_array(partners)})[1 + floor(power(random(), 1.8) * {len(partners)})::int],
               round((1000 + power(random(), 2) * 200000)::numeric, 2), 'bank_transfer',
               date '{first}' + floor(power(random(), 0.8) * {days})::int, '', 'erp', '', NULL,
               now()
        FROM generate_series(1, {n}) AS g
        """  # noqa: S608
    )
