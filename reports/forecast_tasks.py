"""The monthly forecast job; it runs in one vendor's schema at a time (see prm.core.jobs).

Beat runs it every day (`_per_tenant("reports.forecast_tasks.forecasts_monthly", ...)`); it acts
on the 1st of the vendor's month (open a draft for every active partner with authorized product
lines and tell its admins) and on the 5th (remind those that have not submitted yet). Safe to
run twice: drafts are opened idempotently and nobody is told the same thing twice a day.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from partners.models import Partner, PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.jobs import job
from prm.core.models import Notification
from prm.core.notifications import notify
from prm.tenancy.selectors import tenant_today, tenant_zone

from .forecast_selectors import current_cycle
from .forecast_services import forecast_open
from .models import Forecast, ForecastStatus

OPEN_DAY = 1
REMIND_DAY = 5
OPENED = "forecast.opened"
REMINDER = "forecast.reminder"


def _told_today(kind: str, today: date) -> set[int]:
    since = datetime.combine(today, time.min, tenant_zone())
    return set(
        Notification.objects.filter(kind=kind, created_at__gte=since).values_list(
            "recipient_id", flat=True
        )
    )


def _tell(partners: list[Partner], *, kind: str, cycle: date, today: date) -> int:
    told = _told_today(kind, today)
    admins = User.objects.filter(
        partner__in=partners, role=Role.PARTNER_ADMIN, is_active=True
    ).exclude(pk__in=told)
    label = f"{cycle:%Y-%m}"
    if kind == OPENED:
        title = format_lazy(gettext_lazy("Your {cycle} forecast is open"), cycle=label)
        body = gettext_lazy(
            "Forecast the orders you expect to place in each of the next three months, per "
            "product line, and submit it to your channel manager this month."
        )
    else:
        title = format_lazy(
            gettext_lazy("Reminder: your {cycle} forecast is not submitted yet"), cycle=label
        )
        body = gettext_lazy("Your channel manager is waiting for it; submit it this month.")
    return len(
        notify(
            recipients=list(admins),
            kind=kind,
            title=title,
            body=body,
            url=reverse("portal_forecasts:home"),
        )
    )


def forecasts_open_all(cycle: date) -> list[Partner]:
    """Open the cycle's draft of every active partner with product lines; the ones opened."""
    partners = list(
        Partner.objects.filter(status=PartnerStatus.ACTIVE, product_lines__isnull=False)
        .distinct()
        .order_by("pk")
    )
    opened = []
    for partner in partners:
        try:
            forecast_open(partner=partner, cycle=cycle)
        except ValidationError:
            continue  # suspended or lost its product lines meanwhile
        opened.append(partner)
    return opened


@job("reports.forecast_tasks.forecasts_monthly")
def forecasts_monthly(day: str | None = None) -> dict[str, int]:
    """`day` (ISO) replays a day of the current month; by default the vendor's today."""
    today = date.fromisoformat(day) if day else tenant_today()
    cycle = today.replace(day=1)
    if today.day not in (OPEN_DAY, REMIND_DAY) or cycle != current_cycle():
        return {"partners": 0, "told": 0}
    partners = forecasts_open_all(cycle)
    if today.day == OPEN_DAY:
        return {
            "partners": len(partners),
            "told": _tell(partners, kind=OPENED, cycle=cycle, today=today),
        }
    done = set(
        Forecast.objects.filter(cycle=cycle)
        .filter(~Q(status=ForecastStatus.DRAFT))
        .values_list("partner_id", flat=True)
    )
    late = [p for p in partners if p.pk not in done]
    return {"partners": len(partners), "told": _tell(late, kind=REMINDER, cycle=cycle, today=today)}
