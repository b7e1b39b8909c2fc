"""A partner's rebate statement for one period start: every program's accrual, its settlements,
as a PDF with Chinese glyphs (WeasyPrint and the CJK font, see prm.core.pdf)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from partners.models import Partner
from prm.core.pdf import pdf_render
from prm.tenancy.selectors import current_tenant

from .models import RebateAccrual


def statement_accruals(partner: Partner, period_start: date) -> QuerySet[RebateAccrual]:
    return (
        RebateAccrual.objects.filter(partner=partner, period_start=period_start)
        .select_related("program", "tier")
        .prefetch_related("settlements")
        .annotate(settled=Sum("settlements__amount"))
        .order_by("program__code")
    )


def statement_pdf(partner: Partner, period_start: date) -> bytes:
    accruals = list(statement_accruals(partner, period_start))
    tenant = current_tenant()
    return pdf_render(
        "pdf/rebate_statement.html",
        {
            "partner": partner,
            "period_start": period_start,
            "accruals": accruals,
            "total_accrued": sum((a.amount for a in accruals), Decimal("0.00")),
            "total_settled": sum(
                (a.settled or Decimal(0) for a in accruals),  # type: ignore[attr-defined]
                Decimal("0.00"),
            ),
            "vendor_name": tenant.name,
            "currency": tenant.currency,
        },
        language=tenant.default_language,
    )


def statement_filename(partner: Partner, period_start: date) -> str:
    return f"rebate-statement-{partner.pk}-{period_start:%Y-%m-%d}.pdf"
