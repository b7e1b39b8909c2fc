"""The shared timeline: a reply from either side, or a vendor's internal note.

- A vendor's public reply is the ticket's first response if none came before (recorded once,
  under the ticket's row lock); it moves an open ticket to in progress, or, when it asks the
  partner something, to waiting for the partner. The submitter is told.
- A partner's reply moves a ticket waiting for the partner back to in progress; the owner is
  told.
- An internal note changes nothing the partner sees; the owner is told if someone else wrote it.

A ticket takes messages until it is resolved; after that the partner confirms or reopens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .attachments import attachments_check, attachments_save, discard_files_on_failure
from .models import ACTIVE_STATUSES, Ticket, TicketMessage, TicketStatus
from .notices import partner_side, tell, vendor_side
from .tickets import answered, can_see, clean_text, lock, move


@discard_files_on_failure
@transaction.atomic
def ticket_reply(
    ticket: Ticket,
    *,
    user: Any,
    body: str,
    internal: bool = False,
    wait_for_partner: bool = False,
    attachments: Sequence[UploadedFile] = (),
) -> TicketMessage:
    """Add a message (with files) to the timeline; errors are keyed `body` and `attachments`
    and nothing is saved."""
    locked = lock(ticket)
    if not can_see(locked, user):
        raise PermissionDenied
    from_partner = bool(user.is_partner_user)
    if from_partner and (internal or wait_for_partner):
        raise PermissionDenied
    if internal and wait_for_partner:
        raise ValidationError(_("An internal note asks the partner nothing; send a reply."))
    if locked.status not in ACTIVE_STATUSES:
        raise ValidationError(
            _("This ticket is resolved; confirm it or reopen it instead.")
            if from_partner and locked.status == TicketStatus.RESOLVED
            else _("This ticket no longer takes messages.")
        )
    errors: dict[str, list[str]] = {}
    kinds: list[str] = []
    try:
        body = clean_text(body, field="body")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        kinds = attachments_check(attachments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    message = TicketMessage.objects.create(
        ticket=locked, author=user, from_partner=from_partner, internal=internal, body=body
    )
    attachments_save(locked, attachments, kinds, user=user, message=message)
    if internal:
        tell(
            vendor_side(locked),
            ticket=locked,
            kind="support.note",
            title=format_lazy(
                gettext_lazy("Internal note on ticket {number}"), number=locked.number
            ),
            body=body,
            email=False,
            skip=user,
        )
        return message

    Ticket.objects.filter(pk=locked.pk).update(last_activity_at=message.created_at)
    if from_partner:
        if locked.status == TicketStatus.WAITING:
            move(locked, TicketStatus.IN_PROGRESS, actor=user)
        tell(
            vendor_side(locked),
            ticket=locked,
            kind="support.reply",
            title=format_lazy(
                gettext_lazy("The partner replied on ticket {number}"), number=locked.number
            ),
            body=body,
            skip=user,
        )
        return message

    answered(locked, message.created_at or timezone.now())
    if wait_for_partner and locked.status != TicketStatus.WAITING:
        move(locked, TicketStatus.WAITING, actor=user)
    elif locked.status == TicketStatus.OPEN:
        move(locked, TicketStatus.IN_PROGRESS, actor=user)
    tell(
        partner_side(locked),
        ticket=locked,
        kind="support.reply",
        title=format_lazy(
            gettext_lazy("{number}: the vendor needs your answer")
            if wait_for_partner
            else gettext_lazy("{number}: the vendor replied"),
            number=locked.number,
        ),
        body=body,
    )
    return message
