"""Twenty partners submit the same customer at the same moment, in real committed transactions:
the database decides, and exactly one holds the customer."""

from typing import Any

import pytest
from django.db import connection
from django.utils import translation

from deal_registration.models import DealConflict, DealRegistration, Verdict
from deal_registration.registrations import registration_submit
from prm.accounts.models import User
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_credit_code

from .deals import dealer, register

pytestmark = pytest.mark.django_db

# The same company as twenty sales people would type it; half know its credit code.
VARIANTS = [
    "深圳市腾飞科技有限公司",
    "腾飞科技（深圳）有限公司",
    "腾飞科技(深圳)有限公司",
    "深圳腾飞科技股份有限公司",
    "腾飞科技 有限公司",
]
CODE = make_credit_code(4242, region="440300")


def _setup() -> dict[str, Any]:
    drafts, users, partners = [], [], []
    for n in range(20):
        partner, user = dealer()
        draft = register(
            user,
            submit=False,
            customer_name=VARIANTS[n % len(VARIANTS)],
            credit_code=CODE if n % 2 else "",
        )
        drafts.append(draft.pk)
        users.append(user.pk)
        partners.append(partner.pk)
    return {"drafts": drafts, "users": users, "partners": partners}


def _submit(draft_pk: int, user_pk: int) -> str:
    with translation.override("en"):
        registration_submit(
            DealRegistration.objects.get(pk=draft_pk), user=User.objects.get(pk=user_pk)
        )
    return "ok"


def test_twenty_simultaneous_registrations_of_one_customer_protect_exactly_one(tenant_a):
    ids = in_thread("alpha", _setup)
    try:
        results = run_concurrently(
            "alpha",
            [
                lambda d=d, u=u: _submit(d, u)
                for d, u in zip(ids["drafts"], ids["users"], strict=True)
            ],
            timeout=120,
        )
        rows = in_thread(
            "alpha",
            lambda: list(
                DealRegistration.objects.filter(pk__in=ids["drafts"])
                .order_by("submitted_at")
                .values("pk", "status", "holds_claim", "has_conflict", "submitted_at")
            ),
        )
        conflicts = in_thread(
            "alpha",
            lambda: list(
                DealConflict.objects.filter(
                    registration_id__in=ids["drafts"], verdict=Verdict.BLOCK
                ).values_list("registration_id", "other_registration_id")
            ),
        )

        holders = [r for r in rows if r["holds_claim"]]
        assert results == ["ok"] * 20
        assert {r["status"] for r in rows} == {"submitted"}
        assert len(holders) == 1
        # The holder is the first registered by the database clock; every later one is flagged
        # against it, and no two share a microsecond.
        assert holders[0]["pk"] == rows[0]["pk"]
        assert len({r["submitted_at"] for r in rows}) == 20
        assert [r["has_conflict"] for r in rows] == [False] + [True] * 19
        blocked_by_holder = {reg for reg, other in conflicts if other == holders[0]["pk"]}
        assert blocked_by_holder == {r["pk"] for r in rows[1:]}
    finally:
        in_thread("alpha", lambda: _remove(ids))


def _remove(ids: dict[str, Any]) -> None:
    statements = [
        "DELETE FROM deal_registration_dealconflict WHERE registration_id = ANY(%(d)s)",
        "DELETE FROM deal_registration_dealregistrationstatuschange "
        "WHERE registration_id = ANY(%(d)s)",
        "DELETE FROM deal_registration_dealregistration WHERE id = ANY(%(d)s)",
        "DELETE FROM partner_onboarding_onboardingstepchange WHERE step_id IN "
        "(SELECT id FROM partner_onboarding_onboardingstep WHERE partner_id = ANY(%(p)s))",
        "DELETE FROM partner_onboarding_onboardingstep WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM partners_partnerstatuschange WHERE partner_id = ANY(%(p)s)",
        "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id = ANY(%(u)s)",
        "DELETE FROM accounts_user WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM reports_rolluppending WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM reports_partnermonth WHERE partner_id = ANY(%(p)s)",
        "DELETE FROM partners_partner WHERE id = ANY(%(p)s)",
        "DELETE FROM core_sequence WHERE key LIKE 'DR-%%'",
        # The customer's region and product line were created by the committed setup too.
        "DELETE FROM partners_region WHERE code IN ('440300', '440000')",
        "DELETE FROM partners_productline WHERE code = 'network'",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, {"d": ids["drafts"], "p": ids["partners"], "u": ids["users"]})
