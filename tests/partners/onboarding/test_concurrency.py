"""Events arriving at the same moment (real committed transactions) resolve a step once."""

import pytest
from django.db import connection

from partners.models import Partner, PartnerStatusChange
from partners.onboarding.models import OnboardingStep, OnboardingStepChange, StepKind
from partners.onboarding.services import onboarding_complete, onboarding_start
from partners.services import partner_create
from tests.concurrency import in_thread, run_concurrently

pytestmark = pytest.mark.django_db


def test_concurrent_start_and_completion_write_each_row_once(tenant_a):
    pk = in_thread("alpha", lambda: partner_create(name="并发入驻伙伴", region="上海").pk)
    try:
        partner = lambda: Partner.objects.get(pk=pk)  # noqa: E731
        run_concurrently("alpha", [lambda: onboarding_start(partner=partner()) for _ in range(4)])
        changed = run_concurrently(
            "alpha",
            [
                lambda: len(onboarding_complete(partner=partner(), kind=StepKind.SIGN_AGREEMENT))
                for _ in range(4)
            ],
        )

        steps, changes = in_thread(
            "alpha",
            lambda: (
                OnboardingStep.objects.filter(partner_id=pk).count(),
                OnboardingStepChange.objects.filter(step__partner_id=pk).count(),
            ),
        )
        assert sorted(changed) == [0, 0, 0, 1]
        assert (steps, changes) == (4, 1)
    finally:
        in_thread("alpha", lambda: _remove(pk))


def _remove(pk: int) -> None:
    # Only the rows this test made, in SQL: a cascading ORM delete would also visit the tables of
    # every other app hanging off Partner; a foreign key we did not expect fails here loudly.
    OnboardingStep.objects.filter(partner_id=pk).delete()
    PartnerStatusChange.objects.filter(partner_id=pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM partners_partner WHERE id = %s", [pk])
