"""Twenty active quarterly rebate programs for benchmark data, mixing every basis (ordered,
quantity, collected, shipped), both tier modes, product-line / category / SKU scopes,
eligibility by tier, province, partner type and named partners, and partner and program caps."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orders.models import Category
from partners.models import PartnerType, Region, Tier
from rebates.models import Basis, PeriodType, ProgramStatus, RebateProgram, RebateTier, TierMode

from .gen_partners import PROVINCES
from .scales import END, Scale, start_of

Band = tuple[int, int | None, str | None, int | None]  # from, to, rate %, fixed amount


@dataclass(frozen=True)
class Spec:
    code: str
    basis: Basis
    mode: TierMode
    bands: list[Band]
    lines: tuple[int, ...] = ()  # indexes into the product lines
    categories: bool = False  # the first top-level category (and its children)
    skus: int = 0  # that many named SKUs
    excluded: int = 0  # that many excluded SKUs
    tiers: tuple[int, ...] = ()  # indexes into the tiers, best first
    provinces: tuple[int, ...] = ()  # indexes into PROVINCES
    types: tuple[str, ...] = ()
    named: int = 0  # that many named partners
    partner_cap: int | None = None
    program_cap: int | None = None


AMOUNT: list[Band] = [
    (1_000_000, 5_000_000, "1", None),
    (5_000_000, 20_000_000, "2", None),
    (20_000_000, None, "3.5", None),
]
LINE: list[Band] = [
    (200_000, 1_000_000, "1.5", None),
    (1_000_000, 5_000_000, "2.5", None),
    (5_000_000, None, "4", None),
]
QUANTITY: list[Band] = [(500, 2_000, None, 2_000), (2_000, 8_000, None, 10_000),
                        (8_000, None, None, 50_000)]  # fmt: skip
COLLECTED: list[Band] = [(500_000, 1_000_000, "3", None), (1_000_000, None, "5", None)]
D, A = PartnerType.DISTRIBUTOR.value, PartnerType.AGENT.value
ORD, Q, C, S = Basis.ORDERED, Basis.QUANTITY, Basis.COLLECTED, Basis.SHIPPED
RETRO, MARGINAL = TierMode.RETROACTIVE, TierMode.MARGINAL
SPECS = [
    Spec("bench-ordered-all", ORD, RETRO, AMOUNT),
    Spec("bench-ordered-marginal", ORD, MARGINAL, AMOUNT),
    Spec("bench-ordered-line0", ORD, RETRO, LINE, lines=(0,)),
    Spec("bench-ordered-line1", ORD, MARGINAL, LINE, lines=(1,)),
    Spec("bench-ordered-line23", ORD, RETRO, LINE, lines=(2, 3)),
    Spec("bench-ordered-cat", ORD, MARGINAL, LINE, categories=True),
    Spec("bench-ordered-gold", ORD, RETRO, AMOUNT, tiers=(0, 1)),
    Spec("bench-ordered-gd-cap", ORD, RETRO, LINE, lines=(0,), provinces=(18,), partner_cap=50_000),
    Spec("bench-ordered-dist", ORD, MARGINAL, AMOUNT, types=(D,), program_cap=2_000_000),
    Spec("bench-ordered-skus", ORD, RETRO, LINE, skus=40, excluded=5),
    Spec("bench-quantity-all", Q, RETRO, QUANTITY),
    Spec("bench-quantity-line2", Q, MARGINAL, QUANTITY, lines=(2,)),
    Spec("bench-quantity-named", Q, RETRO, QUANTITY, named=200),
    Spec("bench-collected-all", C, RETRO, COLLECTED),
    Spec("bench-collected-gold", C, MARGINAL, COLLECTED, tiers=(0,), partner_cap=30_000),
    Spec("bench-collected-east", C, RETRO, COLLECTED, provinces=(8, 9, 10), program_cap=1_500_000),
    Spec("bench-shipped-all", S, RETRO, AMOUNT),
    Spec("bench-shipped-line1", S, MARGINAL, LINE, lines=(1,)),
    Spec("bench-shipped-agents", S, RETRO, AMOUNT, types=(A, D), program_cap=3_000_000),
    Spec("bench-quantity-cat-ex", Q, MARGINAL, QUANTITY, categories=True, excluded=10),
]


def programs_generate(
    scale: Scale, partners: list[int], lines: list[int], products: list[int], tiers: list[Tier]
) -> list[RebateProgram]:
    provinces = [
        Region.objects.get_or_create(
            code=f"bench-p{i:02d}", defaults={"name": name, "level": Region.Level.PROVINCE}
        )[0]
        for i, name in enumerate(PROVINCES)
    ]
    first_category = Category.objects.filter(parent=None, code__startswith="bench-").first()
    ranked = sorted(tiers, key=lambda tier: -tier.rank)
    programs = []
    for spec in SPECS:
        program = RebateProgram.objects.create(
            code=spec.code,
            name=spec.code,
            status=ProgramStatus.ACTIVE,
            period_type=PeriodType.QUARTER,
            starts_on=start_of(scale),
            ends_on=END.replace(month=12, day=31),
            basis=spec.basis,
            tier_mode=spec.mode,
            partner_types=list(spec.types),
            partner_cap=None if spec.partner_cap is None else Decimal(spec.partner_cap),
            program_cap=None if spec.program_cap is None else Decimal(spec.program_cap),
        )
        RebateTier.objects.bulk_create(
            [
                RebateTier(
                    program=program,
                    threshold_from=Decimal(low),
                    threshold_to=None if high is None else Decimal(high),
                    rate=None if rate is None else Decimal(rate),
                    fixed_amount=None if fixed is None else Decimal(fixed),
                )
                for low, high, rate, fixed in spec.bands
            ]
        )
        program.product_lines.set([lines[i] for i in spec.lines])
        if spec.categories and first_category is not None:
            program.categories.set([first_category])
        program.products.set(products[7 : 7 + spec.skus])
        program.excluded_products.set(products[: spec.excluded])
        program.tiers.set([ranked[i] for i in spec.tiers])
        program.regions.set([provinces[i] for i in spec.provinces])
        program.partners.set(partners[5 : 5 + spec.named * 7 : 7])
        programs.append(program)
    return programs
