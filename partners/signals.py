"""Events between the partner sub-apps, so none imports another's internals.

Senders pass `partner` (and what the event is about); receivers must be idempotent. All are sent
inside the sender's transaction.
"""

from django.dispatch import Signal

# partner=Partner, agreement=Agreement
agreement_signed = Signal()
# partner=Partner, qualification=Qualification
qualification_uploaded = Signal()
# partner=Partner, user=User
partner_user_invited = Signal()
# partner=Partner, from_status=str, to_status=str
partner_status_changed = Signal()
# partner=Partner, application=PartnerApplication
partner_approved = Signal()
