from auditlog.apps import AuditlogConfig as AuditlogAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "prm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.site_header = _("Channel PRM administration")
        admin.site.site_title = _("Channel PRM")
        admin.site.index_title = _("Configuration and repair")


class AuditlogConfig(AuditlogAppConfig):
    """django-auditlog ships no Chinese: its app name is translated here."""

    verbose_name = _("Audit log")
