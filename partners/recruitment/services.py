"""Writes for partner applications: submit, start review, approve (→ active partner), reject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerContact, PartnerStatus, Qualification
from partners.services import partner_create, partner_set_status, qualification_add
from partners.signals import partner_approved, partner_user_invited
from prm.accounts.invitations import invitation_send
from prm.accounts.models import User
from prm.accounts.roles import Role
from prm.accounts.services import user_create
from prm.core.files import CONTENT_TYPES, validate_upload
from prm.core.numbering import next_number
from prm.core.workflow import transition, transition_start
from prm.tenancy.selectors import current_tenant

from .models import (
    APPLICATION_TRANSITIONS,
    ApplicationDocument,
    ApplicationStatus,
    ApplicationStatusChange,
    PartnerApplication,
)
from .selectors import application_can_review

MAX_DOCUMENTS = 5
# Stored in both languages: history shows it to readers of either.
APPROVED_REASON = "入驻申请已批准 / application approved"
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    kind: str
    file: Any  # an UploadedFile from a form, or a ContentFile from the demo seed


@transaction.atomic
def application_submit(
    *, data: dict[str, Any], uploads: Sequence[Upload], ip: str | None = None
) -> PartnerApplication:
    """Save an application with its documents, all or nothing (the form has validated already;
    files are checked again here so no caller can store an unchecked upload)."""
    if len(uploads) > MAX_DOCUMENTS:
        raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_DOCUMENTS})
    application = PartnerApplication(submitted_ip=ip, **data)
    application.full_clean(exclude=["number", "name_key"])
    application.number = next_number("JA")
    application.save()
    for upload in uploads:
        kind = validate_upload(upload.file, max_bytes=MAX_DOCUMENT_BYTES)
        document = ApplicationDocument(
            application=application,
            kind=upload.kind,
            original_name=PurePath(upload.file.name or "file").name[:200],
            content_type=CONTENT_TYPES[kind],
            size=upload.file.size or 0,
        )
        document.file.save(upload.file.name or f"file.{kind}", upload.file, save=False)
        document.full_clean()
        document.save()
    transition_start(application, history_model=ApplicationStatusChange, history_fk="application")
    return application


def _require_reviewer(actor: Any) -> None:
    if not application_can_review(actor):
        raise PermissionDenied


def _move(application: PartnerApplication, to: str, *, actor: Any, reason: str) -> None:
    transition(
        application,
        to,
        table=APPLICATION_TRANSITIONS,
        history_model=ApplicationStatusChange,
        history_fk="application",
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def application_start_review(*, application: PartnerApplication, actor: Any) -> None:
    _require_reviewer(actor)
    _move(application, ApplicationStatus.IN_REVIEW, actor=actor, reason="")
    application.reviewer = actor
    application.save(update_fields=["reviewer"])


@transaction.atomic
def application_approve(*, application: PartnerApplication, actor: Any, base_url: str) -> Partner:
    """Create the active partner, its licence qualifications and its first admin user.

    `base_url` is the vendor's scheme and host (the invitation links there). The invitation email
    goes out only after the whole approval has committed.
    """
    _require_reviewer(actor)
    app = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if app.status != ApplicationStatus.IN_REVIEW:
        raise ValidationError(_("Only an application in review can be approved."))
    existing = Partner.objects.filter(credit_code=app.credit_code).first()
    if existing is not None:
        raise ValidationError(
            _("Credit code %(code)s already belongs to partner %(partner)s.")
            % {"code": app.credit_code, "partner": existing.name}
        )
    if User.objects.filter(email__iexact=app.contact_email).exists():
        raise ValidationError(
            _("A user with the contact email %(email)s already exists.")
            % {"email": app.contact_email}
        )
    partner = partner_create(
        name=app.legal_name,
        name_en=app.name_en,
        credit_code=app.credit_code,
        partner_type=app.partner_type,
        region=app.province.name,
        city=app.city.name if app.city else "",
        contact_name=app.contact_name,
        contact_phone=app.contact_phone,
        business_scope=app.business_scope,
        address=app.address,
        actor=actor,
    )
    partner_set_status(
        partner=partner, status=PartnerStatus.ACTIVE, actor=actor, reason=APPROVED_REASON
    )
    PartnerContact.objects.create(
        partner=partner,
        name=app.contact_name,
        phone=app.contact_phone,
        email=app.contact_email,
        is_primary=True,
    )
    for document in app.documents.filter(kind=ApplicationDocument.Kind.BUSINESS_LICENSE):
        with document.file.open("rb") as handle:
            copy = ContentFile(handle.read(), name=PurePath(document.file.name).name)
        qualification_add(
            partner=partner,
            kind=Qualification.Kind.BUSINESS_LICENSE,
            number=app.credit_code,
            document=copy,
            actor=actor,
        )
    user = user_create(
        email=app.contact_email,
        full_name=app.contact_name,
        role=Role.PARTNER_ADMIN,
        partner=partner,
    )
    invitation_send(
        user=user,
        base_url=base_url,
        inviter_name=getattr(actor, "full_name", ""),
        company=current_tenant().name,
    )
    partner_user_invited.send(sender=Partner, partner=partner, user=user)
    app.partner = partner
    app.reviewer = actor
    app.reviewed_at = timezone.now()
    app.save(update_fields=["partner", "reviewer", "reviewed_at"])
    _move(app, ApplicationStatus.APPROVED, actor=actor, reason=APPROVED_REASON)
    partner_approved.send(sender=PartnerApplication, partner=partner, application=app)
    application.refresh_from_db()
    return partner


@transaction.atomic
def application_reject(*, application: PartnerApplication, actor: Any, reason: str) -> None:
    """Record the reason and tell the applicant (bilingual email, sent after commit)."""
    _require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the applicant a reason for the rejection.")})
    _move(application, ApplicationStatus.REJECTED, actor=actor, reason=reason)
    application.refresh_from_db()
    application.reject_reason = reason
    application.reviewer = actor
    application.reviewed_at = timezone.now()
    application._audit_reason = reason  # type: ignore[attr-defined]
    application.save(update_fields=["reject_reason", "reviewer", "reviewed_at"])
    context = {"application": application, "company": current_tenant().name}
    subject = render_to_string("partners/recruitment/email/rejected_subject.txt", context).strip()
    body = render_to_string("partners/recruitment/email/rejected.txt", context)
    recipient = application.contact_email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))
