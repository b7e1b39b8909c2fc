from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "partners.announcements"
    label = "announcements"
    verbose_name = _("Announcements")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from . import models as m

        audit_register(m.Announcement, m2m=["tiers", "regions"])
        audit_register(m.AnnouncementAttachment)
