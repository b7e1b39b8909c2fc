"""Report subscriptions: a person asks to receive a report (the cockpit, a scoreboard, the
forecast roll-up) by email every week or month, with the filters they chose.

Who may receive what: vendor staff every report there is a builder for; partner users only
their own company's scoreboard. A subscription's filters are checked by building the report
once, as its owner, when it is saved (bad filters are refused at the "filters" field), and the
report is built as the owner again each time it is sent, so it never shows more than the owner
may see on the page that day. Only the owner sees, changes or deletes a subscription.

Filters that pin a date (`on`, `year`, `cycle`) are dropped when saved. When sent, a cockpit
covers the last *whole* period of its kind (the monthly email of 1 December is November's); the
scoreboard covers the current year to date and the forecast roll-up the current cycle.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from partners.models import PartnerStatus
from prm.accounts.access import active_user
from prm.core.notifications import notify
from prm.tenancy.selectors import current_tenant, tenant_base_url, tenant_zone

from .documents import BUILDERS, ReportDocument, document_build
from .models import Frequency, ReportKind, ReportSubscription
from .pdf import document_filename, document_pdf
from .periods import Period, PeriodKind

log = logging.getLogger(__name__)

QUERY_MAX = ReportSubscription._meta.get_field("query").max_length or 500
# Page mechanics, not filters (see reports.cockpit_views.NOT_FILTERS).
NOT_FILTERS = ("export", "table", "page")
# Filters that pin a date: a scheduled report follows the calendar instead.
DATE_PINS = ("on", "year", "cycle")
SEND_HOUR = 7  # vendor time: reports arrive before the working day starts
UNBUILDABLE = "report.subscription_unbuildable"


# --- who may receive what ---------------------------------------------------------------------


def registered_kinds() -> list[str]:
    """The reports that have a document builder, in ReportKind order."""
    from . import builders  # noqa: F401  (registers every builder)

    return [kind for kind in ReportKind.values if kind in BUILDERS]


def kinds_for(user: Any) -> list[str]:
    """The reports `user` may print or receive (whether or not a builder exists yet)."""
    if not active_user(user):
        return []
    if getattr(user, "is_partner_user", False):
        return [ReportKind.SCOREBOARD]
    if getattr(user, "is_vendor_staff", False):
        return list(ReportKind.values)
    return []


def kinds_offered(user: Any) -> list[str]:
    allowed = kinds_for(user)
    return [kind for kind in registered_kinds() if kind in allowed]


# --- filters ----------------------------------------------------------------------------------


def query_clean(query: str) -> str:
    """The querystring without page mechanics, date pins and empty values, keys sorted."""
    params = QueryDict(query.strip().lstrip("?"))
    kept = QueryDict(mutable=True)
    for key in sorted(params):
        if key in NOT_FILTERS or key in DATE_PINS:
            continue
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def query_for_sending(kind: str, query: str, today: date) -> str:
    """The filters of the email sent `today`: a cockpit is pinned to the last whole period."""
    if kind != ReportKind.COCKPIT:
        return query
    params = QueryDict(query, mutable=True)
    running = Period.containing(params.get("period") or PeriodKind.MONTH, today)
    params["on"] = (running.start - timedelta(days=1)).isoformat()
    return params.urlencode()


def report_build(*, user: Any, kind: str, query: str) -> ReportDocument:
    """The report as `user` sees it with `query`; refusals as ValidationErrors at the field."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Unknown report.")})
    if kind not in kinds_for(user):
        raise ValidationError({"kind": _("You may not receive this report.")})
    if kind not in registered_kinds():
        raise ValidationError({"kind": _("This report cannot be printed or sent yet.")})
    try:
        return document_build(kind, user, QueryDict(query))
    except PermissionDenied as exc:
        raise ValidationError(
            {"query": _("These filters name a partner or a record you may not see.")}
        ) from exc
    except ValidationError as exc:
        raise ValidationError({"query": exc.messages}) from exc


def subscription_check(*, user: Any, kind: str, query: str) -> str:
    """The cleaned filters, after building the report once with them as `user`."""
    cleaned = query_clean(query)
    if len(cleaned) > QUERY_MAX:
        raise ValidationError(
            {"query": _("Too many filters (at most %(n)d characters).") % {"n": QUERY_MAX}}
        )
    report_build(user=user, kind=kind, query=cleaned)
    return cleaned


# --- reading ----------------------------------------------------------------------------------


def subscriptions_of(user: Any) -> QuerySet[ReportSubscription]:
    if not active_user(user):
        return ReportSubscription.objects.none()
    return ReportSubscription.objects.filter(user=user).order_by("kind", "created_at", "pk")


def subscription_get_own(*, user: Any, pk: int) -> ReportSubscription:
    """The user's own subscription; anyone else's raises DoesNotExist (views answer 404)."""
    return subscriptions_of(user).get(pk=pk)


def schedule_text(subscription: ReportSubscription) -> str:
    if subscription.frequency == Frequency.WEEKLY:
        return _("Every %(weekday)s") % {"weekday": WEEKDAYS[subscription.weekday]}
    return _("Monthly on day %(day)d") % {"day": subscription.day_of_month}


def due_on(subscription: ReportSubscription, day: date) -> bool:
    if subscription.frequency == Frequency.WEEKLY:
        return subscription.weekday == day.weekday()
    return subscription.day_of_month == day.day


def _due_filter(day: date) -> Q:
    return Q(frequency=Frequency.WEEKLY, weekday=day.weekday()) | Q(
        frequency=Frequency.MONTHLY, day_of_month=day.day
    )


def _not_sent_on(day: date) -> Q:
    return Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=day)


def subscriptions_due(*, today: date) -> QuerySet[ReportSubscription]:
    """Active subscriptions of active people due `today` (the vendor's date), not sent yet.
    Users of a terminated partner get nothing (termination also deactivates them)."""
    return (
        ReportSubscription.objects.filter(_due_filter(today), _not_sent_on(today))
        .filter(is_active=True, user__is_active=True)
        .exclude(user__partner__status=PartnerStatus.TERMINATED)
        .order_by("pk")
    )


# --- writing ----------------------------------------------------------------------------------


def _schedule(frequency: str, weekday: int | None, day_of_month: int | None) -> dict[str, int]:
    """Only the field the frequency reads is kept; the other goes back to its default."""
    if frequency == Frequency.WEEKLY:
        if weekday is None:
            raise ValidationError({"weekday": _("Choose the day of the week.")})
        return {"weekday": weekday, "day_of_month": 1}
    if frequency == Frequency.MONTHLY:
        if day_of_month is None:
            raise ValidationError({"day_of_month": _("Choose the day of the month.")})
        return {"weekday": 0, "day_of_month": day_of_month}
    raise ValidationError({"frequency": _("Choose weekly or monthly.")})


def subscription_create(
    *,
    user: Any,
    kind: str,
    frequency: str,
    weekday: int | None = None,
    day_of_month: int | None = None,
    query: str = "",
) -> ReportSubscription:
    if not active_user(user):
        raise PermissionDenied
    schedule = _schedule(frequency, weekday, day_of_month)
    cleaned = subscription_check(user=user, kind=kind, query=query)
    subscription = ReportSubscription(
        user=user, kind=kind, frequency=frequency, query=cleaned, **schedule
    )
    subscription.full_clean()
    with transaction.atomic():
        subscription.save()
    return subscription


def subscription_update(
    *,
    user: Any,
    subscription_id: int,
    frequency: str,
    weekday: int | None = None,
    day_of_month: int | None = None,
    query: str = "",
) -> ReportSubscription:
    """Change the schedule or the filters of one's own subscription (the report stays)."""
    schedule = _schedule(frequency, weekday, day_of_month)
    with transaction.atomic():
        subscription = (
            subscriptions_of(user).select_for_update(of=("self",)).get(pk=subscription_id)
        )
        subscription.query = subscription_check(user=user, kind=subscription.kind, query=query)
        subscription.frequency = frequency
        subscription.weekday = schedule["weekday"]
        subscription.day_of_month = schedule["day_of_month"]
        subscription.full_clean()
        subscription.save()
    return subscription


def _set_active(user: Any, subscription_id: int, active: bool) -> ReportSubscription:
    with transaction.atomic():
        subscription = (
            subscriptions_of(user).select_for_update(of=("self",)).get(pk=subscription_id)
        )
        if active and subscription.kind not in kinds_for(user):
            raise ValidationError(_("You may no longer receive this report."))
        if subscription.is_active != active:
            subscription.is_active = active
            subscription.save(update_fields=["is_active"])
    return subscription


def subscription_pause(*, user: Any, subscription_id: int) -> ReportSubscription:
    return _set_active(user, subscription_id, False)


def subscription_resume(*, user: Any, subscription_id: int) -> ReportSubscription:
    return _set_active(user, subscription_id, True)


def subscription_delete(*, user: Any, subscription_id: int) -> None:
    with transaction.atomic():
        subscriptions_of(user).get(pk=subscription_id).delete()


# --- sending: one claim per subscription and day ----------------------------------------------


@dataclass(frozen=True)
class Claim:
    subscription_id: int
    today: date
    previous: date | None  # last_sent_on before the claim, restored if the send fails


def subscription_claim(*, subscription_id: int, today: date) -> Claim | None:
    """Mark the subscription sent `today` unless it already is (one conditional UPDATE, so
    two workers or a rerun never both send); None when someone else has it."""
    previous = (
        ReportSubscription.objects.filter(pk=subscription_id)
        .values_list("last_sent_on", flat=True)
        .first()
    )
    claimed = ReportSubscription.objects.filter(
        _not_sent_on(today), pk=subscription_id, is_active=True
    ).update(last_sent_on=today)
    return Claim(subscription_id, today, previous) if claimed else None


def subscription_release(claim: Claim) -> None:
    """Undo a claim after a failed send, so the next run sends it."""
    ReportSubscription.objects.filter(pk=claim.subscription_id, last_sent_on=claim.today).update(
        last_sent_on=claim.previous
    )


def _language(user: Any) -> str:
    return str(user.language or current_tenant().default_language)


def _deliverable(subscription: ReportSubscription, today: date) -> bool:
    """Re-checked before each send: the subscription, its owner and the owner's partner."""
    user = subscription.user
    partner = getattr(user, "partner", None)
    return (
        subscription.is_active
        and active_user(user)
        and (partner is None or partner.status != PartnerStatus.TERMINATED)
        and due_on(subscription, today)
        and (subscription.last_sent_on is None or subscription.last_sent_on < today)
        and subscription.kind in kinds_for(user)
    )


def _mail(subscription: ReportSubscription, doc: ReportDocument, today: date) -> EmailMessage:
    subject = " · ".join(part for part in (str(doc.title), doc.subtitle) if part)
    body = render_to_string(
        "reports/subscriptions/email.txt",
        {
            "user": subscription.user,
            "doc": doc,
            "schedule": schedule_text(subscription),
            "today": today,
            "manage_url": tenant_base_url() + reverse("report_subscriptions:list"),
        },
    )
    message = EmailMessage(
        " ".join(subject.split())[:200], body.strip(), to=[subscription.user.email]
    )
    message.attach(document_filename(subscription.kind), document_pdf(doc), "application/pdf")
    return message


def _tell_unbuildable(subscription: ReportSubscription, reason: str) -> None:
    notify(
        recipients=[subscription.user],
        kind=UNBUILDABLE,
        title=_("Your scheduled report could not be made"),
        body=_("%(report)s (%(schedule)s): %(reason)s Change its filters or delete it.")
        % {
            "report": subscription.get_kind_display(),
            "schedule": schedule_text(subscription),
            "reason": reason,
        },
        url=reverse("report_subscriptions:edit", args=[subscription.pk]),
    )


def subscription_send(*, subscription_id: int, today: date) -> bool:
    """Build, print and mail one due subscription as its owner, in the owner's language.

    Claimed first; a failure to build or send releases the claim and raises, so the retry
    (or the next hourly run) sends it. A report that can no longer be built with its filters
    (the owner lost sight of its partner, a filter value is gone) keeps the claim for the
    day and the owner is told once, instead of failing every hour.
    """
    subscription = (
        ReportSubscription.objects.select_related("user__partner")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None or not _deliverable(subscription, today):
        return False
    claim = subscription_claim(subscription_id=subscription_id, today=today)
    if claim is None:
        return False
    try:
        with translation.override(_language(subscription.user)):
            try:
                doc = report_build(
                    user=subscription.user,
                    kind=subscription.kind,
                    query=query_for_sending(subscription.kind, subscription.query, today),
                )
            except ValidationError as exc:
                _tell_unbuildable(subscription, " ".join(exc.messages))
                log.warning("report subscription %s cannot be built: %s", subscription_id, exc)
                return False
            message = _mail(subscription, doc, today)
        message.send()
    except BaseException:
        subscription_release(claim)
        raise
    return True


def subscriptions_send_due(*, now: datetime) -> int:
    """Send every subscription due on the vendor's date of `now`, from SEND_HOUR vendor time.
    Each is claimed on its own; one that fails does not stop the others, and the first
    failure is raised at the end so the job is retried."""
    local = timezone.localtime(now, tenant_zone())
    if local.hour < SEND_HOUR:
        return 0
    today = local.date()
    sent = 0
    failures: list[BaseException] = []
    for pk in subscriptions_due(today=today).values_list("pk", flat=True):
        try:
            sent += subscription_send(subscription_id=pk, today=today)
        except SoftTimeLimitExceeded:
            raise  # out of time: the next run sends the rest
        except Exception as exc:
            log.exception("report subscription %s not sent", pk)
            failures.append(exc)
    if failures:
        raise failures[0]
    return sent
