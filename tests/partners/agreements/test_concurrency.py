"""Two signatures, or two renewals, at the same moment (real committed transactions)."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from partners.agreements.models import Agreement, AgreementStatus, AgreementTemplate
from partners.agreements.services import (
    agreement_create,
    agreement_issue,
    agreement_renew,
    agreement_sign,
)
from prm.accounts.models import User
from prm.accounts.roles import Role
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner, make_user

from .conftest import sign_kwargs

pytestmark = pytest.mark.django_db


def _setup() -> dict[str, int]:
    manager = make_user(Role.CHANNEL_MANAGER, full_name="并发经理")
    partner = make_partner(name="并发签署伙伴有限公司", channel_manager=manager)
    signer = make_user(Role.PARTNER_ADMIN, partner=partner, full_name="并发签署人")
    draft = agreement_create(
        partner=partner,
        template=AgreementTemplate.objects.get(code="channel-partner"),
        actor=manager,
        term_start=timezone.localdate(),
    )
    agreement_issue(agreement=draft, actor=manager)
    return {
        "manager": manager.pk,
        "partner": partner.pk,
        "signer": signer.pk,
        "agreement": draft.pk,
    }


def _attempt(fn: Any) -> str:
    try:
        with translation.override("en"):  # threads do not inherit the test's language
            fn()
    except ValidationError as exc:
        return "refused: " + " ".join(exc.messages)
    return "ok"


def test_concurrent_signatures_sign_once_and_concurrent_renewals_draft_once(tenant_a):
    ids = in_thread("alpha", _setup)
    try:

        def sign() -> str:
            agreement = Agreement.objects.get(pk=ids["agreement"])
            user = User.objects.get(pk=ids["signer"])
            return _attempt(lambda: agreement_sign(**sign_kwargs(agreement, user)))

        signed = run_concurrently("alpha", [sign, sign, sign])

        def renew() -> str:
            agreement = Agreement.objects.get(pk=ids["agreement"])
            manager = User.objects.get(pk=ids["manager"])
            return _attempt(lambda: agreement_renew(agreement=agreement, actor=manager))

        renewed = run_concurrently("alpha", [renew, renew, renew])
        history, renewals = in_thread(
            "alpha",
            lambda: (
                list(
                    Agreement.objects.get(pk=ids["agreement"])
                    .status_changes.order_by("pk")
                    .values_list("to_status", flat=True)
                ),
                Agreement.objects.filter(renewal_of_id=ids["agreement"]).count(),
            ),
        )

        assert (
            sorted(signed)
            == ["ok"] + ["refused: " + "This agreement is not awaiting signature."] * 2
        )
        assert history == ["draft", "issued", "signed"]
        assert sorted(renewed)[0] == "ok"
        assert all("already been renewed" in r for r in sorted(renewed)[1:])
        assert renewals == 1
        assert in_thread("alpha", lambda: Agreement.objects.get(pk=ids["agreement"]).status) == (
            AgreementStatus.SIGNED
        )
    finally:
        in_thread("alpha", lambda: _remove(ids))


def _remove(ids: dict[str, int]) -> None:
    # Only the rows this test made, in SQL, children first; an unexpected foreign key fails here.
    statements = [
        "DELETE FROM partner_agreements_agreementstatuschange WHERE agreement_id IN "
        "(SELECT id FROM partner_agreements_agreement WHERE partner_id = %(p)s)",
        "DELETE FROM partner_agreements_agreement "
        "WHERE partner_id = %(p)s AND renewal_of_id IS NOT NULL",
        "DELETE FROM partner_agreements_agreement WHERE partner_id = %(p)s",
        "DELETE FROM partner_onboarding_onboardingstepchange WHERE step_id IN "
        "(SELECT id FROM partner_onboarding_onboardingstep WHERE partner_id = %(p)s)",
        "DELETE FROM partner_onboarding_onboardingstep WHERE partner_id = %(p)s",
        "DELETE FROM partners_partnerstatuschange WHERE partner_id = %(p)s",
        "UPDATE partners_partner SET channel_manager_id = NULL WHERE id = %(p)s",
        "UPDATE auditlog_logentry SET actor_id = NULL WHERE actor_id IN (%(s)s, %(m)s)",
        "DELETE FROM accounts_user WHERE id IN (%(s)s, %(m)s)",
        "DELETE FROM reports_rolluppending WHERE partner_id = %(p)s",
        "DELETE FROM reports_saleslinemonth WHERE partner_id = %(p)s",
        "DELETE FROM reports_partnermonth WHERE partner_id = %(p)s",
        "DELETE FROM partners_partner WHERE id = %(p)s",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, {"p": ids["partner"], "s": ids["signer"], "m": ids["manager"]})
