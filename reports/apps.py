from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from . import models as m
        from .receivers import connect

        connect()
        audit_register(m.SalesTarget)
        audit_register(m.Forecast)
        audit_register(m.ForecastLine)
        audit_register(m.ReportSubscription)
