"""`make demo` data: every lifecycle stage, working logins, and a second run changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from deal_registration.models import DealConflict, DealRegistration
from mdf.ledger import entry_totals
from mdf.models import MdfAllocation, MdfClaim, MdfRequest
from orders.models import ChannelStockReport, Order, SellOut
from partners.agreements.models import Agreement
from partners.agreements.services import agreement_verify
from partners.gates import partner_blockers
from partners.models import Partner, Qualification, Region
from partners.programs.models import TierProposal
from partners.recruitment.models import PartnerApplication
from prm.accounts.models import User
from rebates.models import RebateAccrual, RebateSettlement
from reports import demo

pytestmark = pytest.mark.django_db


def test_demo_vendor_has_every_lifecycle_stage_and_working_logins(tenant_a):
    call_command("seed_demo", stdout=StringIO())

    assert demo.demo_exists() is True
    with schema_context("demo"):
        statuses = set(Partner.objects.values_list("status", flat=True))
        assert statuses == {"applied", "active", "suspended", "terminated"}
        statuses_seen = set(Order.objects.values_list("status", flat=True))
        assert {
            "submitted",
            "approved",
            "partially_shipped",
            "shipped",
            "received",
            "completed",
            "cancelled",
            "rejected",
        } <= statuses_seen
        months = {d.strftime("%Y-%m") for d in Order.objects.values_list("created_at", flat=True)}
        assert len(months) >= 5
        assert SellOut.objects.filter(outside_territory=True).exists()
        assert SellOut.objects.filter(outside_territory=False).exists()
        assert ChannelStockReport.objects.exists()
        assert Region.objects.filter(level="province").count() == 8
        for language in ("zh-hans", "en"):  # no region twice in a dropdown
            with translation.override(language):
                labels = [str(region) for region in Region.objects.all()]
            assert sorted(set(labels)) == sorted(labels), language
        assert Qualification.objects.count() == Partner.objects.count()
        assert set(PartnerApplication.objects.values_list("status", flat=True)) == {
            "submitted",
            "in_review",
            "rejected",
        }
        assert sorted(Agreement.objects.values_list("status", flat=True)) == [
            "draft",
            "issued",
            "signed",
            "terminated",
        ]
        assert all(agreement_verify(a) for a in Agreement.objects.exclude(status="draft"))
        gated = Partner.objects.get(name="深圳南山创联科技有限公司")
        with translation.override("en"):
            assert partner_blockers(gated, "ordering")[0] == (
                "Sign the partner agreement before ordering."
            )
        assert TierProposal.objects.exists()
        assert set(DealRegistration.objects.values_list("status", flat=True)) == {
            "submitted",
            "approved",
            "more_info",
            "won",
            "expired",
        }
        assert set(
            DealConflict.objects.filter(verdict="block").values_list("source", flat=True)
        ) == {"registration", "account"}
        assert RebateAccrual.objects.filter(amount__gt=0).exists()
        assert RebateSettlement.objects.exists()
        assert set(MdfRequest.objects.values_list("status", flat=True)) == {
            "draft",
            "submitted",
            "manager_ok",
            "returned",
            "approved",
        }
        assert sorted(MdfClaim.objects.values_list("status", flat=True)) == [
            "settled",
            "submitted",
        ]
        for allocation in MdfAllocation.objects.all():
            assert allocation.allocated == entry_totals(allocation)["allocated"]
        assert MdfAllocation.objects.filter(fund__code="east-display").count() == 3
        haian_claim = DealRegistration.objects.get(partner__status="terminated")
        assert haian_claim.protection_ends is not None
        assert haian_claim.protection_ends < haian_claim.expected_close_date
        terminated = Partner.objects.get(status="terminated")
        assert terminated.balances_frozen is True
        assert list(
            User.objects.filter(partner=terminated).values_list("is_active", flat=True)
        ) == [False]
        # Two years of history behind the cockpit, this year's targets, forecasts in every state.
        from reports.models import Forecast, PartnerMonth, SalesTarget
        from reports.periods import add_months
        from reports.rollups import rollups_rebuild

        year_ago = add_months(timezone.localdate().replace(day=1), -12)
        assert PartnerMonth.objects.filter(month=year_ago, ordered_amount__gt=0).exists()
        before = sorted(PartnerMonth.objects.values_list("partner_id", "month", "ordered_amount"))
        rollups_rebuild()
        after = sorted(PartnerMonth.objects.values_list("partner_id", "month", "ordered_amount"))
        assert before == after  # the rollups the seed left are those a rebuild computes
        assert SalesTarget.objects.filter(year=timezone.localdate().year).count() % 4 == 0
        assert set(Forecast.objects.values_list("status", flat=True)) == {
            "draft",
            "submitted",
            "committed",
        }
        for login in demo.demo_logins():
            # django-axes needs the request.
            request = RequestFactory().post("/accounts/login/")
            user = authenticate(request, username=login.email, password=login.password)
            assert user is not None, login.email
            assert user.home_url == login.portal
        partners_before = Partner.objects.count()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert "Demo vendor exists; keeping its data." in output.getvalue()
    with schema_context("demo"):
        assert Partner.objects.count() == partners_before
