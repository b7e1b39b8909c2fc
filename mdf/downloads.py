"""The two files MDF serves, answered the same way in both portals: a proof file and a claim's
settlement PDF, taken through mdf.selectors (what the user may not see is a 404), never cached
by a shared proxy."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse

from prm.core.files import private_file_response

from .models import MdfClaim
from .selectors import evidence_get_visible
from .settlement_pdf import settlement_filename, settlement_pdf, settlement_printable


def evidence_response(*, user: Any, pk: int) -> FileResponse:
    return private_file_response(evidence_get_visible(user=user, pk=pk))


def settlement_response(claim: MdfClaim) -> HttpResponse:
    """`claim` comes from the caller's visibility check."""
    if not settlement_printable(claim):
        raise Http404
    response = HttpResponse(settlement_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{settlement_filename(claim)}"'
    response["Cache-Control"] = "private, no-store"
    return response
