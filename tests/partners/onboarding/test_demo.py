import random

import pytest

from partners.models import PartnerStatus
from partners.onboarding.demo import seed
from partners.onboarding.selectors import feature_blockers, onboarding_progress
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


def test_demo_leaves_the_applicant_and_one_active_partner_gated(in_a, vendor_admin):
    headline = make_partner()
    make_user(Role.PARTNER_ADMIN, partner=headline)
    gated = make_partner()
    make_user(Role.PARTNER_ADMIN, partner=gated)
    finished = make_partner()
    applied = make_partner(status=PartnerStatus.APPLIED)
    suspended = make_partner(status=PartnerStatus.SUSPENDED)
    partners = [headline, gated, finished, applied, suspended]

    seed(partners=partners, admin=vendor_admin, rng=random.Random(1))

    progress = {p.pk: onboarding_progress(p) for p in partners}
    assert [progress[p.pk].complete for p in (headline, finished, suspended)] == [True] * 3
    assert (progress[gated.pk].done, progress[gated.pk].total) == (1, 4)
    assert (progress[applied.pk].done, progress[applied.pk].total) == (0, 4)
    assert len(feature_blockers(gated, "ordering")) == 2
    assert feature_blockers(headline, "ordering") == []
