"""The accrual engine on real rows: bases, periods in the vendor's time zone, returns, caps,
explain lines, idempotence and rollback. Amounts are exact Decimals."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from orders.ledger import payment_record
from orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    SellOut,
    Shipment,
    ShipmentLine,
    Warehouse,
)
from partners.models import Partner, PartnerStatus, PartnerType, Region
from rebates import engine, partner_run
from rebates.explanation import explain
from rebates.models import (
    Basis,
    PeriodType,
    ProgramStatus,
    RebateAccrual,
    RebateProgram,
    RebateTier,
    TierMode,
)
from tests.factories import make_partner, make_product

pytestmark = pytest.mark.django_db

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")
Q1 = (date(2024, 1, 1), date(2024, 3, 31))
Q2 = (date(2024, 4, 1), date(2024, 6, 30))
_seq = itertools.count(1)

# [5,000, 10,000) at 3 %, [10,000, ∞) at 5 %: the example scaled down by 100.
TWO_BANDS = [(D("5000"), D("10000"), D("3")), (D("10000"), None, D("5"))]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_program(
    *,
    basis: str = Basis.ORDERED,
    mode: str = TierMode.RETROACTIVE,
    bands: list[tuple[Decimal, Decimal | None, Decimal]] = TWO_BANDS,
    **kw: Any,
) -> RebateProgram:
    program = RebateProgram.objects.create(
        code=kw.pop("code", f"p{next(_seq)}"),
        name="返利",
        period_type=kw.pop("period_type", PeriodType.QUARTER),
        starts_on=kw.pop("starts_on", date(2024, 1, 1)),
        ends_on=kw.pop("ends_on", date(2024, 12, 31)),
        basis=basis,
        tier_mode=mode,
        status=kw.pop("status", ProgramStatus.ACTIVE),
        **kw,
    )
    for low, high, rate in bands:
        RebateTier.objects.create(program=program, threshold_from=low, threshold_to=high, rate=rate)
    return program


def place(
    partner: Partner,
    *lines: tuple[Product, int, str],
    at: datetime,
    status: str = OrderStatus.APPROVED,
    gift: bool = False,
) -> Order:
    """An order placed at local time `at`, rows written directly (the engine only reads)."""
    order = Order.objects.create(
        number=f"SO-T{next(_seq)}", partner=partner, currency="CNY", status=status
    )
    for product, quantity, total in lines:
        OrderLine.objects.create(
            order=order,
            product=product,
            quantity=quantity,
            unit_price=D(total) / quantity,
            line_total=D(total),
            is_gift=gift,
        )
    Order.objects.filter(pk=order.pk).update(created_at=at)
    return order


def give_back(
    order: Order, refund: str, *, at: datetime, status: str = ReturnStatus.RECEIVED, qty: int = 1
) -> ReturnRequest:
    request = ReturnRequest.objects.create(
        number=f"RMA-T{next(_seq)}", order=order, status=status, reason="坏了"
    )
    ReturnLine.objects.create(
        request=request, order_line=order.lines.first(), quantity=qty, refund=D(refund)
    )
    ReturnRequest.objects.filter(pk=request.pk).update(created_at=at)
    return request


def ship(order: Order, quantity: int, *, at: datetime) -> Shipment:
    warehouse, _created = Warehouse.objects.get_or_create(code="t-wh", defaults={"name": "仓"})
    shipment = Shipment.objects.create(
        number=f"SH-T{next(_seq)}", order=order, warehouse=warehouse, carrier="顺丰"
    )
    ShipmentLine.objects.create(
        shipment=shipment, order_line=order.lines.first(), quantity=quantity
    )
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=at)
    return shipment


def accrual_of(program: RebateProgram, partner: Partner, start: date = Q1[0]) -> RebateAccrual:
    return RebateAccrual.objects.get(program=program, partner=partner, period_start=start)


def line_total(accrual: RebateAccrual) -> Decimal:
    return sum((line.amount for line in explain(accrual).lines), D("0"))


# --- tier modes and thresholds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "ordered", "tier_from", "amount"),
    [
        (TierMode.RETROACTIVE, "12000.00", D("10000"), D("600.00")),
        (TierMode.MARGINAL, "12000.00", D("10000"), D("250.00")),  # 5000 x 3 % + 2000 x 5 %
        (TierMode.RETROACTIVE, "10000.00", D("10000"), D("500.00")),  # threshold hit exactly
        (TierMode.MARGINAL, "10000.00", D("10000"), D("150.00")),
        (TierMode.RETROACTIVE, "9999.99", D("5000"), D("300.00")),  # 299.9997 rounded half-up
        (TierMode.RETROACTIVE, "4999.99", None, D("0.00")),
    ],
)
def test_tier_modes_on_the_same_data(vendor, mode, ordered, tier_from, amount):
    program = make_program(mode=mode)
    partner, product = make_partner(), make_product()
    place(partner, (product, 1, ordered), at=local(2024, 2, 10, 12))

    engine.recalculate(program, *Q1)

    accrual = accrual_of(program, partner)
    assert accrual.basis == D(ordered)
    assert (accrual.tier.threshold_from if accrual.tier else None) == tier_from
    assert (accrual.uncapped_amount, accrual.amount) == (amount, amount)


def test_a_received_return_drops_the_partner_below_a_tier_in_the_orders_period(vendor):
    program = make_program()
    partner, product = make_partner(), make_product()
    order = place(partner, (product, 3, "10500.00"), at=local(2024, 3, 20, 10))
    give_back(order, "1000.00", at=local(2024, 5, 2, 9))  # received in Q2, counts in Q1
    give_back(order, "3000.00", at=local(2024, 5, 3, 9), status=ReturnStatus.REQUESTED)

    engine.recalculate(program, *Q1)

    accrual = accrual_of(program, partner)
    assert (accrual.basis, accrual.tier.threshold_from, accrual.amount) == (
        D("9500.00"),
        D("5000"),
        D("285.00"),
    )
    rows = [(line.source, line.amount, line.occurred_on) for line in explain(accrual).lines]
    assert rows == [
        ("order_line", D("10500.00"), date(2024, 3, 20)),
        ("return_line", D("-1000.00"), date(2024, 5, 2)),
    ]


# --- periods in the vendor's time zone ------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "q1_basis", "q2_basis"),
    [
        (local(2024, 3, 31, 23, 30), D("1000.00"), D("0.00")),
        (local(2024, 4, 1, 0, 30), D("0.00"), D("1000.00")),
    ],
)
def test_an_order_counts_in_the_quarter_of_its_local_date(vendor, moment, q1_basis, q2_basis):
    program = make_program()
    partner, product = make_partner(), make_product()
    place(partner, (product, 1, "1000.00"), at=moment)

    engine.recalculate(program, *Q1)
    engine.recalculate(program, *Q2)

    assert accrual_of(program, partner, Q1[0]).basis == q1_basis
    assert accrual_of(program, partner, Q2[0]).basis == q2_basis


@pytest.mark.parametrize(
    ("moment", "q1_basis", "q2_basis"),
    [
        (local(2024, 3, 31, 23, 30), D("800.00"), D("0.00")),
        (local(2024, 4, 1, 0, 30), D("0.00"), D("800.00")),
    ],
)
def test_a_payment_counts_in_the_quarter_of_its_local_date(vendor, moment, q1_basis, q2_basis):
    program = make_program(basis=Basis.COLLECTED)
    partner = make_partner()
    # The feed sends UTC: 23:30 Shanghai on 31 March is 15:30 UTC the same day.
    payment = payment_record(
        partner=partner,
        amount=D("800.00"),
        method="bank_transfer",
        received_at=moment.astimezone(ZoneInfo("UTC")),
    )
    assert payment.received_on == moment.date()

    engine.recalculate(program, *Q1)
    engine.recalculate(program, *Q2)

    assert accrual_of(program, partner, Q1[0]).basis == q1_basis
    assert accrual_of(program, partner, Q2[0]).basis == q2_basis


# --- what counts ---------------------------------------------------------------------------------


def test_cancelled_rejected_and_gift_lines_never_count(vendor):
    program = make_program()
    partner, product = make_partner(), make_product()
    at = local(2024, 1, 15, 10)
    place(partner, (product, 1, "700.00"), at=at)
    place(partner, (product, 1, "5000.00"), at=at, status=OrderStatus.CANCELLED)
    place(partner, (product, 1, "6000.00"), at=at, status=OrderStatus.REJECTED)
    place(partner, (product, 1, "80.00"), at=at, gift=True)

    engine.recalculate(program, *Q1)

    assert accrual_of(program, partner).basis == D("700.00")


def test_scope_and_exclusions(vendor):
    line_product, other_line = make_product(), make_product()
    excluded = make_product(product_line=line_product.product_line)
    other_line.product_line = type(line_product.product_line).objects.create(code="o", name="其他")
    other_line.save()
    program = make_program()
    program.product_lines.add(line_product.product_line)
    program.excluded_products.add(excluded)
    partner = make_partner()
    at = local(2024, 2, 1, 10)
    for product, total in ((line_product, "100.00"), (other_line, "200.00"), (excluded, "400.00")):
        place(partner, (product, 1, total), at=at)

    engine.recalculate(program, *Q1)
    whole = accrual_of(program, partner).basis
    give_back(Order.objects.get(lines__product=line_product), "30.00", at=local(2024, 4, 2))
    give_back(Order.objects.get(lines__product=excluded), "50.00", at=local(2024, 4, 2))
    # One partner alone takes another path (its orders first, the scope as product ids).
    engine.recalculate(program, *Q1, partner_ids=[partner.pk])

    assert whole == D("100.00")
    assert accrual_of(program, partner).basis == D("70.00")


def test_eligibility_dimensions(vendor):
    shanghai = Region.objects.create(code="t31", name="上海", level=Region.Level.PROVINCE)
    hangzhou = Region.objects.create(code="t3301", name="杭州", level=Region.Level.CITY)
    in_shanghai = make_partner(region="上海")
    in_hangzhou = make_partner(region="浙江", city="杭州")
    elsewhere = make_partner(region="广东", city="深圳")
    applied = make_partner(region="上海", status=PartnerStatus.APPLIED)
    agent = make_partner(region="上海", partner_type=PartnerType.AGENT)
    program = make_program()
    program.regions.add(shanghai, hangzhou)
    candidates = {in_shanghai.pk, in_hangzhou.pk, elsewhere.pk, applied.pk, agent.pk}

    def eligible() -> set[int]:
        return set(engine.program_partners(program).values_list("pk", flat=True)) & candidates

    assert eligible() == {in_shanghai.pk, in_hangzhou.pk, agent.pk}
    program.partner_types = [PartnerType.DEALER]
    program.save()
    assert eligible() == {in_shanghai.pk, in_hangzhou.pk}
    program.partners.add(in_hangzhou, elsewhere)
    assert eligible() == {in_hangzhou.pk}


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        # 3 of 4 units of a 1,000.00 line shipped in Q1; the return follows the line's latest
        # shipment, which is in Q2, so Q1 keeps all three.
        (Basis.SHIPPED, D("750.00")),
        (Basis.QUANTITY, D("3.00")),  # 4 ordered in Q1, 1 returned
        (Basis.SELL_OUT, D("7.00")),  # 5 + 2 sold in Q1, 9 in Q2
    ],
)
def test_other_bases(vendor, basis, expected):
    program = make_program(basis=basis)
    partner, product = make_partner(), make_product()
    order = place(partner, (product, 4, "1000.00"), at=local(2024, 3, 1, 10))
    ship(order, 3, at=local(2024, 3, 31, 23, 30))
    ship(order, 1, at=local(2024, 4, 1, 0, 30))
    give_back(order, "250.00", at=local(2024, 4, 5, 10))
    for sold_on, quantity in ((date(2024, 2, 1), 5), (date(2024, 3, 31), 2), (date(2024, 4, 1), 9)):
        SellOut.objects.create(
            partner=partner, product=product, sold_on=sold_on, quantity=quantity, province="上海"
        )

    engine.recalculate(program, *Q1)

    accrual = accrual_of(program, partner)
    assert accrual.basis == expected
    assert line_total(accrual) == accrual.basis


def test_shipped_amount_is_the_lines_net_price_and_a_return_follows_its_shipment(vendor):
    program = make_program(basis=Basis.SHIPPED)
    partner, product = make_partner(), make_product()
    order = place(partner, (product, 3, "100.00"), at=local(2024, 1, 5, 10))
    ship(order, 1, at=local(2024, 1, 6, 10))
    ship(order, 2, at=local(2024, 2, 6, 10))
    give_back(order, "33.33", at=local(2024, 4, 9, 10))

    engine.recalculate(program, *Q1)

    # 1 x 33.33 + 2 x 66.67 (each shipment line rounded half-up to the cent), less the return.
    assert accrual_of(program, partner).basis == D("66.67")


# --- caps ----------------------------------------------------------------------------------------


def test_partner_cap_then_program_cap_split_to_the_cent(vendor):
    flat = [(D("0"), None, D("10"))]
    program = make_program(bands=flat, partner_cap=D("3000.00"), program_cap=D("5000.00"))
    product = make_product()
    partners = [make_partner() for _ in range(3)]
    for partner, total in zip(partners, ("10000.00", "20000.00", "40000.00"), strict=True):
        place(partner, (product, 1, total), at=local(2024, 2, 1, 10))

    engine.recalculate(program, *Q1)

    # 1000 / 2000 / 4000 → partner cap 3000 → 6000 scaled to 5000: 833.33.., 1666.66.., 2500;
    # the cent left by rounding down goes to the largest remainder.
    rows = [
        (accrual_of(program, p).uncapped_amount, accrual_of(program, p).amount) for p in partners
    ]
    assert rows == [
        (D("1000.00"), D("833.33")),
        (D("2000.00"), D("1666.67")),
        (D("4000.00"), D("2500.00")),
    ]
    # One partner recomputed alone: the program cap still sees the others' stored amounts.
    engine.recalculate(program, *Q1, partner_ids=[partners[0].pk])
    assert [accrual_of(program, p).amount for p in partners] == [
        D("833.33"),
        D("1666.67"),
        D("2500.00"),
    ]


# --- explain lines, idempotence, rollback ---------------------------------------------------------


def _snapshot(program: RebateProgram) -> list[tuple[Any, ...]]:
    accruals = RebateAccrual.objects.filter(program=program).order_by("partner", "period_start")
    return list(
        accruals.values_list(
            "pk", "partner", "period_start", "basis", "tier", "bonus", "capped_amount", "amount"
        )
    )


def test_explain_lines_sum_to_the_basis_and_twice_is_the_same(vendor):
    program = make_program()
    product = make_product()
    first, second = make_partner(), make_partner()
    order = place(
        first, (product, 2, "6000.00"), (make_product(), 1, "1500.55"), at=local(2024, 1, 9)
    )
    place(second, (product, 1, "300.00"), at=local(2024, 3, 9))
    give_back(order, "3000.00", at=local(2024, 6, 1))

    engine.recalculate(program, *Q1)
    before = _snapshot(program)
    engine.recalculate(program, *Q1)

    assert _snapshot(program) == before
    by_source = engine.basis_by_partner(program, *Q1)
    for partner in (first, second):
        accrual = accrual_of(program, partner)
        assert line_total(accrual) == accrual.basis == by_source[partner.pk]
    assert accrual_of(program, first).basis == D("4500.55")
    assert {line.reference for line in explain(accrual_of(program, first)).lines} == {
        order.number,
        order.returns.get().number,
    }


def test_a_failure_half_way_leaves_the_previous_accruals(vendor, monkeypatch):
    # With a program cap the shares are settled after the upsert: the failure comes after a write.
    program = make_program(program_cap=D("1000000.00"))
    partner, product = make_partner(), make_product()
    place(partner, (product, 1, "12000.00"), at=local(2024, 2, 1))
    engine.recalculate(program, *Q1)
    before = _snapshot(program)
    place(partner, (product, 1, "5000.00"), at=local(2024, 2, 2))
    written = []

    def boom(*args: Any, **kwargs: Any) -> None:
        written.append(accrual_of(program, partner).basis)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(engine, "_apply_caps", boom)
    with pytest.raises(RuntimeError):
        engine.recalculate(program, *Q1)

    assert written == [D("17000.00")]
    assert _snapshot(program) == before


def test_the_explanation_says_when_the_sources_moved_since_the_calculation(vendor):
    program = make_program()
    partner, product = make_partner(), make_product()
    place(partner, (product, 1, "6000.00"), at=local(2024, 2, 1))
    engine.recalculate(program, *Q1)
    accrual = accrual_of(program, partner)
    assert (explain(accrual).total, explain(accrual).pending) == (D("6000.00"), False)

    place(partner, (product, 1, "700.00"), at=local(2024, 2, 3))

    moved = explain(accrual)
    assert (moved.total, moved.count, moved.pending) == (D("6700.00"), 2, True)
    assert [line.amount for line in moved.lines] == [D("6000.00"), D("700.00")]


def test_incremental_and_nightly_recalculation(vendor):
    program = make_program()
    make_program(status=ProgramStatus.DRAFT)  # drafts are not recalculated
    partner, product = make_partner(), make_product()
    place(partner, (product, 1, "6000.00"), at=local(2024, 2, 1))
    place(partner, (product, 1, "700.00"), at=local(2024, 5, 1))

    found = partner_run.recalculate_partner(partner, date(2024, 2, 1))
    assert [(a.program_id, a.basis, a.amount) for a in found] == [
        (program.pk, D("6000.00"), D("180.00"))
    ]

    engine.recalculate_all(today=date(2024, 5, 15))
    starts = RebateAccrual.objects.filter(partner=partner).values_list("period_start", "basis")
    assert sorted(starts) == [(date(2024, 1, 1), D("6000.00")), (date(2024, 4, 1), D("700.00"))]


def test_programs_of_one_exclusive_group_do_not_stack(vendor):
    partner, other, product = make_partner(), make_partner(), make_product()
    generous = make_program(exclusive_group="volume")  # 3 % / 5 %
    modest = make_program(
        exclusive_group="volume", bands=[(D("0"), None, D("2"))]
    )  # 2 % from the first yuan
    stacking = make_program(bands=[(D("0"), None, D("1"))])  # no group: always adds
    place(partner, (product, 1, "12000.00"), at=local(2024, 2, 10, 12))
    place(other, (product, 1, "4000.00"), at=local(2024, 2, 11, 12))

    for program in (generous, modest, stacking):
        engine.recalculate(program, *Q1)

    def paid(program: RebateProgram, who: Partner) -> tuple[Decimal, Decimal]:
        accrual = accrual_of(program, who)
        return accrual.capped_amount, accrual.amount

    # 12 000: generous pays 600 > modest 240, so modest pays nothing; 4 000 is below generous's
    # first band, so modest (80) pays. The ungrouped program adds to both.
    assert (paid(generous, partner), paid(modest, partner)) == (
        (D("600.00"), D("600.00")),
        (D("240.00"), D("0.00")),
    )
    assert (paid(generous, other), paid(modest, other)) == (
        (D("0.00"), D("0.00")),
        (D("80.00"), D("80.00")),
    )
    assert (paid(stacking, partner), paid(stacking, other)) == (
        (D("120.00"), D("120.00")),
        (D("40.00"), D("40.00")),
    )


def test_a_partner_a_program_does_not_include_is_skipped_not_an_error(vendor):
    named, outsider, product = make_partner(), make_partner(), make_product()
    program = make_program()
    program.partners.set([named])
    place(outsider, (product, 1, "12000.00"), at=local(2024, 2, 10, 12))

    assert engine.recalculate(program, *Q1, partner_ids=[outsider.pk]) == []
    assert partner_run.recalculate_partner(outsider, date(2024, 2, 10)) == []
    assert not RebateAccrual.objects.filter(program=program, partner=outsider).exists()
