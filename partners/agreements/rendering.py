"""Filling an agreement template and printing it.

Template bodies are vendor-written Django template text, rendered by a bare engine: no loaders,
no tag libraries, so a body can use variables and simple tags but can never read another template
or file. The result is escaped when it is placed into the PDF layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from prm.core.pdf import pdf_render
from prm.tenancy.selectors import current_tenant

from .models import Agreement

_ENGINE = Engine(autoescape=False, libraries={}, loaders=[])


@dataclass(frozen=True)
class Block:
    heading: bool
    text: str


# {% debug %} would print the whole context (and, with DEBUG on, loaded modules) into a PDF.
_FORBIDDEN = re.compile(r"{%-?\s*debug\b")


def body_check(body: str) -> None:
    """Refuse a body that does not parse, at the field, with the template engine's reason."""
    if _FORBIDDEN.search(body):
        raise ValidationError({"body": _("The {%% debug %%} tag is not allowed in agreements.")})
    try:
        _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationError(
            {"body": _("The text has a template error: %(e)s") % {"e": exc}}
        ) from exc


def _money(value: Any) -> str:
    return f"{value:,.2f}"


def agreement_variables(agreement: Agreement) -> dict[str, Any]:
    partner = agreement.partner
    tenant = current_tenant()
    return {
        "vendor_name": tenant.name,
        "partner": {
            "name": partner.name,
            "name_en": partner.name_en,
            "credit_code": partner.credit_code or "",
            "address": partner.address,
            "contact_name": partner.contact_name,
        },
        "partner_type": partner.get_partner_type_display(),
        "tier": partner.tier.name if partner.tier else "",
        "territory": agreement.territory,
        "product_lines": "、".join(pl.name for pl in partner.product_lines.all()),
        "term_start": agreement.term_start.isoformat(),
        "term_end": agreement.term_end.isoformat(),
        "purchase_target": _money(agreement.purchase_target),
        "currency": tenant.currency,
        "incentive_terms": agreement.incentive_terms,
        "credit_limit": _money(partner.credit_limit),
        "payment_terms_days": partner.payment_terms_days,
        "number": agreement.number,
        "version": agreement.version,
    }


def body_blocks(body: str, variables: dict[str, Any]) -> list[Block]:
    body_check(body)
    try:
        text = _ENGINE.from_string(body).render(Context(variables))
    except Exception as exc:  # a vendor's text must never stop an agreement from showing why
        raise ValidationError(
            _("The agreement template could not be filled in: %(e)s") % {"e": exc}
        ) from exc
    blocks = []
    for raw in text.replace("\r\n", "\n").split("\n\n"):
        paragraph = raw.strip()
        if paragraph.startswith("# "):
            # The heading is its first line; what follows it is the clause's text.
            heading, _newline, paragraph = paragraph[2:].partition("\n")
            blocks.append(Block(heading=True, text=heading.strip()))
            paragraph = paragraph.strip()
        if paragraph:
            blocks.append(Block(heading=False, text=paragraph))
    return blocks


def agreement_pdf(agreement: Agreement) -> bytes:
    """The document the partner signs, in the vendor's language."""
    tenant = current_tenant()
    variables = agreement_variables(agreement)
    return pdf_render(
        "pdf/agreement.html",
        {
            "agreement": agreement,
            "title": agreement.template.title,
            "blocks": body_blocks(agreement.template.body, variables),
            "v": variables,
        },
        language=tenant.default_language,
    )


def signature_certificate_pdf(agreement: Agreement, *, verified: bool) -> bytes:
    """The signing record (签署证书): who signed which bytes, when, from where."""
    return pdf_render(
        "pdf/signature_certificate.html",
        {"agreement": agreement, "vendor_name": current_tenant().name, "verified": verified},
        language=current_tenant().default_language,
    )
