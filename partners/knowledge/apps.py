from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "partners.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from . import models as m

        audit_register(m.Category)
        audit_register(m.Tag)
        # The vector and the counters change on every save or answer: noise in a timeline.
        audit_register(
            m.Article,
            exclude=["search_vector", "helpful_count", "unhelpful_count"],
            m2m=["tags", "tiers", "regions"],
        )
        # Which files partners were given, and which were taken away, belong in the trail.
        audit_register(m.ArticleAttachment)
