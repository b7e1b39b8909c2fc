"""Market development funds for benchmark data: a fund per year with a fixed allocation per
partner, activity types, requests in every status with their cost lines, claims for approved
activities (some settled into the wallet), and allocations whose reserved / claimed / paid
columns add up to those rows, as the product keeps them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from mdf.models import MdfActivityType, MdfFund

from .scales import END, Scale
from .sql import analyze, int_array, run, seed_random, text_array

ACTIVITIES = [("bench-expo", "行业展会", "Trade show"), ("bench-seminar", "技术研讨会",
              "Technical seminar"), ("bench-online", "线上推广", "Online campaign"),
              ("bench-demo", "样机展示", "Demo units")]  # fmt: skip
STATUS_MIX = (
    ["draft"] * 5
    + ["submitted"] * 10
    + ["manager_ok"] * 5
    + ["returned"] * 3
    + ["approved"] * 60
    + ["rejected"] * 8
    + ["cancelled"] * 4
    + ["lapsed"] * 5
)
ALLOCATED = Decimal(300_000)


def mdf_generate(scale: Scale, seed: int, partners: list[int]) -> dict[str, int]:
    types = [
        MdfActivityType.objects.get_or_create(code=code, defaults={"name": zh, "name_en": en})[0]
        for code, zh, en in ACTIVITIES
    ]
    fund = MdfFund.objects.create(
        code=f"bench-mdf-{END.year}",
        name=f"{END.year} 年市场发展基金",
        name_en=f"{END.year} market development fund",
        status="active",
        starts_on=date(END.year, 1, 1),
        ends_on=date(END.year, 12, 31),
        expires_on=date(END.year + 1, 3, 31),
        budget=ALLOCATED * len(partners),
        allocation_mode="fixed",
        fixed_amount=ALLOCATED,
    )
    run(
        f"""
        INSERT INTO mdf_mdfallocation (fund_id, partner_id, allocated, reserved, claimed, paid,
            expired, updated_at)
        SELECT {fund.pk}, p, {ALLOCATED}, 0, 0, 0, 0, now() FROM unnest({int_array(partners)}) p
        """  # noqa: S608 - numbers only
    )
    seed_random(seed, 30)
    counts = {
        "mdf requests": run(
            f"""
            INSERT INTO mdf_mdfrequest (number, partner_id, fund_id, activity_type_id, status,
                title, starts_on, ends_on, location, plan, expected_leads, expected_revenue,
                requested_amount, approved_amount, manager_amount, created_by_id, submitted_at,
                created_at)
            SELECT 'BM' || lpad(g::text, 7, '0'), p, {fund.pk}, t, s, '渠道推广活动 ' || g,
                   d, d + 2, '深圳', '活动方案：邀请重点客户参加新品发布。', 50, 500000, amount,
                   CASE WHEN s = 'approved' THEN amount END,
                   CASE WHEN s IN ('manager_ok', 'approved') THEN amount END,
                   NULL, CASE WHEN s <> 'draft' THEN d - 20 END, d - 25
            FROM (
                SELECT g,
                       ({int_array(partners)})[1 + floor(random() * {len(partners)})::int] AS p,
                       ({int_array(t.pk for t in types)})[1 + floor(random() * 4)::int] AS t,
                       ({text_array(STATUS_MIX)})[1 + floor(random() * 100)::int] AS s,
                       date '{END.year}-01-20' + floor(random() * 300)::int AS d,
                       (5000 + floor(random() * 35) * 1000)::numeric AS amount
                FROM generate_series(1, {scale.mdf_requests}) AS g
            ) AS drawn
            """  # noqa: S608
        )
    }
    run(
        """
        INSERT INTO mdf_mdfrequestline (request_id, description, amount)
        SELECT id, '场地及物料', requested_amount FROM mdf_mdfrequest WHERE number LIKE 'BM%'
        """
    )
    seed_random(seed, 31)
    counts["mdf claims"] = run(
        """
        INSERT INTO mdf_mdfclaim (number, request_id, status, claimed_amount, approved_amount,
            leads, new_customers, revenue, settled_as, payout_reference, settled_at,
            created_at)
        SELECT 'BC' || substr(r.number, 3), r.id, c.status, round(r.approved_amount * 0.95, 2),
               CASE WHEN c.status IN ('approved', 'settled')
                    THEN round(r.approved_amount * 0.95, 2) END,
               40, 3, 300000, CASE WHEN c.status = 'settled' THEN 'wallet' ELSE '' END, '',
               CASE WHEN c.status = 'settled' THEN r.ends_on + 30 END, r.ends_on + 10
        FROM mdf_mdfrequest r
        CROSS JOIN LATERAL (
            SELECT (ARRAY['submitted', 'approved', 'settled', 'settled', 'settled', 'rejected'])
                       [1 + floor(random() * 6)::int] AS status
        ) AS c
        WHERE r.number LIKE 'BM%' AND r.status = 'approved' AND r.ends_on < date '2026-11-01'
        """
    )
    # What the allocation holds, as the product's services keep it.
    run(
        f"""
        UPDATE mdf_mdfallocation a SET
            reserved = s.reserved, claimed = s.claimed, paid = s.paid,
            allocated = greatest({ALLOCATED}, s.reserved + s.claimed + s.paid)
        FROM (
            SELECT r.partner_id,
                   coalesce(sum(r.approved_amount) FILTER (
                       WHERE c.id IS NULL OR c.status = 'rejected'), 0) AS reserved,
                   coalesce(sum(c.approved_amount) FILTER (
                       WHERE c.status = 'approved'), 0)
                     + coalesce(sum(r.approved_amount) FILTER (
                       WHERE c.status = 'submitted'), 0) AS claimed,
                   coalesce(sum(c.approved_amount) FILTER (WHERE c.status = 'settled'), 0) AS paid
            FROM mdf_mdfrequest r LEFT JOIN mdf_mdfclaim c ON c.request_id = r.id
            WHERE r.fund_id = {fund.pk} AND r.status = 'approved'
            GROUP BY r.partner_id
        ) AS s
        WHERE a.fund_id = {fund.pk} AND a.partner_id = s.partner_id
        """  # noqa: S608
    )
    analyze("mdf_mdfrequest", "mdf_mdfclaim", "mdf_mdfallocation")
    return counts
