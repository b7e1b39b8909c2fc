"""Two people press "suspend" at the same moment: exactly one move, one history row."""

import pytest

from partners.models import Partner, PartnerStatus, PartnerStatusChange
from partners.services import partner_set_status
from prm.core.workflow import InvalidTransition
from tests.concurrency import in_thread, run_concurrently
from tests.factories import make_partner

pytestmark = pytest.mark.django_db


def test_concurrent_transitions_apply_once(tenant_a):
    partner_id = in_thread("alpha", lambda: make_partner(name="并发伙伴").pk)

    def suspend():
        try:
            partner_set_status(
                partner=Partner.objects.get(pk=partner_id), status=PartnerStatus.SUSPENDED
            )
            return "moved"
        except InvalidTransition:
            return "refused"

    try:
        outcomes = run_concurrently("alpha", [suspend, suspend, suspend])
        history = in_thread(
            "alpha",
            lambda: list(
                PartnerStatusChange.objects.filter(partner_id=partner_id)
                .order_by("pk")
                .values_list("to_status", flat=True)
            ),
        )
        assert sorted(outcomes) == ["moved", "refused", "refused"]
        assert history == ["applied", "active", "suspended"]
    finally:
        in_thread("alpha", lambda: Partner.objects.filter(pk=partner_id).delete())
