"""The scoreboard as a printable document (PDF download, scheduled email).

A partner user always gets its own company's scoreboard, whatever the filters say; vendor staff
name the partner with `?partner=<id>` and get it only among the partners they see. Anything
else is refused with PermissionDenied, as a page would answer 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.models import Partner
from partners.selectors import partner_get_visible
from prm.core.bilingual import pick
from prm.core.templatetags.humanize_money import money
from prm.tenancy.selectors import current_tenant, tenant_today

from .documents import Figure, ReportDocument, document_builder
from .models import ReportKind
from .scoreboard import Scoreboard, scoreboard_build
from .scoreboard_cards import RebateLine
from .scoreboard_tables import percent_text, scoreboard_tables


def _partner(user: Any, query: QueryDict) -> Partner:
    partner: Partner | None = None
    if getattr(user, "is_partner_user", False):
        partner = partner_get_visible(user=user, pk=user.partner_id)
    elif getattr(user, "is_vendor_staff", False):
        raw = query.get("partner", "")
        partner = partner_get_visible(user=user, pk=int(raw)) if raw.isdigit() else None
    if partner is None:
        raise PermissionDenied
    return partner


def _year(query: QueryDict, default: int) -> int:
    raw = query.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


def scoreboard_figures(board: Scoreboard, currency: str) -> list[Figure]:
    figures = board.purchases
    year = figures.year_target
    found = [
        Figure(
            _("Purchases %(year)s to date") % {"year": board.year},
            money(figures.ytd, currency),
            _("same months of %(year)s: %(amount)s")
            % {"year": figures.previous_year, "amount": money(figures.ytd_last_year, currency)},
        ),
        Figure(_("Growth on the same months last year"), percent_text(figures.growth)),
        Figure(
            _("Target %(year)s") % {"year": board.year},
            money(year.target, currency),
            _("achieved %(rate)s; %(amount)s still to go")
            % {"rate": percent_text(year.achievement), "amount": money(year.remaining, currency)}
            if year.target is not None
            else "",
        ),
    ]
    quarter = figures.current_quarter
    if quarter is not None:
        found.append(
            Figure(
                _("This quarter (%(quarter)s)") % {"quarter": quarter.label},
                percent_text(quarter.achievement),
                _("%(bought)s of %(target)s")
                % {
                    "bought": money(quarter.purchased, currency),
                    "target": money(quarter.target, currency),
                }
                if quarter.target is not None
                else _("No target set for this quarter."),
            )
        )
    found += [
        Figure(
            _("Rebate basis: %(program)s") % {"program": line.name},
            money(line.basis, currency),
            _rebate_note(line, currency),
        )
        for line in board.rebates
    ]
    found.append(Figure(_("Market funds available"), money(board.mdf_available, currency)))
    found.append(_certification(board))
    found += _tier(board)
    return found


def _rebate_note(line: RebateLine, currency: str) -> str:
    if not line.next_band:
        return _("Top band reached.")
    return _("%(more)s more reaches the next band (%(band)s)") % {
        "more": money(line.missing, currency),
        "band": line.next_band,
    }


def _certification(board: Scoreboard) -> Figure:
    c = board.certification
    return Figure(
        _("People certified"),
        f"{c.certified} / {c.required}",
        ngettext(
            "%(n)d certificate expires within 30 days",
            "%(n)d certificates expire within 30 days",
            len(c.expiring),
        )
        % {"n": len(c.expiring)},
    )


def tier_name(tier: dict[str, Any] | None) -> str:
    return pick(tier["name"], tier["name_en"]) if tier else "—"


def _tier(board: Scoreboard) -> list[Figure]:
    scorecard = board.scorecard
    if scorecard is None:
        tier = board.partner.tier
        return [Figure(_("Tier"), tier.display_name if tier else "—")]
    found = [
        Figure(
            _("Tier"),
            tier_name(scorecard["current_tier"]),
            _("score %(score)s") % {"score": scorecard["score"]},
        )
    ]
    upcoming = scorecard["next_tier"]
    if upcoming:
        found.append(
            Figure(
                _("Next tier"),
                tier_name(upcoming),
                _("%(points)s more points needed") % {"points": upcoming["points_missing"]},
            )
        )
    return found


@document_builder(ReportKind.SCOREBOARD)
def scoreboard_document(user: Any, query: QueryDict) -> ReportDocument:
    partner = _partner(user, query)
    today = tenant_today()
    board = scoreboard_build(partner, year=_year(query, today.year), today=today)
    currency = current_tenant().currency
    tables = scoreboard_tables(board.purchases)
    return ReportDocument(
        title=_("Partner scoreboard"),
        subtitle=f"{partner.display_name} · {board.year}",
        figures=scoreboard_figures(board, currency),
        tables=list(tables.values()),
    )
