from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "partners.programs"
    label = "partner_programs"
    verbose_name = _("Partner program and scorecards")

    def ready(self) -> None:
        from prm.core.audit import audit_register

        from . import models

        audit_register(models.CustomKpi)
        audit_register(models.ScorecardCriterion)
        audit_register(models.PartnerKpiValue)
        audit_register(models.TierEvaluationRun)
        # The explanation is a large computed snapshot; the decision fields are what to audit.
        audit_register(models.TierProposal, exclude=["explanation"])
        audit_register(models.TierChange)
