from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.invitations import invitation_send
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES, Role
from prm.accounts.services import user_create
from prm.core.workflow import transition, transition_start
from prm.tenancy.selectors import current_tenant

from .models import (
    PARTNER_TRANSITIONS,
    Partner,
    PartnerStatus,
    PartnerStatusChange,
    ProgramSettings,
    Qualification,
)
from .selectors import partner_can_manage
from .signals import partner_status_changed, partner_user_invited, qualification_uploaded


@transaction.atomic
def partner_create(*, name: str, region: str, actor: Any = None, **fields: Any) -> Partner:
    partner = Partner(name=name.strip(), region=region, **fields)
    partner.full_clean()
    partner.save()
    transition_start(partner, history_model=PartnerStatusChange, history_fk="partner", actor=actor)
    return partner


@transaction.atomic
def partner_set_status(
    *, partner: Partner, status: PartnerStatus | str, actor: Any = None, reason: str = ""
) -> Partner:
    """Move a partner through applied → active → suspended → terminated, with the effects.

    Suspended partners cannot order or register deals (their status gates those services).
    Termination also deactivates the partner's users, freezes balances for final settlement and
    schedules the release of open deal-registration protection after the grace period.
    """
    from_status = partner.status
    moved = transition(
        partner,
        status,
        table=PARTNER_TRANSITIONS,
        history_model=PartnerStatusChange,
        history_fk="partner",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, Partner)
    if status == PartnerStatus.TERMINATED:
        _terminate_effects(moved, reason=reason)
    partner_status_changed.send(
        sender=Partner, partner=moved, from_status=from_status, to_status=str(status)
    )
    partner.refresh_from_db()
    return moved


def _terminate_effects(partner: Partner, *, reason: str) -> None:
    now = timezone.now()
    grace = timedelta(days=ProgramSettings.current().termination_grace_days)
    partner.terminated_at = now
    partner.protection_release_at = now + grace
    partner.balances_frozen = True
    partner._audit_reason = reason  # type: ignore[attr-defined]
    partner.save(update_fields=["terminated_at", "protection_release_at", "balances_frozen"])
    for user in User.objects.filter(partner=partner, is_active=True).order_by("pk"):
        user.is_active = False  # one save per user so each deactivation is audited
        user.save(update_fields=["is_active"])


# Who keeps which part of the profile: the channel team the business facts, finance the credit
# terms, the vendor admin everything and who manages the partner.
PROFILE_FIELDS = (
    "name_en",
    "partner_type",
    "region",
    "city",
    "address",
    "business_scope",
    "contact_name",
    "contact_phone",
    "territories",
    "product_lines",
)
CREDIT_FIELDS = ("credit_limit", "payment_terms_days")
M2M_FIELDS = ("territories", "product_lines")


def partner_editable_fields(user: Any, partner: Partner) -> tuple[str, ...]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    if user.role == Role.ADMIN:
        return (*PROFILE_FIELDS, "channel_manager", *CREDIT_FIELDS)
    if user.role == Role.FINANCE:
        return CREDIT_FIELDS
    if partner_can_manage(user, partner):
        return PROFILE_FIELDS
    return ()


def partner_can_edit_profile(user: Any, partner: Partner) -> bool:
    return bool(partner_editable_fields(user, partner))


@transaction.atomic
def partner_update(*, partner: Partner, actor: Any, changes: dict[str, Any]) -> Partner:
    """Apply `changes` (field name → new value) that the actor's role may make.

    Only fields whose value differs are written, on the locked row, so two people editing
    different parts at once do not undo each other. Each change is audited in this transaction;
    a terminated partner's record is final.
    """
    allowed = set(partner_editable_fields(actor, partner))
    if not allowed:
        raise PermissionDenied
    if set(changes) - allowed:
        raise PermissionDenied
    locked = Partner.objects.select_for_update(of=("self",)).get(pk=partner.pk)
    if locked.status == PartnerStatus.TERMINATED:
        raise ValidationError(_("A terminated partner's profile is kept as it was."))
    columns = {k: v for k, v in changes.items() if k not in M2M_FIELDS}
    changed = [k for k, v in columns.items() if getattr(locked, k) != v]
    for name in changed:
        setattr(locked, name, columns[name])
    locked.full_clean(exclude=[f.name for f in Partner._meta.fields if f.name not in changed])
    if changed:
        locked.save(update_fields=changed)
    for name in M2M_FIELDS:
        if name in changes:
            related = getattr(locked, name)
            if set(related.values_list("pk", flat=True)) != {o.pk for o in changes[name]}:
                related.set(changes[name])
    return locked


@transaction.atomic
def partner_user_invite(
    *,
    partner: Partner,
    email: str,
    full_name: str,
    role: Role | str,
    inviter: Any,
    base_url: str,
) -> User:
    """A partner admin (or vendor staff) adds a colleague; they set a password from the email."""
    if role not in PARTNER_ROLES:
        raise ValidationError({"role": _("Choose partner admin or partner user.")})
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise ValidationError({"email": _("A user with this email already exists.")})
    user = user_create(email=email, full_name=full_name, role=role, partner=partner)
    invitation_send(
        user=user,
        base_url=base_url,
        inviter_name=getattr(inviter, "full_name", ""),
        company=current_tenant().name,
    )
    partner_user_invited.send(sender=Partner, partner=partner, user=user)
    return user


@transaction.atomic
def partner_user_update(*, user: User, role: Role | str, is_active: bool, actor: Any) -> User:
    if role not in PARTNER_ROLES:
        raise ValidationError({"role": _("Choose partner admin or partner user.")})
    if user.pk == getattr(actor, "pk", None) and (not is_active or role != user.role):
        raise ValidationError(_("You cannot change your own role or deactivate yourself."))
    if user.partner is not None and user.partner.status == PartnerStatus.TERMINATED and is_active:
        raise ValidationError(_("Users of a terminated partner stay deactivated."))
    user.role = role
    user.is_active = is_active
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "is_active"])
    return user


@transaction.atomic
def qualification_add(
    *,
    partner: Partner,
    kind: str,
    actor: Any = None,
    number: str = "",
    document: Any = None,
    issued_on: Any = None,
    expires_on: Any = None,
) -> Qualification:
    qualification = Qualification(
        partner=partner, kind=kind, number=number, issued_on=issued_on, expires_on=expires_on
    )
    if document:
        qualification.document = document
    qualification.full_clean()
    qualification.save()
    qualification_uploaded.send(sender=Partner, partner=partner, qualification=qualification)
    return qualification
