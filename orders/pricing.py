"""Channel prices (等级价 / 区域价 / 客户价): what a partner pays for a product, and why.

Resolution for one product, one quantity and one day `on` (default: today in the vendor's time
zone, `timezone.localdate()`):

1. A price list applies to the partner when it is active, valid on `on` (`valid_from` and
   `valid_to` inclusive, empty = open-ended) and aimed at the partner: a partner list naming this
   partner, a region list whose region equals `partner.region`, a tier list naming `partner.tier`.
2. The items of those lists for the product with `min_quantity <= quantity` are the candidates.
3. The candidate with the highest kind precedence wins (partner 3 > region 2 > tier 1, see
   `KIND_PRECEDENCE`); then the largest quantity break reached; then the latest `valid_from`
   (empty counts as oldest); then the highest price-list id (the list created last).
4. No candidate: the product's list price (source kind "list").

A channel price wins even when it is above the list price: the vendor set it on purpose.
Prices are stored with two decimals; nothing is rounded here. `prices_for` costs one query for any
number of products. The same rule is written for people in docs/ordering.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Partner

from .models import KIND_PRECEDENCE, PriceList, PriceListItem, PriceListKind, Product

LIST_KIND = "list"

# Plain / from a quantity break, per kind; full sentences so translators see whole phrases.
_RULE_TEXTS: dict[str, tuple[Promise, Promise]] = {
    PriceListKind.PARTNER: (
        gettext_lazy("Partner price list %(name)s"),
        gettext_lazy("Partner price list %(name)s (from %(quantity)s units)"),
    ),
    PriceListKind.REGION: (
        gettext_lazy("Region price list %(name)s"),
        gettext_lazy("Region price list %(name)s (from %(quantity)s units)"),
    ),
    PriceListKind.TIER: (
        gettext_lazy("Tier price list %(name)s"),
        gettext_lazy("Tier price list %(name)s (from %(quantity)s units)"),
    ),
}

# Why a list of a lower kind lost: (winner kind, loser kind) -> reason.
_KIND_BEATS: dict[tuple[str, str], Promise] = {
    (PriceListKind.PARTNER, PriceListKind.REGION): gettext_lazy(
        "a partner price wins over a region price"
    ),
    (PriceListKind.PARTNER, PriceListKind.TIER): gettext_lazy(
        "a partner price wins over a tier price"
    ),
    (PriceListKind.REGION, PriceListKind.TIER): gettext_lazy(
        "a region price wins over a tier price"
    ),
}


@dataclass(frozen=True)
class PriceSource:
    kind: str  # "list", or a PriceListKind value
    price_list_id: int | None
    price_list_name: str
    min_quantity: int  # the quantity break used (1 for the list price)

    @property
    def is_list_price(self) -> bool:
        return self.kind == LIST_KIND

    def rule_text(self) -> str:
        """A short explanation in the active language, e.g. "Partner price list 华东专享"."""
        if self.is_list_price:
            return _("List price")
        plain, from_break = _RULE_TEXTS[self.kind]
        template = from_break if self.min_quantity > 1 else plain
        return str(template) % {"name": self.price_list_name, "quantity": self.min_quantity}


LIST_PRICE_SOURCE = PriceSource(
    kind=LIST_KIND, price_list_id=None, price_list_name="", min_quantity=1
)


@dataclass(frozen=True)
class PriceQuote:
    product: Product
    quantity: int
    list_price: Decimal
    unit_price: Decimal
    source: PriceSource

    def rule_text(self) -> str:
        return self.source.rule_text()


@dataclass(frozen=True)
class PriceCandidate:
    """One price that could apply, for the vendor page "what does X pay for Y today, and why"."""

    source: PriceSource
    price: Decimal
    valid_from: date | None
    valid_to: date | None
    won: bool
    why_not: str  # translated reason it lost; empty for the winner


def prices_for(
    *, partner: Partner, items: Sequence[tuple[Product, int]], on: date | None = None
) -> list[PriceQuote]:
    """The unit price of each (product, quantity), in the order given; one query in all."""
    if not items:
        return []
    for _product, quantity in items:
        if quantity < 1:
            raise ValueError("quantity must be at least 1")
    day = on or timezone.localdate()
    found = _items_by_product(partner, {product.pk for product, _q in items}, valid_on=day)
    quotes = []
    for product, quantity in items:
        best = _best(item for item in found[product.pk] if item.min_quantity <= quantity)
        if best is None:
            quotes.append(
                PriceQuote(
                    product=product,
                    quantity=quantity,
                    list_price=product.list_price,
                    unit_price=product.list_price,
                    source=LIST_PRICE_SOURCE,
                )
            )
        else:
            quotes.append(
                PriceQuote(
                    product=product,
                    quantity=quantity,
                    list_price=product.list_price,
                    unit_price=best.price,
                    source=_source(best),
                )
            )
    return quotes


def price_for(
    *, partner: Partner, product: Product, quantity: int, on: date | None = None
) -> PriceQuote:
    return prices_for(partner=partner, items=[(product, quantity)], on=on)[0]


def price_explain(
    *, partner: Partner, product: Product, quantity: int, on: date | None = None
) -> list[PriceCandidate]:
    """Every price aimed at this partner for the product, the winner marked, the others with why.

    Includes lists that are inactive or outside their dates (so the page can say so), ordered
    as the resolution ranks them, and the list price last. Exactly one candidate has `won`.
    """
    day = on or timezone.localdate()
    items = sorted(
        _items_by_product(partner, {product.pk}, valid_on=None)[product.pk],
        key=_rank,
        reverse=True,
    )
    winner = _best(i for i in items if _valid(i.price_list, day) and i.min_quantity <= quantity)
    candidates = [
        PriceCandidate(
            source=_source(item),
            price=item.price,
            valid_from=item.price_list.valid_from,
            valid_to=item.price_list.valid_to,
            won=item is winner,
            why_not="" if item is winner else _why_not(item, winner, quantity, day),
        )
        for item in items
    ]
    candidates.append(
        PriceCandidate(
            source=LIST_PRICE_SOURCE,
            price=product.list_price,
            valid_from=None,
            valid_to=None,
            won=winner is None,
            why_not="" if winner is None else _("a channel price applies"),
        )
    )
    return candidates


def _items_by_product(
    partner: Partner, product_ids: set[int], *, valid_on: date | None
) -> defaultdict[int, list[PriceListItem]]:
    """Items of the lists aimed at the partner; only lists valid on `valid_on` unless None."""
    target = Q(price_list__kind=PriceListKind.PARTNER, price_list__partner_id=partner.pk) | Q(
        price_list__kind=PriceListKind.REGION, price_list__region=partner.region
    )
    if partner.tier_id is not None:
        target |= Q(price_list__kind=PriceListKind.TIER, price_list__tier_id=partner.tier_id)
    items = PriceListItem.objects.filter(target, product_id__in=product_ids)
    if valid_on is not None:
        items = items.filter(
            Q(price_list__valid_from__isnull=True) | Q(price_list__valid_from__lte=valid_on),
            Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=valid_on),
            price_list__is_active=True,
        )
    found: defaultdict[int, list[PriceListItem]] = defaultdict(list)
    for item in items.select_related("price_list").order_by():
        found[item.product_id].append(item)
    return found


def _valid(price_list: PriceList, day: date) -> bool:
    """The same test as the query in `_items_by_product`, for `price_explain`."""
    return (
        price_list.is_active
        and (price_list.valid_from is None or price_list.valid_from <= day)
        and (price_list.valid_to is None or price_list.valid_to >= day)
    )


def _rank(item: PriceListItem) -> tuple[int, int, date, int]:
    """Larger wins: kind precedence, quantity break, latest start (open = oldest), list id."""
    price_list = item.price_list
    return (
        KIND_PRECEDENCE[PriceListKind(price_list.kind)],
        item.min_quantity,
        price_list.valid_from or date.min,
        price_list.pk,
    )


def _best(items: Iterable[PriceListItem]) -> PriceListItem | None:
    return max(items, key=_rank, default=None)


def _source(item: PriceListItem) -> PriceSource:
    return PriceSource(
        kind=item.price_list.kind,
        price_list_id=item.price_list_id,
        price_list_name=item.price_list.name,
        min_quantity=item.min_quantity,
    )


def _why_not(item: PriceListItem, winner: PriceListItem | None, quantity: int, day: date) -> str:
    price_list = item.price_list
    if not price_list.is_active:
        return _("inactive")
    if price_list.valid_from is not None and price_list.valid_from > day:
        return _("starts on %(date)s") % {"date": price_list.valid_from.isoformat()}
    if price_list.valid_to is not None and price_list.valid_to < day:
        return _("ended on %(date)s") % {"date": price_list.valid_to.isoformat()}
    if item.min_quantity > quantity:
        return _("quantity %(quantity)s is below this break of %(break)s") % {
            "quantity": quantity,
            "break": item.min_quantity,
        }
    assert winner is not None  # an applicable item that lost was beaten by one
    mine, theirs = _rank(item), _rank(winner)
    if theirs[0] != mine[0]:
        return str(_KIND_BEATS[(winner.price_list.kind, price_list.kind)])
    if theirs[1] != mine[1]:
        return _("the larger break of %(break)s units applies") % {"break": winner.min_quantity}
    if theirs[2] != mine[2]:
        return _("%(name)s, valid from %(date)s, is newer") % {
            "name": winner.price_list.name,
            "date": theirs[2].isoformat(),
        }
    return _("%(name)s was created later and wins the tie") % {"name": winner.price_list.name}
