"""Reads of deal registrations: who sees which, the queue's filters, what a partner may be told
about a conflict, the evidence timeline of a dispute, and the pipeline the forecast reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Partner
from prm.accounts.visibility import scope_to_partner
from prm.core.money import quantize
from prm.tenancy.selectors import tenant_zone

from .conflicts import CREDIT_CODE, DOMAIN, NAME, PHONE
from .models import (
    DealActivity,
    DealConflict,
    DealRegistration,
    DealStage,
    DealStatus,
    Verdict,
)
from .models.conflicts import MATCH_LABELS, VERDICT_RANK
from .models.registrations import OPEN_STATUSES, STAGE_PROBABILITY


def deals_visible_to(user: Any) -> QuerySet[DealRegistration]:
    """A dealer's own registrations; vendor staff see them from submission on: a draft is the
    dealer's notes, which may name a customer it never registers."""
    qs = scope_to_partner(
        DealRegistration.objects.select_related("partner", "region", "product_line"), user
    )
    return qs if getattr(user, "is_partner_user", False) else qs.exclude(status=DealStatus.DRAFT)


def deal_get_visible(*, user: Any, pk: int) -> DealRegistration | None:
    return deals_visible_to(user).filter(pk=pk).first()


YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class DealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    status = django_filters.ChoiceFilter(
        choices=DealStatus.choices, label=gettext_lazy("Status"), empty_label=gettext_lazy("All")
    )
    conflict = django_filters.ChoiceFilter(
        method="filter_conflict",
        choices=YES_NO,
        label=gettext_lazy("Conflict"),
        empty_label=gettext_lazy("All"),
    )
    overdue = django_filters.ChoiceFilter(
        method="filter_overdue",
        choices=YES_NO,
        label=gettext_lazy("Decision overdue"),
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = DealRegistration
        fields = ["q", "status", "conflict", "overdue"]

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(
            Q(number__icontains=value)
            | Q(customer_name__icontains=value)
            | Q(title__icontains=value)
            | Q(partner__name__icontains=value)
        )

    def filter_conflict(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(has_conflict=value == "yes")

    def filter_overdue(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        late = Q(status=DealStatus.SUBMITTED, approval_due_at__lt=timezone.now())
        return qs.filter(late) if value == "yes" else qs.exclude(late)


class VendorDealFilter(DealFilter):
    """The vendor's queue: drafts are the dealers' own (`deals_visible_to`), so not offered."""

    status = django_filters.ChoiceFilter(
        choices=[c for c in DealStatus.choices if c[0] != DealStatus.DRAFT],
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All"),
    )


class PartnerDealFilter(DealFilter):
    """The partner's own list: no partner search, no SLA filter."""

    class Meta(DealFilter.Meta):
        fields = ["q", "status"]

    def search(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(
            Q(number__icontains=value)
            | Q(customer_name__icontains=value)
            | Q(title__icontains=value)
        )


def queue(user: Any) -> QuerySet[DealRegistration]:
    """The channel manager's list, the decision due first on top (the page filters it to
    submitted registrations unless another status is chosen)."""
    return deals_visible_to(user).order_by("approval_due_at", "submitted_at", "pk")


# --- what a partner may be told -----------------------------------------------------------------


@dataclass(frozen=True)
class ConflictNotice:
    """What the registering partner sees: how serious, and on which of *its own* fields; never
    whose registration, account or customer it matched."""

    verdict: str
    matched: tuple[str, ...]

    @property
    def matched_labels(self) -> list[str]:
        return [str(MATCH_LABELS[m]) for m in self.matched]

    @property
    def message(self) -> str:
        if self.verdict == Verdict.BLOCK:
            return _(
                "This customer is already registered or covered by the vendor: the registration "
                "will not be protected unless the channel manager decides otherwise."
            )
        return _(
            "This customer may already be registered: the channel manager will review the "
            "possible conflict."
        )


def partner_notice(candidates: Any, *, partner_id: int) -> ConflictNotice | None:
    """Fold candidates (engine `Candidate`s or stored `DealConflict`s) into one notice.

    The partner's own registrations do not count: they are its own duplicates, shown apart.
    Info-level candidates are not mentioned: a weak likeness is the vendor's business.
    """
    verdict: str | None = None
    matched: set[str] = set()
    for c in candidates:
        other = c.registration if hasattr(c, "holds") else c.other_registration
        if other is not None and other.partner_id == partner_id:
            continue
        if c.verdict == Verdict.INFO:
            continue
        if verdict is None or VERDICT_RANK[Verdict(c.verdict)] > VERDICT_RANK[Verdict(verdict)]:
            verdict = c.verdict
        matched.update(c.matched)
    if verdict is None:
        return None
    order = (CREDIT_CODE, NAME, DOMAIN, PHONE)
    return ConflictNotice(verdict=verdict, matched=tuple(m for m in order if m in matched))


def own_duplicates(candidates: Any, *, partner_id: int) -> list[DealRegistration]:
    found = []
    for c in candidates:
        other = c.registration if hasattr(c, "holds") else c.other_registration
        if other is not None and other.partner_id == partner_id:
            found.append(other)
    return found


def stored_conflicts(registration: DealRegistration) -> QuerySet[DealConflict]:
    return registration.conflicts.select_related(
        "other_registration__partner", "account__owner", "sell_out__partner"
    )


def claims_against(registration: DealRegistration) -> QuerySet[DealConflict]:
    """Later registrations flagged against this one (for the vendor's detail page)."""
    return DealConflict.objects.filter(other_registration=registration).select_related(
        "registration__partner"
    )


def mark_hidden(user: Any, conflicts: Any, *, side: str) -> list[DealConflict]:
    """Set `hidden` on each conflict whose other side belongs to a partner `user` may not see
    (a channel manager sees only its own partners): the page then names no one."""
    rows = list(conflicts)
    visible = set(
        scope_to_partner(Partner.objects.all(), user, partner_path="").values_list("pk", flat=True)
    )
    for row in rows:
        other = getattr(row, side)
        partner_id = other.partner_id if other is not None else None
        if side == "other_registration" and row.sell_out is not None:
            partner_id = row.sell_out.partner_id
        row.hidden = partner_id is not None and partner_id not in visible
    return rows


# --- evidence timeline --------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: datetime
    side: str  # "a" or "b"
    registration: DealRegistration
    what: str
    detail: str = ""
    actor: Any = None


def evidence_timeline(a: DealRegistration, b: DealRegistration) -> list[Event]:
    """Both sides' facts in time order: created, registered (database time), every status
    change with its reason, every activity and extension request."""
    events: list[Event] = []
    for side, reg in (("a", a), ("b", b)):
        events.append(Event(reg.created_at, side, reg, _("Draft created"), actor=reg.created_by))
        if reg.submitted_at:
            events.append(
                Event(
                    reg.submitted_at,
                    side,
                    reg,
                    _("Registered (database time)"),
                    timezone.localtime(reg.submitted_at, tenant_zone()).isoformat(
                        timespec="microseconds"
                    ),
                )
            )
        for change in reg.status_changes.select_related("actor"):
            if change.from_status == "":
                continue
            events.append(
                Event(
                    change.created_at,
                    side,
                    reg,
                    _("Status: %(from)s → %(to)s")
                    % {"from": change.from_label, "to": change.to_label},
                    change.reason,
                    change.actor,
                )
            )
        for activity in DealActivity.objects.filter(registration=reg).select_related("author"):
            events.append(
                Event(
                    activity.created_at,
                    side,
                    reg,
                    _("%(kind)s on %(date)s")
                    % {"kind": activity.get_kind_display(), "date": activity.occurred_on},
                    activity.body,
                    activity.author,
                )
            )
        for ext in reg.extensions.select_related("requested_by"):
            events.append(
                Event(
                    ext.requested_at,
                    side,
                    reg,
                    _("Extension of %(days)d days asked (%(status)s)")
                    % {"days": ext.days, "status": ext.get_status_display()},
                    ext.reason,
                    ext.requested_by,
                )
            )
    return sorted(events, key=lambda e: (e.at, e.side))


# --- pipeline (forecast inputs) -----------------------------------------------------------------


@dataclass(frozen=True)
class PipelineCell:
    count: int
    amount: Decimal
    weighted: Decimal


def pipeline(user: Any) -> dict[str, Any]:
    """Open registrations that hold their customer, by stage and by expected close month: count,
    amount, and amount weighted by the stage's win probability (exact Decimals, rounded half-up
    to the cent)."""
    # Only the registration that holds a customer counts: twenty flagged duplicates of one deal
    # are one deal.
    rows = (
        deals_visible_to(user)
        .filter(status__in=OPEN_STATUSES, holds_claim=True)
        .values("stage", "expected_close_date__year", "expected_close_date__month")
        .annotate(count=Count("pk"), amount=Sum("estimated_amount"))
        .order_by()
    )
    by_stage: dict[str, list[Decimal | int]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    by_month: dict[date, list[Decimal | int]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for row in rows:
        weighted = quantize(row["amount"] * STAGE_PROBABILITY[DealStage(row["stage"])] / 100)
        month = date(row["expected_close_date__year"], row["expected_close_date__month"], 1)
        for bucket in (by_stage[row["stage"]], by_month[month]):
            bucket[0] += row["count"]
            bucket[1] += row["amount"]
            bucket[2] += weighted

    def cell(values: list[Decimal | int]) -> PipelineCell:
        return PipelineCell(int(values[0]), Decimal(values[1]), Decimal(values[2]))

    stages = [(stage, cell(by_stage[stage.value])) for stage in DealStage]
    months = [(month, cell(by_month[month])) for month in sorted(by_month)]
    total = cell(
        [
            sum(int(c.count) for _s, c in stages),
            sum((c.amount for _s, c in stages), Decimal(0)),
            sum((c.weighted for _s, c in stages), Decimal(0)),
        ]
    )
    won = (
        deals_visible_to(user)
        .filter(status=DealStatus.WON)
        .aggregate(count=Count("pk"), amount=Sum("estimated_amount"))
    )
    return {
        "stages": stages,
        "months": months,
        "total": total,
        "won_count": won["count"],
        "won_amount": won["amount"] or Decimal(0),
    }


def deals_won(
    *, partner_ids: list[int] | None, since: datetime, until: datetime
) -> dict[int, Decimal]:
    """Scorecard metric "deals_won": registrations each partner won in the window (one query)."""
    qs = DealRegistration.objects.filter(
        status=DealStatus.WON,
        status_changes__to_status=DealStatus.WON,
        status_changes__created_at__gte=since,
        status_changes__created_at__lt=until,
    )
    if partner_ids is not None:
        qs = qs.filter(partner_id__in=partner_ids)
    rows = qs.values("partner_id").annotate(n=Count("pk", distinct=True)).order_by()
    return {row["partner_id"]: Decimal(row["n"]) for row in rows}
