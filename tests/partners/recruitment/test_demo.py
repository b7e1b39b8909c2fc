import random

import pytest

from partners import demo as partner_demo
from partners.models import PartnerStatus
from partners.recruitment.demo import seed
from partners.recruitment.models import PartnerApplication
from partners.recruitment.selectors import application_duplicates
from tests.factories import make_credit_code, make_partner

pytestmark = pytest.mark.django_db


def test_demo_applications_in_each_state_with_likely_duplicates(in_a, vendor_admin):
    partner_demo.seed_reference()
    huadong = make_partner(
        name="上海华东智能科技有限公司", region="上海", city="上海", credit_code=make_credit_code(7)
    )
    xihu = make_partner(
        name="杭州西湖安防设备有限公司", region="浙江", city="杭州", credit_code=make_credit_code(8)
    )
    applied = make_partner(status=PartnerStatus.APPLIED, region="江苏")

    seed(partners=[huadong, xihu, applied], admin=vendor_admin, rng=random.Random(3))

    rows = {a.legal_name: a for a in PartnerApplication.objects.all()}
    assert {name: a.status for name, a in rows.items()} == {
        "杭州云栖物联科技有限公司": "submitted",
        "深圳前海智安电子有限公司": "submitted",
        "华东智能科技(上海)有限公司": "in_review",
        "杭州西湖安防设备第二分公司": "in_review",
        "宁波甬江家电商行": "rejected",
    }
    assert [
        (d.partner, d.same_credit_code, d.score)
        for d in application_duplicates(rows["华东智能科技(上海)有限公司"])
    ] == [(huadong, False, 1.0)]
    assert [
        (d.partner, d.same_credit_code)
        for d in application_duplicates(rows["杭州西湖安防设备第二分公司"])
    ] == [(xihu, True)]
    assert all(a.documents.count() == 1 for a in rows.values())
    assert rows["宁波甬江家电商行"].reject_reason.startswith("经营范围不含安防产品销售")
