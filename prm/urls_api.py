"""The REST API: /api/v1/ (resources), /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI).

Each app keeps its serializers and viewsets in its own `api` module; this is where they meet.
"""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from deal_registration.api import DealViewSet
from mdf.api import MdfClaimViewSet, MdfRequestViewSet
from orders.api import OrderViewSet, ProductViewSet
from orders.api_payments import PaymentViewSet
from orders.api_prices import PriceListViewSet, PriceViewSet
from orders.api_stock import StockViewSet
from partners.api import PartnerViewSet
from prm.integrations.api.authentication import ApiKeyAuthentication
from rebates.api import RebateAccrualViewSet, RebateProgramViewSet
from reports.api import ForecastViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No `/orders/1.json` twins: the API speaks JSON only, and the views' own actions take no
# `format` argument (each twin answered 500).
router.include_format_suffixes = False
router.register("partners", PartnerViewSet, basename="partner")
router.register("products", ProductViewSet, basename="product")
router.register("orders", OrderViewSet, basename="order")
router.register("payments", PaymentViewSet, basename="payment")
router.register("stock", StockViewSet, basename="stock")
router.register("price-lists", PriceListViewSet, basename="price-list")
router.register("prices", PriceViewSet, basename="price")
router.register("deals", DealViewSet, basename="deal")
router.register("rebate-programs", RebateProgramViewSet, basename="rebate-program")
router.register("rebate-accruals", RebateAccrualViewSet, basename="rebate-accrual")
router.register("mdf-requests", MdfRequestViewSet, basename="mdf-request")
router.register("mdf-claims", MdfClaimViewSet, basename="mdf-claim")
router.register("forecasts", ForecastViewSet, basename="forecast")

# The schema and its docs: for a key of this vendor, or someone signed in to the portal.
readers = {
    "authentication_classes": [ApiKeyAuthentication, SessionAuthentication],
    "permission_classes": [IsAuthenticated],
}
# Swagger UI's page has one inline <style> block (drf-spectacular's template); its hash lets that
# block, and nothing else, past the site's CSP. The split view serves the page's start-up script
# as a file of its own, so scripts need no exception (tests/trust/test_headers.py).
SWAGGER_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(**readers), name="api-schema"),
    path(
        "docs/",
        csp_update({"style-src": [SWAGGER_STYLE_HASH]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", **readers)
        ),
        name="api-docs",
    ),
]
