"""The ERP sync log, for the vendor admin: each connection's recent runs with their counts and
rejected records, and a button to run the sync now."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.core.jobs import enqueue_on_commit
from prm.integrations.key_views import admin_required

from .models import ErpConnection, SyncRun
from .tasks import erp_sync

RECENT = 50


@admin_required
def sync_log(request: HttpRequest) -> HttpResponse:
    connections = ErpConnection.objects.order_by("name", "pk")
    runs = SyncRun.objects.select_related("connection").prefetch_related("rejections")[:RECENT]
    return render(
        request,
        "integrations/erp/log.html",
        {"connections": connections, "runs": runs, "section": "integrations"},
    )


@admin_required
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
