"""The two portals' landing pages. `reports` reads every module and nothing imports it."""

from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from deal_registration.models import DealStatus
from deal_registration.selectors import deals_visible_to, pipeline
from mdf.ledger import AVAILABLE
from mdf.models import ClaimStatus, FundStatus, RequestStatus
from mdf.selectors import allocations_visible_to, claims_visible_to, requests_visible_to
from orders.selectors import orders_visible_to
from partners.academy.assignments import assignments_for
from partners.academy.standing import Standing, progress_table
from partners.announcements.selectors import announcements_pending_for
from partners.models import PartnerStatus
from partners.selectors import partners_visible_to
from partners.support.models import ACTIVE_STATUSES, overdue
from partners.support.selectors import tickets_visible_to
from prm.accounts.access import partner_required, signed_in_user, vendor_required
from prm.accounts.models import User


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User):
        return redirect("accounts:login")
    if user.is_partner_user:
        return redirect("portal_home")
    return vendor_home(request)


@vendor_required
def vendor_home(request: HttpRequest) -> HttpResponse:
    partners = partners_visible_to(request.user)
    by_status = dict(
        partners.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    orders = orders_visible_to(request.user)
    totals = orders.exclude(status="cancelled").aggregate(amount=Sum("total"), n=Count("pk"))
    waiting = deals_visible_to(request.user).filter(status=DealStatus.SUBMITTED)
    return render(
        request,
        "vendor/home.html",
        {
            "partner_counts": [(s.label, by_status.get(s.value, 0)) for s in PartnerStatus],
            "partner_total": sum(by_status.values()),
            "order_count": totals["n"],
            "order_amount": totals["amount"] or 0,
            "recent_orders": orders[:8],
            "deals_waiting": waiting.count(),
            "deals_overdue": waiting.filter(approval_due_at__lt=timezone.now()).count(),
            "pipeline": pipeline(request.user)["total"],
            "mdf_requests_waiting": requests_visible_to(request.user)
            .filter(status__in=(RequestStatus.SUBMITTED, RequestStatus.MANAGER_APPROVED))
            .count(),
            "mdf_claims_waiting": claims_visible_to(request.user)
            .filter(status=ClaimStatus.SUBMITTED)
            .count(),
            "tickets": tickets_visible_to(request.user).aggregate(
                open=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
                overdue=Count("pk", filter=overdue(timezone.now())),
            ),
        },
    )


@partner_required
def portal_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    partner = partners_visible_to(user).get(pk=user.partner_id or 0)
    orders = orders_visible_to(request.user)
    learning = progress_table([user], {user.pk: assignments_for(user)})[user.pk]
    funds = allocations_visible_to(user).aggregate(
        available=Sum(
            AVAILABLE,
            filter=Q(fund__status=FundStatus.ACTIVE),
        )
    )
    return render(
        request,
        "portal/home.html",
        {
            "partner": partner,
            "recent_orders": orders[:8],
            "order_count": orders.count(),
            "mdf_available": funds["available"],
            "announcements": announcements_pending_for(user),
            "learning": learning,
            "learning_done": sum(1 for p in learning if p.standing == Standing.CERTIFIED),
        },
    )
