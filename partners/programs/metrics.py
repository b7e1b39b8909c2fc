"""Where scorecard values come from: a registry of metric providers.

A provider answers one metric for many partners at once::

    def provider(*, partner_ids: list[int] | None, since: datetime, until: datetime)
        -> dict[int, Decimal]

`partner_ids=None` means every partner; the window is `since <= t < until` (aware datetimes,
day boundaries in the vendor's time zone). A partner with nothing in the window may be left out
of the dict (it counts as 0). A provider must cost ONE aggregate query whatever the number of
partners: the nightly evaluation calls each provider once for all partners.

Modules that own the data register their provider when Django starts, from their AppConfig::

    class OrdersConfig(AppConfig):
        def ready(self) -> None:
            from partners.programs.metrics import register_metric
            from .metrics import rolling_purchases

            register_metric("rolling_purchases", rolling_purchases)

Until a module registers, its metric uses the built-in default below, which returns {} (every
partner scores 0 on that line). Dependencies keep pointing one way: the owner imports this
registry, this module never imports the owner.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.db.models import F, Window
from django.db.models.functions import RowNumber


class MetricProvider(Protocol):
    def __call__(
        self, *, partner_ids: list[int] | None, since: datetime, until: datetime
    ) -> dict[int, Decimal]: ...


def _nothing_yet(
    *, partner_ids: list[int] | None, since: datetime, until: datetime
) -> dict[int, Decimal]:
    """Default for metrics whose module has not registered a provider (yet)."""
    return {}


# Defaults and registrations are kept apart so the order in which apps become ready (and
# import this module) cannot let a default overwrite a real provider.
_DEFAULTS: dict[str, MetricProvider] = {
    "rolling_purchases": _nothing_yet,  # orders registers the real one
    "collected_payments": _nothing_yet,  # finance / statements, when they exist
    "certified_staff": _nothing_yet,  # academy, when it exists
    "deals_won": _nothing_yet,  # deal registration, when it exists
}
_REGISTERED: dict[str, MetricProvider] = {}


def register_metric(
    name: str, provider: MetricProvider | Callable[..., dict[int, Decimal]]
) -> None:
    """Install (or replace) the provider of metric `name`; call it from AppConfig.ready()."""
    if not callable(provider):
        raise TypeError(f"metric provider for {name!r} must be callable")
    _REGISTERED[name] = provider


def unregister_metric(name: str) -> None:
    """Back to the default (tests use it to undo a temporary provider)."""
    _REGISTERED.pop(name, None)


def metric_provider(name: str) -> MetricProvider:
    provider = _REGISTERED.get(name) or _DEFAULTS.get(name)
    if provider is None:
        raise KeyError(f"no provider registered for metric {name!r}")
    return provider


def registered_metrics() -> dict[str, MetricProvider]:
    return {**_DEFAULTS, **_REGISTERED}


def custom_kpi_values(
    *, kpi_id: int, partner_ids: list[int] | None, since: datetime, until: datetime
) -> dict[int, Decimal]:
    """The latest recorded value of one custom KPI per partner inside the window (one query)."""
    from .models import PartnerKpiValue

    # The window's ends are midnights in the vendor's zone, so their own dates are the days.
    rows = PartnerKpiValue.objects.filter(
        kpi_id=kpi_id, recorded_on__gte=since.date(), recorded_on__lt=until.date()
    )
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=partner_ids)
    # DISTINCT ON would do too; a window function keeps it portable and still one query.
    ranked = rows.annotate(
        rn=Window(
            RowNumber(),
            partition_by=[F("partner_id")],
            order_by=[F("recorded_on").desc(), F("pk").desc()],
        )
    ).filter(rn=1)
    return dict(ranked.values_list("partner_id", "value"))


def custom_kpi_provider(kpi_id: int) -> MetricProvider:
    """A custom KPI seen through the standard provider signature."""

    def provider(
        *, partner_ids: list[int] | None, since: datetime, until: datetime
    ) -> dict[int, Decimal]:
        return custom_kpi_values(kpi_id=kpi_id, partner_ids=partner_ids, since=since, until=until)

    return provider
