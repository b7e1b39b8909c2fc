"""The settlement document of a decided claim (市场费用核销单): the activity, its invoices, what
was claimed, approved and paid and how, as a PDF with Chinese glyphs (prm.core.pdf). Callers
take the claim from mdf.selectors, so who may download it is decided there."""

from __future__ import annotations

from django.utils.translation import gettext as _

from prm.core.pdf import pdf_render
from prm.tenancy.selectors import current_tenant

from .models import ClaimStatus, MdfClaim

PRINTABLE = frozenset({ClaimStatus.APPROVED, ClaimStatus.SETTLED})


def settlement_printable(claim: MdfClaim) -> bool:
    return claim.status in PRINTABLE


def settlement_pdf(claim: MdfClaim) -> bytes:
    if not settlement_printable(claim):
        raise ValueError(_("Only approved and settled claims have a settlement document."))
    request = claim.request
    tenant = current_tenant()
    decision = claim.status_changes.filter(to_status=ClaimStatus.APPROVED).first()
    return pdf_render(
        "pdf/mdf_settlement.html",
        {
            "claim": claim,
            "request": request,
            "partner": request.partner,
            "invoices": list(claim.invoices.all()),
            "lines": list(request.lines.all()),
            "decision": decision,
            "deals": list(claim.deals.order_by("number")),
            "orders": list(claim.orders.order_by("number")),
            "vendor_name": tenant.name,
            "currency": tenant.currency,
        },
        language=tenant.default_language,
    )


def settlement_filename(claim: MdfClaim) -> str:
    return f"mdf-settlement-{claim.number}.pdf"
