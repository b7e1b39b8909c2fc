"""Writes for agreements: draft → issue (PDF + SHA-256) → sign → renew / expire / terminate."""

from __future__ import annotations

import calendar
import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus
from partners.selectors import partner_can_manage
from partners.signals import agreement_signed
from prm.accounts.roles import Role
from prm.core.jobs import enqueue_on_commit
from prm.core.numbering import next_number
from prm.core.pdf import file_sha256, sha256_hex
from prm.core.workflow import transition, transition_start
from prm.tenancy.selectors import tenant_today

from .models import (
    AGREEMENT_TRANSITIONS,
    Agreement,
    AgreementStatus,
    AgreementStatusChange,
    AgreementTemplate,
)
from .rendering import agreement_pdf, agreement_variables, body_blocks

# Reasons written by the system are stored in both languages, like the vendor's own notes.
TERM_ENDED = "期限届满 / term ended"
TERM_ENDED_UNSIGNED = "期限届满，未签署 / term ended before it was signed"
PARTNER_TERMINATED = "伙伴已清退 / partner terminated"
# Shown beside the tick box exactly as recorded, in both languages, whatever the page's language.
CONSENT_TEXT = (
    "我已阅读并同意本协议全部条款，同意以电子签名方式签署，电子签名与手写签名具有同等法律效力。"
    " / I have read and agree to every term of this agreement and sign it electronically; my "
    "electronic signature has the same legal effect as a handwritten one."
)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_term(template: AgreementTemplate, start: date) -> date:
    """The day before the anniversary: 2026-01-01 + 12 months ends 2026-12-31.

    When the anniversary does not exist (29 February, or 31st into a shorter month) the term
    ends on the last day of that month instead of a day early.
    """
    anniversary = add_months(start, template.default_term_months)
    return anniversary if anniversary.day != start.day else anniversary - timedelta(days=1)


def default_territory(partner: Partner) -> str:
    names = [r.name for r in partner.territories.order_by("code")]
    return "、".join(names) or " ".join(p for p in (partner.region, partner.city) if p)


def _record(agreement: Agreement, to_status: str, *, actor: Any, reason: str) -> Agreement:
    moved = transition(
        agreement,
        to_status,
        table=AGREEMENT_TRANSITIONS,
        history_model=AgreementStatusChange,
        history_fk="agreement",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Agreement)
    return moved


def _check_manager(actor: Any, partner: Partner) -> None:
    if not partner_can_manage(actor, partner):
        raise PermissionDenied


@transaction.atomic
def agreement_create(
    *,
    partner: Partner,
    template: AgreementTemplate,
    actor: Any,
    term_start: date,
    term_end: date | None = None,
    territory: str | None = None,
    purchase_target: Decimal = Decimal("0"),
    incentive_terms: str = "",
    renewal_of: Agreement | None = None,
) -> Agreement:
    """A draft the vendor can still change; nothing is sent to the partner yet."""
    _check_manager(actor, partner)
    if partner.status == PartnerStatus.TERMINATED:
        raise ValidationError(_("A terminated partner cannot get a new agreement."))
    if not template.is_active:
        raise ValidationError({"template": _("This template is no longer in use.")})
    agreement = Agreement(
        partner=partner,
        template=template,
        template_version=template.version,
        renewal_of=renewal_of,
        version=renewal_of.version + 1 if renewal_of else 1,
        territory=default_territory(partner) if territory is None else territory.strip(),
        term_start=term_start,
        term_end=term_end or default_term(template, term_start),
        purchase_target=purchase_target,
        incentive_terms=incentive_terms.strip(),
    )
    if agreement.term_end < agreement.term_start:
        raise ValidationError({"term_end": _("The term must end on or after its start.")})
    if renewal_of is not None and agreement.term_start <= renewal_of.term_end:
        raise ValidationError(
            {
                "term_start": _(
                    "A renewal starts after %(date)s, when the agreement it renews ends."
                )
                % {"date": renewal_of.term_end.isoformat()}
            }
        )
    # The number's sequence step rolls back with everything else if the checks below fail.
    agreement.number = next_number("AGR")
    # Fill the template now, so a broken text is reported here and not at issue time.
    body_blocks(template.body, agreement_variables(agreement))
    agreement.full_clean(exclude=["pdf"])
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:
        if "agreement_one_renewal" not in str(exc):
            raise
        raise ValidationError(_("This agreement has already been renewed.")) from exc
    transition_start(
        agreement, history_model=AgreementStatusChange, history_fk="agreement", actor=actor
    )
    return agreement


@transaction.atomic
def agreement_issue(*, agreement: Agreement, actor: Any) -> Agreement:
    """Render the PDF once, store it with its SHA-256, and ask the partner to sign."""
    _check_manager(actor, agreement.partner)
    # Only the agreement row: the partner and template stay free for orders and edits meanwhile.
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("partner", "template")
        .get(pk=agreement.pk)
    )
    if locked.status != AgreementStatus.DRAFT:
        raise ValidationError(_("Only a draft can be issued."))
    if locked.partner.status == PartnerStatus.TERMINATED:
        raise ValidationError(_("A terminated partner cannot sign agreements."))
    if not locked.template.is_active:
        raise ValidationError(_("This template is no longer in use."))
    if locked.term_end < tenant_today():
        raise ValidationError(_("The term of this agreement has already ended."))
    locked.issued_at = timezone.now()
    locked.issued_by = actor if getattr(actor, "is_authenticated", False) else None
    # The PDF prints the template as it is now, so its version is the one recorded.
    locked.template_version = locked.template.version
    data = agreement_pdf(locked)
    # A name of its own per attempt: if this transaction rolls back, the file is an orphan that
    # no row points at (swept by the daily job), never a file that a later issue overwrites.
    name = f"{locked.number}-v{locked.version}-{secrets.token_hex(4)}.pdf"
    locked.pdf.save(name, ContentFile(data), save=False)
    locked.pdf_sha256 = sha256_hex(data)
    locked.save(update_fields=["issued_at", "issued_by", "template_version", "pdf", "pdf_sha256"])
    moved = _record(locked, AgreementStatus.ISSUED, actor=actor, reason="")
    from .tasks import notify_agreement_issued

    enqueue_on_commit(notify_agreement_issued, moved.pk)
    return moved


def agreement_verify(agreement: Agreement) -> bool:
    """The stored PDF still hashes to what was issued (and, once signed, to what was signed)."""
    if not agreement.pdf or not agreement.pdf_sha256:
        return False
    try:
        actual = file_sha256(agreement.pdf)
    except FileNotFoundError:
        return False
    expected = {agreement.pdf_sha256} | (
        {agreement.signed_sha256} if agreement.signed_sha256 else set()
    )
    return expected == {actual}


def agreement_can_sign(user: Any, agreement: Agreement) -> bool:
    """The partner's admin signs for the company (the portal's authorised signatory)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.PARTNER_ADMIN
        and user.partner_id == agreement.partner_id
    )


def agreement_signable(agreement: Agreement) -> bool:
    return agreement.status == AgreementStatus.ISSUED and agreement.term_end >= tenant_today()


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    user: Any,
    typed_name: str,
    consent: bool,
    document_sha256: str,
    ip: str | None,
    user_agent: str,
) -> Agreement:
    """Sign the exact PDF the partner was shown, identified by its SHA-256.

    Refused, with nothing written, when the PDF on file no longer has the hash it was issued
    with, when the signer saw another version, or when the term has already ended.
    """
    if not agreement_can_sign(user, agreement):
        raise PermissionDenied
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=agreement.pk)
    )
    errors: dict[str, str] = {}
    typed = " ".join((typed_name or "").split())
    expected_name = " ".join((user.full_name or "").split())
    if not typed:
        errors["typed_name"] = _("Type your full name to sign.")
    elif expected_name and typed != expected_name:
        errors["typed_name"] = _("Type your name exactly as on your account: %(name)s.") % {
            "name": expected_name
        }
    if not consent:
        errors["consent"] = _("Tick the box to agree to sign electronically.")
    if errors:
        raise ValidationError(errors)
    if locked.status != AgreementStatus.ISSUED:
        raise ValidationError(_("This agreement is not awaiting signature."))
    if locked.partner.status not in (PartnerStatus.ACTIVE, PartnerStatus.APPLIED):
        raise ValidationError(_("Your company's status does not allow signing agreements."))
    if locked.term_end < tenant_today():
        raise ValidationError(_("The term of this agreement has already ended."))
    if document_sha256 != locked.pdf_sha256:
        raise ValidationError(
            _("The document changed since you opened it. Reload the page and read it again.")
        )
    if not agreement_verify(locked):
        raise ValidationError(
            _("The stored document does not match its recorded fingerprint; contact the vendor.")
        )
    locked.signed_at = timezone.now()
    locked.signed_by = user
    locked.signer_name = typed
    locked.signer_ip = ip or None
    locked.signer_user_agent = (user_agent or "")[:400]
    locked.signed_sha256 = locked.pdf_sha256
    locked.consent_text = CONSENT_TEXT
    locked.save(
        update_fields=[
            "signed_at",
            "signed_by",
            "signer_name",
            "signer_ip",
            "signer_user_agent",
            "signed_sha256",
            "consent_text",
        ]
    )
    moved = _record(locked, AgreementStatus.SIGNED, actor=user, reason="")
    # The agreement it renews stays in force until its own term ends (see agreements_expire).
    agreement_signed.send(sender=Agreement, partner=moved.partner, agreement=moved)
    from .tasks import notify_agreement_signed

    enqueue_on_commit(notify_agreement_signed, moved.pk)
    return moved


@transaction.atomic
def agreement_void(*, agreement: Agreement, actor: Any, reason: str) -> Agreement:
    """Withdraw a draft or an unsigned agreement; a signed one ends by expiry or termination."""
    _check_manager(actor, agreement.partner)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the agreement is voided.")})
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.ISSUED):
        raise ValidationError(_("Only a draft or an unsigned agreement can be voided."))
    return _record(agreement, AgreementStatus.VOIDED, actor=actor, reason=reason.strip())


@transaction.atomic
def agreement_renew(
    *,
    agreement: Agreement,
    actor: Any,
    term_start: date | None = None,
    term_end: date | None = None,
    purchase_target: Decimal | None = None,
    incentive_terms: str | None = None,
) -> Agreement:
    """A draft of the next version: by default the same terms, starting the day after."""
    if agreement.status not in (AgreementStatus.SIGNED, AgreementStatus.EXPIRED):
        raise ValidationError(_("Only a signed or expired agreement can be renewed."))
    if agreement.renewals.exclude(status=AgreementStatus.VOIDED).exists():
        raise ValidationError(_("This agreement has already been renewed."))
    template = agreement.template
    start = term_start or agreement.term_end + timedelta(days=1)
    return agreement_create(
        partner=agreement.partner,
        template=template,
        actor=actor,
        term_start=start,
        term_end=term_end,
        territory=agreement.territory,
        purchase_target=(agreement.purchase_target if purchase_target is None else purchase_target),
        incentive_terms=agreement.incentive_terms if incentive_terms is None else incentive_terms,
        renewal_of=agreement,
    )


def agreements_expire(*, today: date) -> int:
    """Agreements whose term ended before `today` leave force; returns how many moved.

    A signed one whose signed renewal takes over is superseded, else expired; one never signed
    expires unsigned.
    """
    ended = list(
        Agreement.objects.filter(
            status__in=[AgreementStatus.SIGNED, AgreementStatus.ISSUED], term_end__lt=today
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in ended:
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update(of=("self",)).get(pk=pk)
            if agreement.term_end >= today:
                continue
            if agreement.status == AgreementStatus.ISSUED:
                _record(agreement, AgreementStatus.EXPIRED, actor=None, reason=TERM_ENDED_UNSIGNED)
            elif agreement.status != AgreementStatus.SIGNED:
                continue
            elif agreement.renewals.filter(status=AgreementStatus.SIGNED).exists():
                _record(agreement, AgreementStatus.SUPERSEDED, actor=None, reason=TERM_ENDED)
            else:
                _record(agreement, AgreementStatus.EXPIRED, actor=None, reason=TERM_ENDED)
            moved += 1
    return moved


def agreements_end_for_partner(*, partner: Partner, reason: str) -> int:
    """On termination: signed agreements end, unsigned ones are withdrawn."""
    count = 0
    for agreement in Agreement.objects.filter(partner=partner).order_by("pk"):
        if agreement.status == AgreementStatus.SIGNED:
            _record(agreement, AgreementStatus.TERMINATED, actor=None, reason=reason)
        elif agreement.status in (AgreementStatus.DRAFT, AgreementStatus.ISSUED):
            _record(agreement, AgreementStatus.VOIDED, actor=None, reason=reason)
        else:
            continue
        count += 1
    return count


def agreement_orphans_sweep(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete agreement PDFs that no agreement points at (left by an issue that rolled back)."""
    storage = Agreement._meta.get_field("pdf").storage
    referenced = set(Agreement.objects.exclude(pdf="").values_list("pdf", flat=True))
    cutoff = timezone.now() - older_than
    removed = 0
    try:
        partner_dirs, _files = storage.listdir("partners")
    except FileNotFoundError:
        return 0
    for partner_dir in partner_dirs:
        folder = f"partners/{partner_dir}/agreements"
        try:
            _dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        for filename in files:
            name = f"{folder}/{filename}"
            if name not in referenced and storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed += 1
    return removed
