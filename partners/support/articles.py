"""Turning a solved ticket into a knowledge-base draft (partners.knowledge.services), in one
step: the question (subject and description), the public replies of both sides and the
resolution. Internal notes stay out, and so does who asked: the partner's names, its contacts,
its users' names, e-mails and phones, its credit code, the linked order, deal and end customer
are replaced, as are any e-mail address or mobile number. The draft is the vendor's to edit
and publish. A ticket makes one article: asking again returns the same draft."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.knowledge.models import Article, ArticleKind, Category
from partners.knowledge.services import article_create
from prm.accounts.models import User

from .models import Ticket, TicketMessage, TicketStatus
from .tickets import can_see, lock

HIDDEN = "***"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
FAQ_CODE = "faq"
TITLE_MAX = 200


def default_category() -> Category:
    category, _created = Category.objects.get_or_create(
        code=FAQ_CODE, defaults={"name": "常见问题", "name_en": "FAQ"}
    )
    return category


def _identity(ticket: Ticket) -> list[tuple[str, str]]:
    """(text, replacement) pairs naming the partner, longest first."""
    partner = ticket.partner
    who = _("[the partner]")
    pairs = [(partner.name, who), (partner.name_en, who)]
    pairs += [
        (value, HIDDEN)
        for value in (
            partner.contact_name,
            partner.contact_phone,
            partner.credit_code or "",
            partner.address,
        )
    ]
    for user in User.objects.filter(partner_id=partner.pk):
        pairs += [(user.full_name, HIDDEN), (user.email, HIDDEN), (user.phone, HIDDEN)]
    if ticket.order_id and ticket.order is not None:
        pairs.append((ticket.order.number, HIDDEN))
    if ticket.deal_id and ticket.deal is not None:
        pairs += [(ticket.deal.number, HIDDEN), (ticket.deal.customer_name, HIDDEN)]
    # One character is too little to be a name and too much to remove everywhere.
    kept = [(text.strip(), by) for text, by in pairs if len(text.strip()) > 1]
    return sorted(kept, key=lambda pair: -len(pair[0]))


def anonymize(text: str, identity: list[tuple[str, str]]) -> str:
    for needle, replacement in identity:
        text = re.sub(re.escape(needle), replacement, text, flags=re.IGNORECASE)
    return MOBILE.sub(HIDDEN, EMAIL.sub(HIDDEN, text))


def article_body(ticket: Ticket) -> str:
    identity = _identity(ticket)
    public = TicketMessage.objects.filter(ticket=ticket, internal=False).order_by(
        "created_at", "pk"
    )
    parts = [_("Question"), ticket.subject, "", ticket.description, ""]
    replies = [f"{_('Partner') if m.from_partner else _('Vendor')}: {m.body}" for m in public]
    if replies:
        parts += [_("Conversation"), *replies, ""]
    parts += [_("Resolution"), ticket.resolution]
    return anonymize("\n".join(parts).strip(), identity)


@transaction.atomic
def ticket_to_article(ticket: Ticket, *, user: Any, category: Category | None = None) -> Article:
    """A draft FAQ article from a resolved or closed ticket; the same one if it has one."""
    locked = lock(ticket)
    if not (getattr(user, "is_vendor_staff", False) and can_see(locked, user)):
        raise PermissionDenied
    if locked.article_id is not None:
        existing = Article.objects.filter(pk=locked.article_id).first()
        if existing is not None:
            return existing
    if locked.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        raise ValidationError(_("Only a resolved or closed ticket becomes an article."))
    identity = _identity(locked)
    article = article_create(
        category=category or default_category(),
        kind=ArticleKind.FAQ,
        title=anonymize(locked.subject, identity)[:TITLE_MAX],
        body=article_body(locked),
        actor=user,
        summary=anonymize(locked.resolution, identity)[:300],
        note=_("From support ticket %(number)s.") % {"number": locked.number},
    )
    locked.article = article
    locked.save(update_fields=["article"])
    return article
