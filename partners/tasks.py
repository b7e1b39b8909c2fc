from __future__ import annotations

from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.core.jobs import job

from .models import ProgramSettings
from .selectors import qualifications_expiring


@job("partners.tasks.remind_expiring_qualifications")
def remind_expiring_qualifications() -> int:
    """Runs in one vendor schema; each qualification is reminded about once."""
    days = ProgramSettings.current().expiry_reminder_days
    sent = 0
    for qualification in qualifications_expiring(within_days=days).filter(reminded_on=None):
        with transaction.atomic():
            # Re-check under a lock: a retry or a second worker must not send twice.
            locked = type(qualification).objects.select_for_update().get(pk=qualification.pk)
            if locked.reminded_on is not None:
                continue
            partner = qualification.partner
            recipients = list(
                User.objects.filter(
                    partner=partner, role=Role.PARTNER_ADMIN, is_active=True
                ).values_list("email", flat=True)
            )
            if partner.channel_manager and partner.channel_manager.is_active:
                recipients.append(partner.channel_manager.email)
            if recipients:
                subject = _("%(kind)s of %(partner)s expires on %(date)s") % {
                    "kind": qualification.get_kind_display(),
                    "partner": partner.name,
                    "date": qualification.expires_on,
                }
                body = _(
                    "Please upload the renewed document in the partner portal before it expires."
                )
                transaction.on_commit(partial(send_mail, subject, body, None, recipients))
            locked.reminded_on = timezone.localdate()
            locked.save(update_fields=["reminded_on"])
            sent += 1
    return sent
