from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "partners.academy"
    label = "academy"
    verbose_name = _("Partner academy")

    def ready(self) -> None:
        from partners.programs.metrics import register_metric
        from prm.core.audit import audit_register

        from . import models as m
        from .metrics import certified_staff

        audit_register(m.Course)
        audit_register(m.Lesson)
        audit_register(m.LessonFile)
        audit_register(m.Question)
        audit_register(m.Choice)
        audit_register(m.LearningPath, m2m=["tiers", "regions"])
        audit_register(m.PathCourse)
        audit_register(m.Certificate)
        register_metric("certified_staff", certified_staff)
