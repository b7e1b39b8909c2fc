"""Stock in the vendor's warehouses: services (writes) and selectors (reads).

Every change to `Stock.on_hand` / `Stock.reserved` happens here and leaves a `StockMovement`.
Rows are locked in primary-key order (`order_by("pk").select_for_update()`) before they change,
and counters move with `F()` updates, so concurrent checkouts neither oversell nor deadlock.

Available = on hand - reserved, counted over active warehouses only. Reserved units belong to
an order line through `Allocation` rows (one per line and warehouse) until they are shipped or
released.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import django_filters
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import ProductLine
from prm.accounts.roles import Role

from .models import (
    Allocation,
    MovementKind,
    Order,
    OrderLine,
    Product,
    Stock,
    StockMovement,
    Warehouse,
)

# Available below the safety stock, in a warehouse that serves orders.
LOW_STOCK = Q(warehouse__is_active=True, on_hand__lt=F("reserved") + F("safety_stock"))
# Who receives goods and records stock counts; every vendor role may look.
MANAGE_ROLES = frozenset({Role.ORDER_DESK, Role.ADMIN})
MEMO_MAX = StockMovement._meta.get_field("memo").max_length or 200


class OutOfStock(ValidationError):
    """Some products of an order are short; one message per short product.

    `shortages` maps product id → (units requested, units available).
    """

    def __init__(self, shortages: Mapping[int, tuple[int, int]], names: Mapping[int, str]) -> None:
        self.shortages: dict[int, tuple[int, int]] = dict(shortages)
        self.names: dict[int, str] = dict(names)
        super().__init__(
            [
                ValidationError(
                    _("Only %(available)d of %(product)s available (%(requested)d requested)."),
                    code="out_of_stock",
                    params={
                        "available": available,
                        "product": self.names.get(product_id, str(product_id)),
                        "requested": requested,
                    },
                )
                for product_id, (requested, available) in self.shortages.items()
            ]
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions are rebuilt from their arguments (Celery results, multiprocessing).
        return (type(self), (self.shortages, self.names))


# --- services ------------------------------------------------------------------------------------


def _check_quantity(quantity: int) -> None:
    if quantity < 1:
        raise ValidationError({"quantity": _("Quantity must be at least 1.")})


def _check_memo(memo: str) -> str:
    memo = " ".join((memo or "").split())
    if len(memo) > MEMO_MAX:
        raise ValidationError(
            {"memo": _("Keep the memo within %(max)d characters.") % {"max": MEMO_MAX}}
        )
    return memo


def _check_open(warehouse: Warehouse) -> None:
    if not warehouse.is_active:
        raise ValidationError(
            {
                "warehouse": _("%(warehouse)s is closed; choose an active warehouse.")
                % {"warehouse": warehouse}
            }
        )


def _locked_row(product: Product, warehouse: Warehouse) -> tuple[Stock, bool]:
    """The product's stock row in the warehouse, locked; created at zero if missing."""
    _row, created = Stock.objects.get_or_create(product=product, warehouse=warehouse)
    locked = (
        Stock.objects.select_for_update(of=("self",))
        .select_related("product", "warehouse")
        .get(product=product, warehouse=warehouse)
    )
    return locked, created


def _rearm_alert(stock: Stock) -> None:
    """Back at or above the safety stock: the next drop below it alerts again."""
    if stock.alerted_at is not None and stock.available >= stock.safety_stock:
        stock.alerted_at = None


def _rearm_alerts(stock_ids: Iterable[int]) -> None:
    Stock.objects.filter(
        pk__in=list(stock_ids),
        alerted_at__isnull=False,
        on_hand__gte=F("reserved") + F("safety_stock"),
    ).update(alerted_at=None)


def _audit(stock: Stock, *, actor: Any, old: int, new: int, memo: str, created: bool) -> None:
    """Who changed the count, in the audit trail (StockMovement keeps no actor)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    LogEntry.objects.log_create(
        stock,
        force_log=True,
        action=LogEntry.Action.CREATE if created else LogEntry.Action.UPDATE,
        changes={"on_hand": [str(old), str(new)]},
        actor=user,
        actor_email=getattr(user, "email", None),
        additional_data={"reason": memo} if memo else None,
    )


def _increase(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    kind: MovementKind,
    memo: str,
    actor: Any,
    order_line: OrderLine | None = None,
) -> Stock:
    _check_quantity(quantity)
    memo = _check_memo(memo)
    _check_open(warehouse)
    stock, created = _locked_row(product, warehouse)
    old = stock.on_hand
    stock.on_hand = old + quantity
    _rearm_alert(stock)
    stock.save(update_fields=["on_hand", "alerted_at"])
    StockMovement.objects.create(
        stock=stock, kind=kind, on_hand_delta=quantity, order_line=order_line, memo=memo
    )
    _audit(stock, actor=actor, old=old, new=stock.on_hand, memo=memo, created=created)
    return stock


@transaction.atomic
def stock_receive(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    memo: str = "",
    actor: Any = None,
) -> Stock:
    """Goods arrived: on hand += quantity (the stock row is created on first receipt)."""
    return _increase(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        kind=MovementKind.RECEIPT,
        memo=memo,
        actor=actor,
    )


@transaction.atomic
def stock_restock(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    order_line: OrderLine | None = None,
    memo: str = "",
) -> Stock:
    """Returned goods back on the shelf: on hand += quantity."""
    return _increase(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        kind=MovementKind.RETURN,
        memo=memo,
        actor=None,
        order_line=order_line,
    )


@transaction.atomic
def stock_adjust(*, stock: Stock, counted: int, memo: str, actor: Any = None) -> Stock:
    """A stock count: on hand becomes what was counted, never below what orders hold."""
    memo = _check_memo(memo)
    locked = (
        Stock.objects.select_for_update(of=("self",))
        .select_related("product", "warehouse")
        .get(pk=stock.pk)
    )
    errors: dict[str, str] = {}
    if counted < 0:
        errors["counted"] = _("A count cannot be negative.")
    elif counted < locked.reserved:
        errors["counted"] = _(
            "%(reserved)d units are reserved for orders here; the count cannot be lower. "
            "Ship or release them first."
        ) % {"reserved": locked.reserved}
    if not memo:
        errors["memo"] = _("Say who counted, or why the count differs.")
    if errors:
        raise ValidationError(errors)
    old = locked.on_hand
    locked.on_hand = counted
    _rearm_alert(locked)
    locked.save(update_fields=["on_hand", "alerted_at"])
    StockMovement.objects.create(
        stock=locked, kind=MovementKind.ADJUSTMENT, on_hand_delta=counted - old, memo=memo
    )
    _audit(locked, actor=actor, old=old, new=counted, memo=memo, created=False)
    return locked


def _product_names(product_ids: Iterable[int]) -> dict[int, str]:
    return {pk: p.display_name for pk, p in Product.objects.in_bulk(list(product_ids)).items()}


@transaction.atomic
def stock_reserve(*, lines: Sequence[OrderLine]) -> list[Allocation]:
    """Hold stock for saved order lines (gifts included), or raise OutOfStock and write nothing.

    Called by checkout inside its transaction. Every stock row of the lines' products in active
    warehouses is locked in one query, in primary-key order, so two checkouts wanting the same
    products queue instead of deadlocking. Each line is served from warehouses by priority and
    split across them when one is not enough.
    """
    wanted: dict[int, int] = {}
    for line in lines:
        if line.pk is None:
            raise ValueError("stock_reserve needs saved order lines")
        _check_quantity(line.quantity)
        wanted[line.product_id] = wanted.get(line.product_id, 0) + line.quantity
    if not wanted:
        return []
    rows = list(
        Stock.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .filter(product_id__in=list(wanted), warehouse__is_active=True)
        .order_by("pk")
    )
    free = {row.pk: max(row.on_hand - row.reserved, 0) for row in rows}
    places: dict[int, list[Stock]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.warehouse.priority, r.warehouse_id)):
        places[row.product_id].append(row)

    # Decide everything before writing anything.
    shortages = {}
    for product_id, requested in wanted.items():
        available = sum(free[row.pk] for row in places[product_id])
        if available < requested:
            shortages[product_id] = (requested, available)
    if shortages:
        raise OutOfStock(shortages, _product_names(shortages))
    plan: list[tuple[OrderLine, Stock, int]] = []
    for line in lines:
        needed = line.quantity
        for row in places[line.product_id]:
            take = min(needed, free[row.pk])
            if take:
                plan.append((line, row, take))
                free[row.pk] -= take
                needed -= take
            if not needed:
                break

    per_row: dict[int, int] = defaultdict(int)
    for _line, row, quantity in plan:
        per_row[row.pk] += quantity
    by_pk = {row.pk: row for row in rows}
    ids = sorted(per_row)
    # One statement for every row. Second line of defence: a writer that skipped the lock still
    # cannot oversell, because each row is only raised while on hand covers it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Stock._meta.db_table} AS s SET reserved = s.reserved + v.quantity "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::int[]) AS v(id, quantity) "
            "WHERE s.id = v.id AND s.on_hand >= s.reserved + v.quantity RETURNING s.id",
            [ids, [per_row[pk] for pk in ids]],
        )
        raised = {pk for (pk,) in cursor.fetchall()}
    short = [by_pk[pk] for pk in ids if pk not in raised]
    if short:
        row = short[0]
        fresh = stock_available([row.product_id])[row.product_id]
        raise OutOfStock(
            {row.product_id: (wanted[row.product_id], max(fresh, 0))},
            _product_names([row.product_id]),
        )
    for pk in ids:
        by_pk[pk].reserved += per_row[pk]
    StockMovement.objects.bulk_create(
        StockMovement(stock=row, kind=MovementKind.RESERVE, reserved_delta=q, order_line=line)
        for line, row, q in plan
    )
    return Allocation.objects.bulk_create(
        Allocation(order_line=line, stock=row, quantity=q) for line, row, q in plan
    )


@transaction.atomic
def stock_release(*, order: Order) -> int:
    """Give back every unit of the order still held (not shipped, not yet released).

    For cancelled and rejected orders; safe to call twice (the second call releases 0).
    Returns the number of units released.
    """
    allocations_of_order = Allocation.objects.filter(order_line__order=order)
    stock_ids = set(allocations_of_order.values_list("stock_id", flat=True))
    if not stock_ids:
        return 0
    # Stock rows first, then allocations, each in primary-key order, like every other writer.
    list(Stock.objects.select_for_update().filter(pk__in=stock_ids).order_by("pk"))
    allocations = list(allocations_of_order.select_for_update(of=("self",)).order_by("pk"))
    per_row: dict[int, int] = defaultdict(int)
    changed: list[Allocation] = []
    movements: list[StockMovement] = []
    for allocation in allocations:
        held = allocation.quantity - allocation.shipped - allocation.released
        if held <= 0:
            continue
        allocation.released += held
        per_row[allocation.stock_id] += held
        changed.append(allocation)
        movements.append(
            StockMovement(
                stock_id=allocation.stock_id,
                kind=MovementKind.RELEASE,
                reserved_delta=-held,
                order_line_id=allocation.order_line_id,
            )
        )
    if not changed:
        return 0
    Allocation.objects.bulk_update(changed, ["released"])
    for pk in sorted(per_row):
        # `stock_never_oversold` (reserved >= 0) refuses a release that was never reserved.
        Stock.objects.filter(pk=pk).update(reserved=F("reserved") - per_row[pk])
    StockMovement.objects.bulk_create(movements)
    _rearm_alerts(per_row)
    return sum(per_row.values())


@transaction.atomic
def stock_ship(*, order_line: OrderLine, quantity: int, warehouse: Warehouse) -> None:
    """Units of the line leave the warehouse: reserved and on hand both drop by `quantity`.

    Only units the line holds in that warehouse (allocated, not shipped, not released) can ship.
    `OrderLine.shipped_quantity` is the shipment's business, not stock's.
    """
    _check_quantity(quantity)
    stock = (
        Stock.objects.select_for_update()
        .filter(product_id=order_line.product_id, warehouse=warehouse)
        .first()
    )
    allocations = (
        list(
            Allocation.objects.select_for_update()
            .filter(order_line=order_line, stock=stock)
            .order_by("pk")
        )
        if stock is not None
        else []
    )
    held = sum(a.quantity - a.shipped - a.released for a in allocations)
    if stock is None or quantity > held:
        raise ValidationError(
            {
                "quantity": _(
                    "Reserved for this line in %(warehouse)s and not yet shipped: %(held)d; "
                    "cannot ship %(requested)d."
                )
                % {"held": held, "warehouse": warehouse, "requested": quantity}
            }
        )
    remaining = quantity
    changed = []
    for allocation in allocations:
        take = min(remaining, allocation.quantity - allocation.shipped - allocation.released)
        if take > 0:
            allocation.shipped += take
            remaining -= take
            changed.append(allocation)
        if not remaining:
            break
    Allocation.objects.bulk_update(changed, ["shipped"])
    Stock.objects.filter(pk=stock.pk).update(
        on_hand=F("on_hand") - quantity, reserved=F("reserved") - quantity
    )
    StockMovement.objects.create(
        stock=stock,
        kind=MovementKind.SHIP,
        on_hand_delta=-quantity,
        reserved_delta=-quantity,
        order_line=order_line,
    )


# --- selectors -----------------------------------------------------------------------------------


def stock_available(product_ids: Iterable[int]) -> dict[int, int]:
    """Units free to order per product over active warehouses (0 without stock); one query."""
    ids = list(dict.fromkeys(product_ids))
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = (
        Stock.objects.filter(product_id__in=ids, warehouse__is_active=True)
        .order_by()  # the model's ordering would join the warehouse into GROUP BY
        .values("product_id")
        .annotate(free=Sum(F("on_hand") - F("reserved")))
    )
    for row in rows:
        result[row["product_id"]] = row["free"] or 0
    return result


def stock_low() -> QuerySet[Stock]:
    """Stock rows of active warehouses whose available units are below their safety stock."""
    return (
        Stock.objects.filter(LOW_STOCK)
        .select_related("product", "warehouse")
        .order_by("product__sku", "warehouse__priority", "warehouse_id")
    )


def inventory_can_view(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_vendor_staff
    )


def inventory_can_manage(user: Any) -> bool:
    """Receiving goods and recording counts: the order desk (warehouse) and admins."""
    return inventory_can_view(user) and user.role in MANAGE_ROLES


def stocks_visible_to(user: Any) -> QuerySet[Stock]:
    """Stock is the vendor's own: every vendor role sees all of it, partners none."""
    qs = Stock.objects.select_related("product__product_line", "warehouse").order_by(
        "product__sku", "warehouse__priority", "warehouse_id"
    )
    return qs if inventory_can_view(user) else qs.none()


def stock_get_visible(*, user: Any, pk: int) -> Stock | None:
    return stocks_visible_to(user).filter(pk=pk).first()


def stock_movements(stock: Stock) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(stock=stock).select_related("order_line__order")


LOW_CHOICES = [("1", gettext_lazy("Below safety stock"))]


class StockFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("SKU or name"))
    warehouse = django_filters.ModelChoiceFilter(
        queryset=Warehouse.objects.all(),
        label=gettext_lazy("Warehouse"),
        empty_label=gettext_lazy("All"),
    )
    product_line = django_filters.ModelChoiceFilter(
        field_name="product__product_line",
        queryset=ProductLine.objects.all(),
        label=gettext_lazy("Product line"),
        empty_label=gettext_lazy("All"),
    )
    low = django_filters.ChoiceFilter(
        choices=LOW_CHOICES,
        method="low_only",
        label=gettext_lazy("Stock level"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Stock
        fields = ["warehouse"]

    def search(self, qs: QuerySet[Stock], name: str, value: str) -> QuerySet[Stock]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(product__sku__icontains=value)
            | Q(product__name__icontains=value)
            | Q(product__name_en__icontains=value)
        )

    def low_only(self, qs: QuerySet[Stock], name: str, value: str) -> QuerySet[Stock]:
        return qs.filter(LOW_STOCK) if value else qs
