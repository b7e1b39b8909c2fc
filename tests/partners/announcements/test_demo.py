import random

import pytest

from partners.announcements.demo import seed
from partners.announcements.models import Announcement, AnnouncementReceipt, Importance
from partners.announcements.readership import readership

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_partly_acknowledged_price_change_and_a_scheduled_notice(kb, vendor_admin):
    partners = [
        kb[k] for k in ("gold_dealer", "silver_dealer", "gold_distributor", "untiered_agent")
    ]

    seed(partners=partners, admin=vendor_admin, rng=random.Random(3))

    assert Announcement.objects.filter(status="published").count() == 4
    price = Announcement.objects.get(importance=Importance.IMPORTANT)
    stats = readership([price], viewer=vendor_admin)[price.pk]
    assert stats.recipients == 4
    assert 0 < stats.acknowledged < stats.recipients
    assert price.attachments.count() == 1
    (scheduled,) = [a for a in Announcement.objects.all() if a.is_scheduled]
    assert scheduled.notified_at is None
    assert not AnnouncementReceipt.objects.filter(announcement=scheduled).exists()
