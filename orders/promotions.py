"""The quote: channel prices plus promotions for a whole cart or order.

`quote_build` is the one calculation behind the cart page, the order and the statement; checkout
calls `promotions_claim` inside its transaction to count what the quote used. The rules, with
worked examples, are in docs/ordering.md ("Prices and promotions"):

* Eligible: active, `starts_at <= at < ends_at`, and the partner matches (no tier, region or
  partner criteria = everyone; otherwise tier in tiers OR region in regions OR partner in
  partners). A promotion with products covers only those products; without, every product.
* Line promotions (percent off, amount off each unit): per line, option A = every stackable one in
  order (priority desc, pk asc), each on the running price; option B = the single best
  non-stackable one (ties: higher priority, then lower pk). The larger discount wins (tie: A). The
  line's discount is computed exactly and rounded once (half-up, currency minor unit).
* Gifts: `(quantity // buy_quantity) * gift_quantity` per covered line, summed per promotion, as a
  separate free line. Gifts combine with everything.
* Thresholds: on the net (after line discounts) of non-gift lines it covers, the highest step
  reached; the same A/B rule across threshold promotions; at most the order's net; spread over
  non-gift lines in proportion to their net, the rounding remainder on the largest line.
* Limits (`limit_total`, `limit_per_partner`) count discounted units, gift units, or one per order
  for thresholds. A quote uses at most what is left; `promotions_claim` takes it with
  conditional UPDATEs and refuses when a concurrent order took the last units.

Money is Decimal throughout, built from strings or database values; never float.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner
from prm.core.money import quantize
from prm.tenancy.selectors import current_tenant

from .models import (
    LINE_KINDS,
    Order,
    Product,
    Promotion,
    PromotionKind,
    PromotionPartnerUsage,
    PromotionTier,
)
from .pricing import prices_for

ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass
class QuoteLine:
    product: Product
    quantity: int
    list_price: Decimal
    unit_price: Decimal
    price_rule: str  # PriceQuote.rule_text(), or the gift's promotion for gift lines
    gross: Decimal  # unit_price * quantity, exact
    discount: Decimal  # line promotions, rounded once per line
    net: Decimal  # gross - discount
    order_discount: Decimal  # this line's share of the threshold discount
    total: Decimal  # net - order_discount
    is_gift: bool = False
    # [{"id", "code", "name", "name_en", "kind", "amount": "12.34" | "units": n}], JSON-ready.
    promotions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def all_discounts(self) -> Decimal:
        return self.discount + self.order_discount


@dataclass
class AppliedPromotion:
    promotion: Promotion
    units: int  # discounted or gift units; 1 per order for a threshold: what counts against limits


@dataclass
class Quote:
    lines: list[QuoteLine]
    subtotal: Decimal  # gross of the non-gift lines
    line_discount: Decimal
    order_discount: Decimal
    total: Decimal
    applied: list[AppliedPromotion]
    currency: str

    @property
    def discount_total(self) -> Decimal:
        return self.line_discount + self.order_discount


@dataclass
class _Offer:
    """An eligible promotion as loaded for one quote, with what is left of its limits."""

    promotion: Promotion
    all_products: bool
    product_ids: set[int]
    # Units (orders, for thresholds) this partner may still use; None: no limit.
    left: int | None

    def covers(self, product_id: int) -> bool:
        return self.all_products or product_id in self.product_ids

    def cap(self, units: int) -> int:
        return units if self.left is None else min(units, self.left)

    def take(self, units: int) -> None:
        if self.left is not None:
            self.left -= units


# Units of one line at one running unit price: (count, price).
_Buckets = list[tuple[int, Decimal]]


def quote_build(
    *, partner: Partner, items: Sequence[tuple[Product, int]], at: datetime | None = None
) -> Quote:
    """Price and promote a cart; a bounded number of queries whatever the number of lines."""
    at = at or timezone.now()
    currency = current_tenant().currency
    for _product, quantity in items:
        if quantity < 1:
            raise ValidationError({"quantity": _("Quantity must be at least 1.")})
    prices = prices_for(partner=partner, items=items, on=timezone.localdate(at))
    offers = _offers_for(partner=partner, at=at, product_ids={p.pk for p, _q in items})
    usage: dict[int, int] = defaultdict(int)  # promotion pk -> units this quote uses

    lines: list[QuoteLine] = []
    for price in prices:
        gross = price.unit_price * price.quantity
        chosen = _line_promotions(
            [o for o in offers if o.promotion.kind in LINE_KINDS and o.covers(price.product.pk)],
            unit_price=price.unit_price,
            quantity=price.quantity,
        )
        # Exact until here; rounded once for the line.
        discount = quantize(sum((exact for _o, _u, exact in chosen), ZERO), currency)
        shares = _split(discount, [exact for _o, _u, exact in chosen], currency)
        entries = []
        for (offer, units, _exact), share in zip(chosen, shares, strict=True):
            offer.take(units)
            usage[offer.promotion.pk] += units
            entries.append(_entry(offer.promotion, amount=share, units=units))
        lines.append(
            QuoteLine(
                product=price.product,
                quantity=price.quantity,
                list_price=price.list_price,
                unit_price=price.unit_price,
                price_rule=price.rule_text(),
                gross=gross,
                discount=discount,
                net=gross - discount,
                order_discount=quantize(ZERO, currency),
                total=gross - discount,
                promotions=entries,
            )
        )
    paid_lines = list(lines)
    _apply_thresholds(
        [o for o in offers if o.promotion.kind == PromotionKind.THRESHOLD],
        paid_lines,
        usage,
        currency,
    )
    lines.extend(
        _gift_lines(
            [o for o in offers if o.promotion.kind == PromotionKind.GIFT],
            paid_lines,
            usage,
            currency,
        )
    )

    zero = quantize(ZERO, currency)
    subtotal = sum((line.gross for line in paid_lines), zero)
    line_discount = sum((line.discount for line in paid_lines), zero)
    order_discount = sum((line.order_discount for line in paid_lines), zero)
    applied = [
        AppliedPromotion(promotion=offer.promotion, units=usage[offer.promotion.pk])
        for offer in offers  # already in (priority desc, pk) order
        if usage.get(offer.promotion.pk, 0) > 0
    ]
    return Quote(
        lines=lines,
        subtotal=subtotal,
        line_discount=line_discount,
        order_discount=order_discount,
        total=subtotal - line_discount - order_discount,
        applied=applied,
        currency=currency,
    )


@transaction.atomic
def promotions_claim(*, quote: Quote, partner: Partner) -> None:
    """Count what the quote used against each promotion's limits; call inside checkout's atomic.

    Conditional UPDATEs, promotions in pk order (a fixed lock order: no deadlock between two
    checkouts sharing promotions). The first UPDATE holds the promotion row until commit, so
    claims on one promotion queue behind each other and each re-checks the limit it sees.
    Refuses with a ValidationError naming the promotion when a concurrent order took the last
    units; the caller's transaction then rolls back whatever this call had counted.
    """
    for applied in sorted(quote.applied, key=lambda a: a.promotion.pk):
        promotion, units = applied.promotion, applied.units
        if units < 1:
            continue
        # The limit per partner is read under the row lock the UPDATE takes: as it is now.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Promotion._meta.db_table} SET used_total = used_total + %s "  # noqa: S608
                "WHERE id = %s AND (limit_total IS NULL OR used_total <= limit_total - %s) "
                "RETURNING limit_per_partner",
                [units, promotion.pk, units],
            )
            claimed = cursor.fetchone()
        if claimed is None:
            raise ValidationError(
                _("Promotion %(name)s has run out; review your cart."),
                code="promotion_exhausted",
                params={"name": promotion.display_name},
            )
        if not _usage_add(promotion_id=promotion.pk, partner_id=partner.pk, units=units,
                          limit=claimed[0]):  # fmt: skip
            raise ValidationError(
                _("Promotion %(name)s has reached its limit for your company; review your cart."),
                code="promotion_partner_limit",
                params={"name": promotion.display_name},
            )


def _usage_add(*, promotion_id: int, partner_id: int, units: int, limit: int | None) -> bool:
    """Count `units` against the partner's use of a promotion, within `limit`; one statement
    whether or not the partner used it before. False (nothing counted) past the limit."""
    if limit is not None and units > limit:
        return False
    table = PromotionPartnerUsage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS u (promotion_id, partner_id, used) "  # noqa: S608 - names
            "VALUES (%s, %s, %s) ON CONFLICT (promotion_id, partner_id) "
            "DO UPDATE SET used = u.used + EXCLUDED.used "
            "WHERE %s::int IS NULL OR u.used <= %s::int - EXCLUDED.used RETURNING u.used",
            [promotion_id, partner_id, units, limit, limit],
        )
        return cursor.fetchone() is not None


def _offers_for(*, partner: Partner, at: datetime, product_ids: set[int]) -> list[_Offer]:
    """Eligible promotions with their product scope and what is left: four queries at most."""
    if not product_ids:
        return []
    tiers = Promotion.eligible_tiers.through.objects.filter(promotion_id=OuterRef("pk"))
    partners = Promotion.eligible_partners.through.objects.filter(promotion_id=OuterRef("pk"))
    scope = Promotion.products.through.objects.filter(promotion_id=OuterRef("pk"))
    everyone = ~Q(Exists(tiers)) & ~Q(Exists(partners)) & Q(eligible_regions=[])
    matches = Q(Exists(partners.filter(partner_id=partner.pk))) | Q(
        eligible_regions__contains=[partner.region]
    )
    if partner.tier_id is not None:
        matches |= Q(Exists(tiers.filter(tier_id=partner.tier_id)))
    promotions = list(
        Promotion.objects.filter(
            everyone | matches, is_active=True, starts_at__lte=at, ends_at__gt=at
        )
        .annotate(has_products=Exists(scope))
        .select_related("gift_product")
        .order_by("-priority", "pk")
    )
    if not promotions:
        return []
    prefetch_related_objects(
        [p for p in promotions if p.kind == PromotionKind.THRESHOLD],
        Prefetch("tiers", queryset=PromotionTier.objects.order_by("threshold")),
    )
    scoped: defaultdict[int, set[int]] = defaultdict(set)
    if any(p.has_products for p in promotions):
        rows = Promotion.products.through.objects.filter(
            promotion_id__in=[p.pk for p in promotions], product_id__in=product_ids
        ).values_list("promotion_id", "product_id")
        for promotion_id, product_id in rows:
            scoped[promotion_id].add(product_id)
    used = dict(
        PromotionPartnerUsage.objects.filter(
            partner_id=partner.pk, promotion_id__in=[p.pk for p in promotions]
        ).values_list("promotion_id", "used")
    )
    return [
        _Offer(
            promotion=p,
            all_products=not p.has_products,
            product_ids=scoped[p.pk],
            left=_left(p, used.get(p.pk, 0)),
        )
        for p in promotions
    ]


def _left(promotion: Promotion, used_by_partner: int) -> int | None:
    caps = []
    if promotion.limit_total is not None:
        caps.append(promotion.limit_total - promotion.used_total)
    if promotion.limit_per_partner is not None:
        caps.append(promotion.limit_per_partner - used_by_partner)
    return max(min(caps), 0) if caps else None


def _line_promotions(
    offers: list[_Offer], *, unit_price: Decimal, quantity: int
) -> list[tuple[_Offer, int, Decimal]]:
    """The winning option's promotions: (offer, units discounted, exact discount) each."""
    stacked: list[tuple[_Offer, int, Decimal]] = []
    buckets: _Buckets = [(quantity, unit_price)]
    for offer in offers:
        units = offer.cap(quantity)
        if offer.promotion.stackable and units > 0:
            buckets, amount = _discount_units(buckets, offer.promotion, units)
            if amount > 0:
                stacked.append((offer, units, amount))
    best: tuple[_Offer, int, Decimal] | None = None
    for offer in offers:  # (priority desc, pk asc): the first of equal discounts wins the tie
        units = offer.cap(quantity)
        if not offer.promotion.stackable and units > 0:
            _b, amount = _discount_units([(quantity, unit_price)], offer.promotion, units)
            if amount > 0 and (best is None or amount > best[2]):
                best = (offer, units, amount)
    if best is not None and best[2] > sum((amount for _o, _u, amount in stacked), ZERO):
        return [best]
    return stacked


def _discount_units(
    buckets: _Buckets, promotion: Promotion, units: int
) -> tuple[_Buckets, Decimal]:
    """Discount `units` units, the dearest first; return the new buckets and the exact discount.

    Without a limit every unit is discounted and all units cost the same, so this is the line
    running price of the rule. With a limit, later stacked promotions reach units not yet
    discounted first.
    """
    result: _Buckets = []
    discount = ZERO
    left = units
    for count, price in sorted(buckets, key=lambda bucket: bucket[1], reverse=True):
        take = min(count, left)
        left -= take
        if take:
            new_price = _discounted(price, promotion)
            discount += (price - new_price) * take
            result.append((take, new_price))
        if count > take:
            result.append((count - take, price))
    return result, discount


def _discounted(price: Decimal, promotion: Promotion) -> Decimal:
    if promotion.kind == PromotionKind.PERCENT_OFF:
        assert promotion.percent is not None
        return price * (1 - promotion.percent / HUNDRED)
    assert promotion.amount is not None
    return max(price - promotion.amount, ZERO)


def _apply_thresholds(
    offers: list[_Offer], lines: list[QuoteLine], usage: dict[int, int], currency: str
) -> None:
    """Set each paid line's share of the order discount (and its total)."""
    if not lines:
        return
    reached: list[tuple[_Offer, Decimal]] = []
    for offer in offers:
        if offer.cap(1) < 1:
            continue
        base = sum((line.net for line in lines if offer.covers(line.product.pk)), ZERO)
        steps = [s for s in offer.promotion.tiers.all() if s.threshold <= base]
        if steps and steps[-1].discount > 0:  # ordered by threshold: the last is the highest
            reached.append((offer, steps[-1].discount))
    stacked = [(o, d) for o, d in reached if o.promotion.stackable]
    best: tuple[_Offer, Decimal] | None = None
    for offer, amount in reached:
        if not offer.promotion.stackable and (best is None or amount > best[1]):
            best = (offer, amount)
    chosen = stacked
    if best is not None and best[1] > sum((d for _o, d in stacked), ZERO):
        chosen = [best]
    net = sum((line.net for line in lines), ZERO)
    discount = quantize(min(sum((d for _o, d in chosen), ZERO), net), currency)
    if discount <= 0:
        return
    for offer, _amount in chosen:
        offer.take(1)
        usage[offer.promotion.pk] += 1
    amounts = [amount for _o, amount in chosen]
    shares = _split(discount, [line.net for line in lines], currency)
    for line, share in zip(lines, shares, strict=True):
        line.order_discount = share
        line.total = line.net - share
        if share:
            parts = _split(share, amounts, currency)
            for (offer, _amount), part in zip(chosen, parts, strict=True):
                if part:
                    line.promotions.append(_entry(offer.promotion, amount=part))


def _gift_lines(
    offers: list[_Offer], lines: list[QuoteLine], usage: dict[int, int], currency: str
) -> list[QuoteLine]:
    zero = quantize(ZERO, currency)
    gifts = []
    for offer in offers:
        promotion = offer.promotion
        buy, per, product = promotion.buy_quantity, promotion.gift_quantity, promotion.gift_product
        if not buy or not per or product is None:
            continue  # the model's check constraint rules this out
        units = offer.cap(
            sum((line.quantity // buy) * per for line in lines if offer.covers(line.product.pk))
        )
        if units < 1:
            continue
        offer.take(units)
        usage[promotion.pk] += units
        gifts.append(
            QuoteLine(
                product=product,
                quantity=units,
                list_price=product.list_price,
                unit_price=zero,
                price_rule=_("Gift from promotion %(name)s") % {"name": promotion.display_name},
                gross=zero,
                discount=zero,
                net=zero,
                order_discount=zero,
                total=zero,
                is_gift=True,
                promotions=[_entry(promotion, units=units)],
            )
        )
    return gifts


def _split(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """`total` in proportion to `weights`, each share rounded, the remainder on the largest
    weight (the first of equals), so the shares add up to `total` exactly."""
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole == 0:
        return [total] + [quantize(ZERO, currency)] * (len(weights) - 1)
    shares = [quantize(total * weight / whole, currency) for weight in weights]
    largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
    shares[largest] += total - sum(shares, ZERO)
    return shares


def _entry(
    promotion: Promotion, *, amount: Decimal | None = None, units: int | None = None
) -> dict[str, Any]:
    """What an order line keeps of a promotion: JSON-ready, both names (not the reader's)."""
    entry: dict[str, Any] = {
        "id": promotion.pk,
        "code": promotion.code,
        "name": promotion.name,
        "name_en": promotion.name_en,
        "kind": str(promotion.kind),
    }
    if amount is not None:
        entry["amount"] = str(amount)
    if units is not None:
        entry["units"] = units
    return entry


def promotions_release(*, order: Order) -> None:
    """Give back what a cancelled or rejected order counted against promotion limits.

    Units are read from the order's lines as stored at checkout (line and gift promotions: their
    units; a threshold: one use per order). Conditional updates never take a counter below zero.
    """
    units: dict[int, int] = {}
    for stored in order.lines.values_list("promotions", flat=True):
        for entry in stored or []:
            if entry.get("kind") == PromotionKind.THRESHOLD:
                units[entry["id"]] = 1
            elif entry.get("units"):
                units[entry["id"]] = units.get(entry["id"], 0) + int(entry["units"])
    for promotion_id in sorted(units):
        n = units[promotion_id]
        Promotion.objects.filter(pk=promotion_id, used_total__gte=n).update(
            used_total=F("used_total") - n
        )
        PromotionPartnerUsage.objects.filter(
            promotion_id=promotion_id, partner_id=order.partner_id, used__gte=n
        ).update(used=F("used") - n)
