"""The ERP sync log, for the vendor admin: each connection's recent runs with their counts and
rejected records, and a button to run the sync now; and, for a partner, its ERP invoices."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.access import partner_required, signed_in_user
from prm.core.jobs import enqueue_on_commit
from prm.integrations.access import integrations_admin_required

from .models import ErpConnection, ErpInvoice, RunStatus, SyncRun
from .tasks import erp_sync

RECENT = 50


@integrations_admin_required
def sync_log(request: HttpRequest) -> HttpResponse:
    # Most runs every 15 minutes find nothing to do; by default the log shows the ones that
    # did something or went wrong, and each connection when it last ran.
    every = request.GET.get("all") == "1"
    connections = ErpConnection.objects.annotate(last_run=Max("runs__started_at")).order_by(
        "name", "pk"
    )
    runs = SyncRun.objects.select_related("connection").prefetch_related("rejections")
    if not every:
        runs = runs.exclude(status=RunStatus.SUCCEEDED, created=0, updated=0, rejected=0)
    return render(
        request,
        "integrations/erp/log.html",
        {
            "connections": connections,
            "runs": runs[:RECENT],
            "every": every,
            "section": "integrations",
        },
    )


@integrations_admin_required
@require_POST
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    connection = get_object_or_404(ErpConnection, pk=pk, is_active=True)

    enqueue_on_commit(erp_sync, connection.pk)
    messages.success(
        request,
        _("Synchronisation with %(name)s has started; its runs appear below.")
        % {"name": connection.name},
    )
    return redirect("erp:log")


@partner_required
def my_invoices(request: HttpRequest) -> HttpResponse:
    """The partner's invoices as its vendor's ERP issued them, newest first."""
    user = signed_in_user(request)
    invoices = ErpInvoice.objects.filter(partner=user.partner)
    page = Paginator(invoices, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/erp/portal_invoices.html",
        {"page": page, "section": "portal_statements"},
    )
