"""Writing forecasts (滚动预测): a partner opens the cycle's draft, fills in its figures and
submits it; its channel manager (or a vendor admin) adjusts lines, sends it back with a reason
or commits it. A committed forecast is frozen.

Every status move goes through `prm.core.workflow.transition` with `FORECAST_TRANSITIONS`
(history row + audit event in the same transaction); figure changes are saved row by row so
django-auditlog records each old → new value with its actor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deal_registration.registrations import clean_reason
from partners.models import Partner, PartnerStatus
from prm.accounts.access import active_user
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.money import DECIMAL_PLACES, MAX_DIGITS
from prm.core.notifications import notify
from prm.core.workflow import transition, transition_start

from .forecast_selectors import current_cycle, cycle_months
from .models import Forecast, ForecastLine, ForecastStatus, ForecastStatusChange
from .models.forecasts import FORECAST_TRANSITIONS

MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES) - Decimal("0.01")
NOTE_MAX = 300

Amounts = Mapping[tuple[int, date], Decimal | str | int | None]


def amount_field(product_line_id: int, month: date) -> str:
    """The name of a figure's field, in forms and in the errors the services raise."""
    return f"amount-{product_line_id}-{month:%Y-%m}"


def amount_error(value: Any) -> str | None:
    """Why `value` is not a forecast figure (a non-negative amount in cents), or None."""
    if isinstance(value, float):
        return _("Enter an exact amount.")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return _("Enter a number.")
    if not number.is_finite():
        return _("Enter a number.")
    if number < 0:
        return _("A forecast cannot be negative.")
    if number != number.quantize(Decimal("0.01")):
        return _("Enter the amount in yuan and fen (two decimals at most).")
    if number > MAX_AMOUNT:
        return _("This amount is too large.")
    return None


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value).strip())


# --- who may do what ----------------------------------------------------------------------------


def forecast_is_own(forecast: Forecast, user: Any) -> bool:
    """A signed-in user of the forecasting partner: they fill in and submit."""
    return bool(
        active_user(user) and user.is_partner_user and user.partner_id == forecast.partner_id
    )


def forecast_can_decide(partner: Partner, user: Any) -> bool:
    """Adjust, send back, commit: the partner's channel manager or a vendor admin (as fund
    requests and deal registrations are decided); other vendor roles only read."""
    if not (active_user(user) and user.is_vendor_staff):
        return False
    if user.role == Role.ADMIN:
        return True
    return bool(user.role == Role.CHANNEL_MANAGER and partner.channel_manager_id == user.pk)


def _own(forecast: Forecast, user: Any) -> None:
    if not forecast_is_own(forecast, user):
        raise PermissionDenied


def _decider(forecast: Forecast, user: Any) -> None:
    if not forecast_can_decide(forecast.partner, user):
        raise PermissionDenied


def _open_cycle(forecast: Forecast, open_cycle: date | None) -> None:
    """Partners write in the current month's cycle only; `open_cycle` replaces "now" for the
    demo seed, which replays past cycles."""
    if forecast.cycle != (open_cycle or current_cycle()):
        raise ValidationError(
            _("The %(cycle)s forecast is closed: partners forecast in the current month only.")
            % {"cycle": f"{forecast.cycle:%Y-%m}"}
        )


def _locked(forecast: Forecast) -> Forecast:
    return Forecast.objects.select_for_update().select_related("partner").get(pk=forecast.pk)


def _move(forecast: Forecast, to: str, *, actor: Any, reason: str = "") -> Forecast:
    moved = transition(
        forecast,
        to,
        table=FORECAST_TRANSITIONS,
        history_model=ForecastStatusChange,
        history_fk="forecast",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Forecast)
    return moved


# --- notifications ------------------------------------------------------------------------------


def _partner_side(forecast: Forecast) -> list[User]:
    """Who hears about a decision: the submitter and the partner's admins."""
    admins = User.objects.filter(
        partner_id=forecast.partner_id, role=Role.PARTNER_ADMIN, is_active=True
    )
    return [*admins, *([forecast.submitted_by] if forecast.submitted_by else [])]


def _vendor_side(partner: Partner) -> Iterable[User]:
    """Who decides: the partner's channel manager while active, else the vendor admins."""
    manager = partner.channel_manager
    if manager is not None and manager.is_active and manager.is_vendor_staff:
        return [manager]
    return User.objects.filter(role=Role.ADMIN, is_active=True)


def _cycle_label(forecast: Forecast) -> str:
    return f"{forecast.cycle:%Y-%m}"


# --- services -----------------------------------------------------------------------------------


@transaction.atomic
def forecast_open(
    *, partner: Partner, cycle: date, actor: Any = None, any_cycle: bool = False
) -> Forecast:
    """The partner's forecast of `cycle`, created as a draft with a zero line per authorized
    product line and month of the horizon. Safe to call again: an existing draft gains lines
    for product lines authorized since. Partners forecast in the current month only;
    `any_cycle` (the vendor's demo seed and imports) lifts that. `actor` None is the system
    (the monthly job); else the partner's own user, its channel manager or a vendor admin."""
    own = active_user(actor) and actor.is_partner_user and actor.partner_id == partner.pk
    if actor is not None and not (own or forecast_can_decide(partner, actor)):
        raise PermissionDenied
    cycle = cycle.replace(day=1)
    if not any_cycle and cycle != current_cycle():
        raise ValidationError(
            {"cycle": _("Partners forecast in the current month only.")}, code="cycle"
        )
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.status != PartnerStatus.ACTIVE:
        raise ValidationError(_("Only active partners forecast."))
    line_ids = list(partner.product_lines.order_by("code").values_list("pk", flat=True))
    forecast = Forecast.objects.filter(partner=partner, cycle=cycle).first()
    if forecast is None:
        if not line_ids:
            raise ValidationError(
                _("%(partner)s has no authorized product lines to forecast.")
                % {"partner": partner.display_name}
            )
        forecast = Forecast.objects.create(partner=partner, cycle=cycle)
        transition_start(
            forecast, history_model=ForecastStatusChange, history_fk="forecast", actor=actor
        )
    if forecast.status == ForecastStatus.DRAFT:
        ForecastLine.objects.bulk_create(
            [
                ForecastLine(forecast=forecast, product_line_id=line_id, month=month, amount=0)
                for line_id in line_ids
                for month in cycle_months(cycle)
            ],
            ignore_conflicts=True,
        )
    return forecast


@transaction.atomic
def forecast_save(
    *, forecast: Forecast, amounts: Amounts, actor: Any, open_cycle: date | None = None
) -> Forecast:
    """The partner's figures for its draft, all or nothing. Keys are (product line id, month);
    an empty value is zero. Errors are keyed by `amount_field(...)`."""
    _own(forecast, actor)
    forecast = _locked(forecast)
    if forecast.status != ForecastStatus.DRAFT:
        raise ValidationError(_("Only a draft forecast can be changed."))
    _open_cycle(forecast, open_cycle)
    lines = {(line.product_line_id, line.month): line for line in forecast.lines.all()}
    errors: dict[str, str] = {}
    values: dict[tuple[int, date], Decimal] = {}
    for key, raw in amounts.items():
        line_id, month = key
        field = amount_field(line_id, month)
        if key not in lines:
            errors[field] = _("This product line and month are not part of the forecast.")
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raw = Decimal("0.00")
        problem = amount_error(raw)
        if problem:
            errors[field] = problem
        else:
            values[key] = _decimal(raw)
    if errors:
        raise ValidationError(errors)
    for key, value in values.items():
        line = lines[key]
        if line.amount != value:
            line.amount = value
            line.save(update_fields=["amount"])
    return forecast


@transaction.atomic
def forecast_submit(*, forecast: Forecast, actor: Any, open_cycle: date | None = None) -> Forecast:
    """Send the draft to the channel manager, who is told."""
    _own(forecast, actor)
    forecast = _locked(forecast)
    _open_cycle(forecast, open_cycle)
    if not forecast.lines.exists():
        raise ValidationError(_("This forecast has no product lines."))
    moved = _move(forecast, ForecastStatus.SUBMITTED, actor=actor)
    moved.submitted_by = actor
    moved.submitted_at = timezone.now()
    moved.save(update_fields=["submitted_by", "submitted_at"])
    notify(
        recipients=_vendor_side(moved.partner),
        kind="forecast.submitted",
        title=format_lazy(
            gettext_lazy("{partner} submitted its {cycle} forecast"),
            partner=moved.partner.display_name,
            cycle=_cycle_label(moved),
        ),
        body=gettext_lazy("Review the figures, adjust them if needed, then commit."),
        url=reverse("forecasts:detail", args=[moved.pk]),
    )
    return moved


@transaction.atomic
def forecast_return(*, forecast: Forecast, reason: str, actor: Any) -> Forecast:
    """Send a submitted forecast back to the partner as a draft; the reason is required."""
    forecast = _locked(forecast)
    _decider(forecast, actor)
    if forecast.cycle != current_cycle():
        # The partner could no longer change or resend it: it would stay a draft for ever.
        raise ValidationError(
            _("The %(cycle)s cycle is over: commit the forecast, adjusting it first if needed.")
            % {"cycle": f"{forecast.cycle:%Y-%m}"}
        )
    reason = clean_reason(reason, required=True)
    moved = _move(forecast, ForecastStatus.DRAFT, actor=actor, reason=reason)
    # The partner revises its own figures; adjustments made to the old ones no longer apply.
    moved.lines.update(adjusted_amount=None, adjusted_by=None, note="")
    notify(
        recipients=_partner_side(moved),
        kind="forecast.returned",
        title=format_lazy(
            gettext_lazy("Your {cycle} forecast was sent back"), cycle=_cycle_label(moved)
        ),
        body=reason,
        url=reverse("portal_forecasts:home"),
    )
    return moved


@transaction.atomic
def forecast_adjust(
    *, line: ForecastLine, amount: Decimal | str | None, note: str, actor: Any
) -> ForecastLine:
    """The channel manager's figure for one line of a submitted forecast (None: keep the
    partner's). A change of the figure the line counts with needs a note."""
    forecast = _locked(line.forecast)
    _decider(forecast, actor)
    if forecast.status != ForecastStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted forecast can be adjusted."))
    line = ForecastLine.objects.select_for_update().get(pk=line.pk, forecast=forecast)
    if amount is not None:
        problem = amount_error(amount)
        if problem:
            raise ValidationError({"adjusted_amount": problem})
        amount = _decimal(amount)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    before = line.final_amount
    after = line.amount if amount is None else amount
    if after != before and not note:
        raise ValidationError({"note": _("Say why the figure changes.")})
    line.adjusted_amount = amount
    line.adjusted_by = actor if amount is not None else None
    if note:
        line.note = note
    line.save(update_fields=["adjusted_amount", "adjusted_by", "note"])
    return line


@transaction.atomic
def forecast_commit(*, forecast: Forecast, actor: Any) -> Forecast:
    """Accept the (adjusted) figures; the forecast is frozen from now on."""
    forecast = _locked(forecast)
    _decider(forecast, actor)
    moved = _move(forecast, ForecastStatus.COMMITTED, actor=actor)
    moved.committed_by = actor
    moved.committed_at = timezone.now()
    moved.save(update_fields=["committed_by", "committed_at"])
    notify(
        recipients=_partner_side(moved),
        kind="forecast.committed",
        title=format_lazy(
            gettext_lazy("Your {cycle} forecast was committed"), cycle=_cycle_label(moved)
        ),
        body=gettext_lazy("The committed figures are in your forecast history."),
        url=reverse("portal_forecasts:home"),
    )
    return moved
