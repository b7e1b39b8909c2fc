"""Turning a solved ticket into a knowledge-base draft (partners.knowledge.services), in one
step: the question (subject and description), the public replies of both sides and the
resolution. Internal notes stay out, and so does who asked and whom they named: the partner's
names, its contacts, its users' names, e-mails and phones, its credit code, the linked order,
deal and end customer are replaced, as are the names of any other partner of the vendor (a
diversion report names the partner it accuses) and of any partner's user, and any e-mail
address or mobile number. The body is written as HTML (each part escaped, its line breaks kept)
with headings in the vendor's default language. The draft is the vendor's to edit and publish.
A ticket makes one article: asking again returns the same draft."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from partners.knowledge.models import Article, ArticleKind, Category
from partners.knowledge.services import article_create
from partners.models import Partner
from prm.accounts.models import User
from prm.tenancy.selectors import current_tenant

from .models import Ticket, TicketMessage, TicketStatus
from .tickets import can_see, lock

HIDDEN = "***"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
FAQ_CODE = "faq"
TITLE_MAX = 200
SUMMARY_MAX = 300
PARTNER, PERSON = "partner", "person"


def default_category() -> Category:
    category, _created = Category.objects.get_or_create(
        code=FAQ_CODE, defaults={"name": "常见问题", "name_en": "FAQ"}
    )
    return category


def _named_elsewhere(text: str) -> list[tuple[str, str]]:
    """Names of the vendor's partners (Chinese and English) and of partner users that occur in
    `text`, each with what replaces it. One query for all of them."""
    blank = Value("", output_field=models.CharField())
    partners = Partner.objects.values_list(
        "name", "name_en", Value(PARTNER, output_field=models.CharField())
    )
    people = User.objects.filter(partner__isnull=False).values_list(
        "full_name", blank, Value(PERSON, output_field=models.CharField())
    )
    folded = text.casefold()
    found = []
    for name, name_en, kind in partners.union(people, all=True):
        by = _("[another partner]") if kind == PARTNER else HIDDEN
        found += [(n, by) for n in (name, name_en) if n.strip() and n.strip().casefold() in folded]
    return found


def _identity(ticket: Ticket, text: str) -> list[tuple[str, str]]:
    """(text, replacement) pairs naming the partner, its people and any other partner or
    partner user `text` mentions, longest first (so a name inside a longer one goes with it)."""
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
    pairs += _named_elsewhere(text)
    # The ticket's own partner comes first: its names say "the partner", not "another partner".
    replacements: dict[str, tuple[str, str]] = {}
    for needle, by in pairs:
        needle = needle.strip()
        # One character is too little to be a name and too much to remove everywhere.
        if len(needle) > 1:
            replacements.setdefault(needle.casefold(), (needle, by))
    return sorted(replacements.values(), key=lambda pair: -len(pair[0]))


def anonymize(text: str, identity: list[tuple[str, str]]) -> str:
    """Replace every name in one pass (longest first at each place), so a replacement is never
    itself searched again."""
    if identity:
        by = {needle.casefold(): replacement for needle, replacement in identity}
        names = re.compile("|".join(re.escape(needle) for needle, _by in identity), re.IGNORECASE)
        text = names.sub(lambda found: by.get(found.group(0).casefold(), HIDDEN), text)
    return MOBILE.sub(HIDDEN, EMAIL.sub(HIDDEN, text))


def _html(heading: str, parts: Iterable[str]) -> str:
    """A section of the body: its heading, then each part as escaped paragraphs (a model
    number like <IPC-200> is text, not a tag) with its line breaks kept."""
    paragraphs = "".join(linebreaks(escape(part)) for part in parts if part.strip())
    return f"<h3>{escape(heading)}</h3>{paragraphs}" if paragraphs else ""


def article_body(ticket: Ticket, identity: list[tuple[str, str]]) -> str:
    public = TicketMessage.objects.filter(ticket=ticket, internal=False).order_by(
        "created_at", "pk"
    )
    replies = [f"{_('Partner') if m.from_partner else _('Vendor')}: {m.body}" for m in public]
    sections = [
        (_("Question"), [ticket.subject, ticket.description]),
        (_("Conversation"), replies),
        (_("Resolution"), [ticket.resolution]),
    ]
    return "".join(
        _html(heading, [anonymize(part, identity) for part in parts]) for heading, parts in sections
    )


def _source_text(ticket: Ticket) -> str:
    """Everything the article is made of, to find the names it mentions."""
    bodies = TicketMessage.objects.filter(ticket=ticket, internal=False).values_list(
        "body", flat=True
    )
    return "\n".join([ticket.subject, ticket.description, ticket.resolution, *bodies])


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
    # Written once for every reader: in the vendor's default language, not the clicker's.
    with translation.override(current_tenant().default_language):
        identity = _identity(locked, _source_text(locked))
        article = article_create(
            category=category or default_category(),
            kind=ArticleKind.FAQ,
            title=anonymize(locked.subject, identity)[:TITLE_MAX],
            body=article_body(locked, identity),
            actor=user,
            summary=anonymize(locked.resolution, identity)[:SUMMARY_MAX],
            note=_("From support ticket %(number)s.") % {"number": locked.number},
        )
    locked.article = article
    locked.save(update_fields=["article"])
    return article
