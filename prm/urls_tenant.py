"""URLs of a vendor's host (<slug>.<base domain>)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from prm.tenancy.views import tenant_logo, vendor_settings
from reports import views as dashboards

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("portal/", dashboards.portal_home, name="portal_home"),
    path("portal/orders/", include("orders.portal_urls")),
    path("portal/agreements/", include("partners.agreements.portal_urls")),
    path("portal/program/", include("partners.programs.portal_urls")),
    path("portal/onboarding/", include("partners.onboarding.portal_urls")),
    path("portal/wallet/", include("orders.ledger_portal_urls")),
    path("portal/returns/", include("orders.returns_portal_urls")),
    path("portal/statements/", include("orders.statements_portal_urls")),
    path("portal/invoices/", include("orders.erp.portal_urls")),
    path("portal/sales/", include("orders.sellthrough_portal_urls")),
    path("portal/leads/", include("deal_registration.lead_portal_urls")),
    path("portal/deals/", include("deal_registration.portal_urls")),
    path("portal/rebates/", include("rebates.portal_urls")),
    path("portal/mdf/", include("mdf.portal_urls")),
    path("portal/academy/", include("partners.academy.portal_urls")),
    path("portal/knowledge/", include("partners.knowledge.portal_urls")),
    path("portal/announcements/", include("partners.announcements.portal_urls")),
    path("portal/support/", include("partners.support.portal_urls")),
    path("portal/scoreboard/", include("reports.scoreboard_portal_urls")),
    path("portal/forecasts/", include("reports.forecast_portal_urls")),
    path("portal/", include("partners.portal_urls")),
    path("join/", include("partners.recruitment.public_urls")),
    path("partners/applications/", include("partners.recruitment.urls")),
    path("partners/agreements/", include("partners.agreements.urls")),
    path("partners/program/", include("partners.programs.urls")),
    path("partners/onboarding/", include("partners.onboarding.urls")),
    path("partners/", include("partners.urls")),
    path("academy/", include("partners.academy.urls")),
    path("certificates/", include("partners.academy.public_urls")),
    path("knowledge/", include("partners.knowledge.urls")),
    path("announcements/", include("partners.announcements.urls")),
    path("support/", include("partners.support.urls")),
    path("notifications/", include("prm.core.notification_urls")),
    path("orders/", include("orders.urls")),
    path("inventory/", include("orders.inventory_urls")),
    path("finance/", include("orders.ledger_urls")),
    path("channel/", include("orders.sellthrough_urls")),
    path("deals/leads/", include("deal_registration.lead_urls")),
    path("deals/", include("deal_registration.urls")),
    path("rebates/", include("rebates.urls")),
    path("mdf/roi/", include("mdf.roi_urls")),
    path("mdf/", include("mdf.urls")),
    path("statements/", include("orders.statements_urls")),
    path("returns/", include("orders.returns_urls")),
    path("reports/forecasts/", include("reports.forecast_urls")),
    path("reports/scoreboard/", include("reports.scoreboard_urls")),
    path("reports/subscriptions/", include("reports.subscription_urls")),
    path("reports/documents/", include("reports.document_urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("prm.urls_api")),
    path("integrations/erp/", include("orders.erp.urls")),
    path("integrations/", include("prm.integrations.urls")),
    path("accounts/", include("prm.accounts.urls")),
    path("admin/", admin.site.urls),
    path("branding/logo", tenant_logo, name="tenant_logo"),
    path("settings/", vendor_settings, name="vendor_settings"),
    # Browsers ask for /favicon.ico whatever the page links; answer instead of logging a 404.
    path(
        "favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)
    ),
]
