"""The forecast roll-up as a printable document (PDF download, scheduled email): the same
tables as the page, for the user's filters and with the page's visibility."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from prm.core.templatetags.humanize_money import money
from prm.tenancy.selectors import current_tenant

from .documents import Figure, ReportDocument, document_builder, filters_refused
from .forecast_forms import RollupFilterForm, cycle_value
from .forecast_rollup import forecast_rollup, rollup_tables
from .forecast_selectors import current_cycle, cycles_known
from .geography import Area
from .models import ReportKind


@document_builder(ReportKind.FORECAST)
def forecast_document(user: Any, query: QueryDict) -> ReportDocument:
    form = RollupFilterForm(query, cycles=cycles_known(user), default=current_cycle())
    if query and not form.is_valid():
        raise filters_refused(form)
    filters = form.filters()
    rollup = forecast_rollup(user=user, filters=filters)
    total = rollup.total()
    currency = current_tenant().currency
    words = [_("Cycle %(cycle)s") % {"cycle": cycle_value(filters.cycle)}]
    if filters.area:
        words.append(str(Area(filters.area).label))
    if filters.province:
        words.append(dict(form.fields["province"].choices).get(filters.province, ""))  # type: ignore[attr-defined]
    if filters.product_line is not None:
        words.append(filters.product_line.display_name)
    words.append(
        _("months %(first)s to %(last)s")
        % {"first": cycle_value(rollup.months[0]), "last": cycle_value(rollup.months[-1])}
    )
    return ReportDocument(
        title=_("Forecast roll-up"),
        subtitle=" · ".join(str(w) for w in words),
        figures=[
            Figure(_("Partners forecasting"), str(rollup.partners)),
            Figure(_("Partners' forecast"), money(total.forecast, currency)),
            Figure(_("Final forecast"), money(total.final, currency)),
            Figure(_("Weighted pipeline"), money(total.pipeline, currency)),
            Figure(
                _("Actual ordered"),
                money(total.actual, currency),
                _("months that are over"),
            ),
        ],
        tables=rollup_tables(rollup),
    )
