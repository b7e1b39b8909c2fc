"""Two requests racing for the last funds: approved at the same moment in real, separate
transactions, only one reserves; the other is refused with the balance and keeps waiting."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from mdf.ledger import fund_allocate
from mdf.models import MdfActivityType, MdfAllocation, MdfRequest, RequestStatus
from mdf.requests import request_approve, request_submit
from partners.models import Partner, PartnerStatus
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user
from tests.orders.test_ledger_concurrency import _remove

from .test_ledger import make_fund, totals
from .test_requests import draft

D = Decimal


def test_two_requests_racing_for_the_last_funds_cannot_both_be_approved(tenant_a):
    def setup() -> dict[str, int]:
        manager = make_user(Role.CHANNEL_MANAGER)
        partner = make_partner(status=PartnerStatus.APPLIED)  # no onboarding needed here
        Partner.objects.filter(pk=partner.pk).update(channel_manager=manager)
        dealer = make_user(Role.PARTNER_ADMIN, partner=partner)
        fund = make_fund(code="request-race")
        fund_allocate(fund, partner, D("5000.00"))
        world = {
            "fund": fund,
            "dealer": dealer,
            "seminar": MdfActivityType.objects.create(code="race-seminar", name="研讨会"),
        }
        first, second = (
            request_submit(draft(world, ("场地", "3000.00")), user=dealer) for _ in range(2)
        )
        return {
            "manager": manager.pk,
            "dealer": dealer.pk,
            "partner": partner.pk,
            "fund": fund.pk,
            "type": world["seminar"].pk,
            "first": first.pk,
            "second": second.pk,
        }

    ids = in_thread("alpha", setup)

    def approve(key: str) -> Callable[[], str]:
        def attempt() -> str:
            try:
                with translation.override("en"):
                    request_approve(
                        MdfRequest.objects.get(pk=ids[key]),
                        user=User.objects.get(pk=ids["manager"]),
                    )
            except ValidationError as exc:
                return " ".join(exc.messages)
            return "approved"

        return attempt

    def read() -> tuple[tuple[Decimal, ...], list[str]]:
        allocation = MdfAllocation.objects.get(fund_id=ids["fund"])
        statuses = MdfRequest.objects.filter(pk__in=[ids["first"], ids["second"]]).values_list(
            "status", flat=True
        )
        return totals(allocation), sorted(statuses)

    try:
        outcomes = run_concurrently("alpha", [approve("first"), approve("second")])
        after, statuses = in_thread("alpha", read)

        assert sorted(outcomes) == [
            "Only ¥2,000.00 of this fund is available; ¥3,000.00 was asked.",
            "approved",
        ]
        assert after == (D("5000.00"), D("3000.00"), 0, 0, 0, D("2000.00"))
        assert statuses == [RequestStatus.APPROVED, RequestStatus.SUBMITTED]
    finally:

        def cleanup() -> None:
            requests = [ids["first"], ids["second"]]
            with connection.cursor() as cursor:
                for sql in (
                    "DELETE FROM mdf_mdfrequeststatuschange WHERE request_id = ANY(%(r)s)",
                    "DELETE FROM mdf_mdfrequestline WHERE request_id = ANY(%(r)s)",
                    "DELETE FROM mdf_mdfrequest WHERE id = ANY(%(r)s)",
                    "DELETE FROM mdf_mdfactivitytype WHERE id = %(t)s",
                    "DELETE FROM mdf_mdfledgerentry WHERE allocation_id IN "
                    "(SELECT id FROM mdf_mdfallocation WHERE fund_id = %(f)s)",
                    "DELETE FROM mdf_mdfallocation WHERE fund_id = %(f)s",
                    "DELETE FROM mdf_mdffund WHERE id = %(f)s",
                    "DELETE FROM auditlog_logentry WHERE content_type_id IN "
                    "(SELECT id FROM django_content_type WHERE app_label = 'mdf')",
                    "UPDATE partners_partner SET channel_manager_id = NULL WHERE id = %(p)s",
                ):
                    cursor.execute(
                        sql,
                        {"r": requests, "t": ids["type"], "f": ids["fund"], "p": ids["partner"]},
                    )
            _remove(ids["partner"], users=[ids["dealer"], ids["manager"]])

        in_thread("alpha", cleanup)
