"""The certificate as a PDF (结业证书): the holder, their company, the course, the dates, the
verification code and the public address that confirms it, with Chinese glyphs
(prm.core.pdf). Rendered on request; callers take the certificate from
partners.academy.selectors, so who may download it is decided there."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse

from prm.core.pdf import pdf_render
from prm.tenancy.selectors import current_tenant, tenant_base_url

from .models import Certificate


def verification_url(certificate: Certificate) -> str:
    path = reverse("certificates:verify_code", args=[certificate.display_code])
    return f"{tenant_base_url()}{path}"


def certificate_pdf(certificate: Certificate) -> bytes:
    tenant = current_tenant()
    return pdf_render(
        "pdf/certificate.html",
        {
            "certificate": certificate,
            "vendor_name": tenant.name,
            "verify_url": verification_url(certificate),
        },
        language=tenant.default_language,
    )


def certificate_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.display_code}.pdf"


def certificate_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate_filename(certificate)}"'
    response["Cache-Control"] = "private, no-store"
    return response
