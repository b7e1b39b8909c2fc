"""The printable PDF of a dashboard: `/reports/documents/<kind>.pdf?<the page's filters>`.

Vendor staff print the cockpit and the forecast roll-up; a partner user prints only its own
company's scoreboard, vendor staff a partner's scoreboard with `?partner=<id>` among the
partners they see. A report the user may not open at all is refused (403); a partner or record
outside their sight is not found (404), as on the pages; filters that do not validate get a
400 naming the filter.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from prm.accounts.access import signed_in_user

from .cockpit_views import filters_only
from .documents import document_build
from .models import ReportKind
from .pdf import document_filename, document_pdf
from .subscriptions import kinds_for, registered_kinds


@login_required
def document_download(request: HttpRequest, kind: str) -> HttpResponse:
    user = signed_in_user(request)
    if kind not in ReportKind.values:
        raise Http404
    if kind not in kinds_for(user):
        raise PermissionDenied
    if kind not in registered_kinds():
        raise Http404
    try:
        doc = document_build(kind, user, filters_only(request.GET))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        text = _("This report cannot be printed with these filters:") + " " + " ".join(exc.messages)
        return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
    response = HttpResponse(document_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document_filename(kind)}"'
    response["Cache-Control"] = "private, no-store"
    return response
