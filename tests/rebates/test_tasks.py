"""A payment queues one recalculation of its partner and day after commit; more changes in the
meantime share it; the job brings the accrual up to date; the nightly job covers everything."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from orders.ledger import payment_record
from rebates.models import Basis, RebateAccrual, RebateRun
from rebates.tasks import (
    marker_key,
    queue_recalculation,
    recalculate_nightly,
    recalculate_partner_day,
)
from tests.factories import make_partner

from .test_engine import make_program

pytestmark = pytest.mark.django_db

D = Decimal


def test_changes_share_one_queued_recalculation_which_updates_the_accrual(
    in_a, django_capture_on_commit_callbacks
):
    program = make_program(
        basis=Basis.COLLECTED, starts_on=date(2026, 1, 1), ends_on=date(2099, 12, 31)
    )
    partner = make_partner()
    day = date(2026, 5, 6)
    # Markers live in the real cache for minutes: one from an earlier run of the suite (same
    # partner id in a recreated test database) must not hide this test's first queueing.
    cache.delete(marker_key(partner.pk, day))

    with django_capture_on_commit_callbacks() as queued:
        payment_record(partner=partner, amount=D("300.00"), received_on=day, method="cash")
        payment_record(partner=partner, amount=D("200.00"), received_on=day, method="cash")
    again = queue_recalculation(partner.pk, day)
    recalculate_partner_day(partner.pk, day.isoformat())
    after_run = queue_recalculation(partner.pk, day)

    # Two payments, one recalculation (the reports' rollup refresh queues its own job).
    assert len([job for job in queued if not hasattr(job, "rollups_schema")]) == 1
    assert again is False
    assert after_run is True  # the job cleared the marker: the next change queues again
    accrual = RebateAccrual.objects.get(
        program=program, partner=partner, period_start=date(2026, 4, 1)
    )
    assert accrual.basis == D("500.00")


def test_nothing_is_queued_without_an_active_program(in_a):
    partner = make_partner()
    cache.delete(marker_key(partner.pk, date(2026, 5, 6)))
    assert queue_recalculation(partner.pk, date(2026, 5, 6)) is False


def test_the_nightly_job_recalculates_every_started_period(in_a):
    program = make_program(
        basis=Basis.COLLECTED, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    partner = make_partner()
    payment_record(partner=partner, amount=D("120.00"), received_on=date(2026, 2, 3), method="cash")

    run_id = recalculate_nightly()

    assert RebateRun.objects.get(pk=run_id).finished_at is not None
    assert RebateAccrual.objects.get(
        program=program, partner=partner, period_start=date(2026, 1, 1)
    ).basis == D("120.00")
