"""The notification centre page, shared by vendor staff and partner users."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from prm.accounts.access import signed_in_user

from .models import Notification
from .notifications import notification_open, notifications_for, notifications_read_all


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = notifications_for(user)
    if request.GET.get("unread"):
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    base = "portal/base.html" if user.is_partner_user else "vendor/base.html"
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "base_template": base, "unread_only": bool(request.GET.get("unread"))},
    )


@login_required
@require_POST
def notification_go(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read, then follow its link (only a link within this site)."""
    try:
        notification = notification_open(user=signed_in_user(request), notification_id=pk)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_read_all(user=signed_in_user(request))
    return redirect("notifications:list")
