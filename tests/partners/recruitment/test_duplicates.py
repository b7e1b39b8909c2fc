"""Reviewers see partners and other applications that may be the same company, and why."""

import pytest
from django.utils import translation

from partners.recruitment.selectors import application_duplicates
from partners.recruitment.services import application_start_review
from tests.conftest import login
from tests.factories import make_credit_code, make_partner

from .conftest import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Duplicate reasons are asserted in English; pages set their language per request."""
    with translation.override("en"):
        yield


def _summary(duplicates):
    return [
        (
            (d.partner or d.application).pk,
            "partner" if d.partner else "application",
            d.same_credit_code,
            d.score,
        )
        for d in duplicates
    ]


def test_similar_name_after_removing_region_and_legal_form(regions):
    partner = make_partner(name="上海华东智能科技有限公司", credit_code=make_credit_code(1))
    make_partner(name="杭州西湖安防设备有限公司", credit_code=make_credit_code(2))

    application = make_application(regions, legal_name="华东智能科技(上海)有限公司")
    duplicates = application_duplicates(application)

    assert _summary(duplicates) == [(partner.pk, "partner", False, 1.0)]
    assert duplicates[0].reasons == ["similar name (score 1.00)"]


def test_similar_but_not_identical_name_has_its_score(regions):
    partner = make_partner(name="深圳南山创联科技有限公司", credit_code=make_credit_code(3))
    make_partner(name="深圳南山科技有限公司", credit_code=make_credit_code(4))

    application = make_application(regions, legal_name="南山创联智能电子(深圳)有限公司")
    duplicates = application_duplicates(application)

    # keys 南山创联智能 vs 南山创联: 4 shared of 8 trigrams = 0.5 (the threshold);
    # vs 南山: 2 of 8 = 0.25, not flagged
    assert [d.partner.pk for d in duplicates] == [partner.pk]
    assert duplicates[0].score == 0.5


def test_same_credit_code_is_flagged_whatever_the_name(regions):
    code = make_credit_code(5)
    partner = make_partner(name="北京中关村恒通科技有限公司", credit_code=code)

    application = make_application(regions, legal_name="完全不同贸易有限公司", credit_code=code)

    assert _summary(application_duplicates(application)) == [(partner.pk, "partner", True, None)]
    assert application_duplicates(application)[0].reasons == ["same credit code"]


def test_other_applications_are_flagged_too(regions):
    first = make_application(regions, legal_name="上海华东智能科技有限公司")
    same_code = make_application(regions, legal_name="无关名称", credit_code=first.credit_code)
    unrelated = make_application(regions, legal_name="成都天府云网络科技有限公司")

    second = make_application(regions, legal_name="华东智能(上海)有限公司")

    assert _summary(application_duplicates(second)) == [(first.pk, "application", False, 1.0)]
    assert _summary(application_duplicates(first)) == [
        (second.pk, "application", False, 1.0),
        (same_code.pk, "application", True, None),
    ]
    assert application_duplicates(unrelated) == []


def test_detail_page_shows_the_duplicates_panel(client_a, regions, vendor_admin):
    make_partner(name="上海华东智能科技有限公司", credit_code=make_credit_code(6))
    application = make_application(regions, legal_name="华东智能科技(上海)有限公司")
    application_start_review(application=application, actor=vendor_admin)
    login(client_a, vendor_admin)
    client_a.cookies["prm_language"] = "en"

    page = client_a.get(f"/partners/applications/{application.pk}/")

    assert page.status_code == 200
    assert "similar name (score 1.00)" in page.content.decode()
    assert len(page.context["duplicates"]) == 1
