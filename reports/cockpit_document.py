"""The vendor cockpit as a printable document (PDF download, scheduled email): the same figures
and tables as the page, for the user's filters and with the page's visibility.

Partner users never get the cockpit (PermissionDenied). Unlike the page, which falls back to
"all" and shows the error, a filter value that does not validate is refused with a
ValidationError naming the filter: a printed or mailed report must say what it covers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import PartnerType
from prm.accounts.access import active_user
from prm.core.templatetags.humanize_money import change, money, percent
from prm.tenancy.selectors import current_tenant

from .cockpit import Compared, SalesPicture, sales_picture
from .cockpit_channel import channel_kpis, channel_picture
from .cockpit_tables import sales_kpis, sales_tables
from .documents import Figure, ReportDocument, document_builder, filters_refused
from .filters import CockpitFilter, CockpitScope, cockpit_scope
from .geography import Area, province_label
from .models import ReportKind


def _no_link(what: str, **overrides: str) -> str:
    return ""  # a printed table has nothing to click


def _filters_checked(user: Any, query: QueryDict) -> CockpitFilter:
    filterset = CockpitFilter(query or None, user=user)
    if filterset.is_bound and not filterset.is_valid():
        raise filters_refused(filterset.form)
    return filterset


def _growth_note(compared: Compared) -> str:
    return _("MoM %(mom)s · YoY %(yoy)s") % {
        "mom": change(compared.vs_previous),
        "yoy": change(compared.vs_year_ago),
    }


def _subtitle(filterset: CockpitFilter, scope: CockpitScope) -> str:
    data = filterset.form.cleaned_data if filterset.is_bound else {}
    words = [scope.period.label]
    if data.get("area"):
        words.append(str(Area(data["area"]).label))
    if data.get("province"):
        words.append(province_label(data["province"]))
    if data.get("tier"):
        words.append(data["tier"].display_name)
    if data.get("partner_type"):
        words.append(str(PartnerType(data["partner_type"]).label))
    if data.get("partner"):
        words.append(data["partner"].display_name)
    if scope.product_line is not None:
        words.append(scope.product_line.display_name)
    return " · ".join(words)


def cockpit_figures(picture: SalesPicture, currency: str, *, by_line: bool) -> list[Figure]:
    collected_note = _growth_note(picture.collected)
    if by_line:
        collected_note += " · " + _("All product lines: money received does not split by line.")
    figures = [
        Figure(
            pgettext("money", "Ordered"),
            money(picture.ordered.current, currency),
            _growth_note(picture.ordered),
        ),
        Figure(
            pgettext("money", "Shipped"),
            money(picture.shipped.current, currency),
            _growth_note(picture.shipped),
        ),
        Figure(
            pgettext("money", "Collected"),
            money(picture.collected.current, currency),
            collected_note,
        ),
        Figure(
            _("Active partners that ordered"),
            percent(picture.active_ratio),
            _("%(n)s of %(total)s active partners")
            % {"n": picture.ordering_partners, "total": picture.active_partners},
        ),
    ]
    figures += [Figure(k.label, k.value, k.note) for k in sales_kpis(picture, _no_link)]
    return figures


@document_builder(ReportKind.COCKPIT)
def cockpit_document(user: Any, query: QueryDict) -> ReportDocument:
    if not (active_user(user) and getattr(user, "is_vendor_staff", False)):
        raise PermissionDenied
    filterset = _filters_checked(user, query)
    scope = cockpit_scope(filterset)
    picture = sales_picture(scope)
    channel = [
        Figure(k.label, k.value, k.note) for k in channel_kpis(channel_picture(scope), _no_link)
    ]
    return ReportDocument(
        title=_("Channel cockpit"),
        subtitle=_subtitle(filterset, scope),
        figures=cockpit_figures(
            picture, current_tenant().currency, by_line=scope.product_line is not None
        )
        + channel,
        tables=sales_tables(picture, _no_link),
    )
