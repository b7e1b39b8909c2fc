"""Scorecard arithmetic, shared by the nightly batch and the live one-partner scorecard.

Set-based: each criterion's metric is read once for all partners (one provider call, one query);
everything after that is Decimal arithmetic in Python. Points are rounded half-up to 0.01 per
line and the score is the sum of the rounded lines, so what people read adds up.

The explanation is plain JSON (Decimals as exact strings) because it is stored on proposals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation

from partners.models import Tier
from prm.core.money import to_decimal
from prm.tenancy.selectors import tenant_today, tenant_zone

from .metrics import custom_kpi_provider, metric_provider
from .models import Metric, ScorecardCriterion

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")
ONE = Decimal(1)
# Counted things: "how much more" is a whole number (2 more certified engineers, not 1.5).
INTEGRAL_METRICS = frozenset({Metric.CERTIFIED_STAFF, Metric.DEALS_WON})


def points_round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Program:
    criteria: list[ScorecardCriterion]
    tiers: list[Tier]  # best (highest rank) first

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), ZERO)


def program_load() -> Program:
    """Active criteria and all tiers: two queries."""
    criteria = list(ScorecardCriterion.objects.filter(is_active=True).select_related("kpi"))
    tiers = list(Tier.objects.order_by("-rank"))
    return Program(criteria=criteria, tiers=tiers)


def today() -> date:
    return tenant_today()


def window(as_of: date, days: int) -> tuple[datetime, datetime]:
    """The `days` days ending with `as_of` (inclusive), as [since, until) in the vendor's zone."""
    zone = tenant_zone()
    end = as_of + timedelta(days=1)
    return (
        datetime.combine(end - timedelta(days=days), time.min, tzinfo=zone),
        datetime.combine(end, time.min, tzinfo=zone),
    )


def values_collect(
    program: Program, *, partner_ids: list[int] | None, as_of: date
) -> dict[int, dict[int, Decimal]]:
    """criterion id -> {partner id -> value}; one provider call per distinct (metric, window)."""
    cache: dict[tuple[str, int | None, int], dict[int, Decimal]] = {}
    result: dict[int, dict[int, Decimal]] = {}
    for criterion in program.criteria:
        key = (criterion.metric, criterion.kpi_id, criterion.window_days)
        if key not in cache:
            provider = (
                custom_kpi_provider(criterion.kpi_id)
                if criterion.metric == Metric.CUSTOM and criterion.kpi_id
                else metric_provider(criterion.metric)
            )
            since, until = window(as_of, criterion.window_days)
            raw = provider(partner_ids=partner_ids, since=since, until=until)
            cache[key] = {pid: to_decimal(v if v is not None else 0) for pid, v in raw.items()}
        result[criterion.pk] = cache[key]
    return result


def _tier_json(tier: Tier | None) -> dict[str, Any] | None:
    if tier is None:
        return None
    return {
        "id": tier.pk,
        "code": tier.code,
        "name": tier.name,
        "name_en": tier.name_en,
        "rank": tier.rank,
        "min_score": str(tier.min_score),
    }


def _labels(c: ScorecardCriterion) -> tuple[str, str]:
    """(Chinese, English) label frozen into the explanation; pages prefer the live metric name."""
    if c.kpi is not None:
        return c.kpi.name, c.kpi.name_en
    metric = Metric(c.metric)
    with translation.override("zh-hans"):
        zh = str(metric.label)
    with translation.override("en"):
        en = str(metric.label)
    return zh, en


def _shown(value: Decimal, metric: str) -> Decimal:
    return value.quantize(ONE if metric in INTEGRAL_METRICS else CENT, rounding=ROUND_HALF_UP)


def tier_for_score(tiers: list[Tier], score: Decimal) -> Tier | None:
    """The best-ranked tier whose minimum the score reaches (tiers best first)."""
    return next((t for t in tiers if t.min_score <= score), None)


def _next_tier(tiers: list[Tier], target: Tier | None) -> Tier | None:
    above = [t for t in tiers if target is None or t.rank > target.rank]
    return min(above, key=lambda t: t.rank) if above else None


def explain(
    program: Program,
    values: dict[int, dict[int, Decimal]],
    *,
    partner_id: int,
    current_tier_id: int | None,
    as_of: date,
) -> dict[str, Any]:
    total_weight = program.total_weight
    lines: list[dict[str, Any]] = []
    raw: list[tuple[ScorecardCriterion, Decimal, Decimal, Decimal]] = []
    score = ZERO
    for c in program.criteria:
        value = values[c.pk].get(partner_id, ZERO)
        counted = min(max(value, ZERO), c.target)
        points = points_round(c.weight * HUNDRED * counted / (total_weight * c.target))
        max_points = points_round(c.weight * HUNDRED / total_weight)
        score += points
        raw.append((c, value, points, max_points))
        label, label_en = _labels(c)
        lines.append(
            {
                "criterion_id": c.pk,
                "metric": c.metric,
                "label": label,
                "label_en": label_en,
                "unit": c.kpi.unit if c.kpi else "",
                "value": str(_shown(value, c.metric)),
                "target": str(c.target),
                "weight": str(c.weight),
                "window_days": c.window_days,
                "points": str(points),
                "max_points": str(max_points),
                "progress": int(counted * HUNDRED / c.target),
            }
        )
    by_id = {t.pk: t for t in program.tiers}
    target = tier_for_score(program.tiers, score)
    upcoming = _next_tier(program.tiers, target)
    return {
        "as_of": as_of.isoformat(),
        "total_weight": str(total_weight),
        "criteria": lines,
        "score": str(score),
        "current_tier": _tier_json(by_id.get(current_tier_id) if current_tier_id else None),
        "target_tier": _tier_json(target),
        "next_tier": _gap(total_weight, raw, lines, score, upcoming) if upcoming else None,
    }


def _gap(
    total_weight: Decimal,
    raw: list[tuple[ScorecardCriterion, Decimal, Decimal, Decimal]],
    lines: list[dict[str, Any]],
    score: Decimal,
    upcoming: Tier,
) -> dict[str, Any]:
    """Points missing for the next tier, and per unmaxed line the extra value that alone closes it.

    `more_value` is rounded *up* (to 0.01, or to 1 for counted metrics) so that adding it really
    reaches the tier; None means this line alone cannot close the gap (its `room` is too small).
    """
    missing = upcoming.min_score - score
    gaps = []
    for (c, value, points, max_points), line in zip(raw, lines, strict=True):
        if value >= c.target:
            continue
        value = max(value, ZERO)
        needed_points = points + missing
        room = c.target - value
        more: Decimal | None = None
        if needed_points <= max_points:
            exact = needed_points * total_weight * c.target / (c.weight * HUNDRED) - value
            step = ONE if c.metric in INTEGRAL_METRICS else CENT
            more = min(exact.quantize(step, rounding=ROUND_CEILING), room)
        gaps.append(
            {
                "criterion_id": c.pk,
                "metric": c.metric,
                "label": line["label"],
                "label_en": line["label_en"],
                "unit": line["unit"],
                "more_value": str(more) if more is not None else None,
                "room": str(room),
            }
        )
    return {**(_tier_json(upcoming) or {}), "points_missing": str(missing), "gaps": gaps}


def explanations_compute(
    *, partner_tiers: dict[int, int | None], partner_ids: list[int] | None, as_of: date
) -> tuple[Program, dict[int, dict[str, Any]]]:
    """Explanations for the partners in `partner_tiers` (id -> current tier id).

    `partner_ids` is what the providers are asked for: None (everyone) in the nightly batch so
    the query carries no huge IN list, `[partner.id]` for one live scorecard.
    """
    program = program_load()
    if not program.criteria:
        return program, {}
    values = values_collect(program, partner_ids=partner_ids, as_of=as_of)
    return program, {
        pid: explain(program, values, partner_id=pid, current_tier_id=tier_id, as_of=as_of)
        for pid, tier_id in partner_tiers.items()
    }
