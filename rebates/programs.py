"""Rebate programs' life: draft (editable) → active (accruing) → closed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from prm.accounts.access import active_user
from prm.accounts.roles import Role
from prm.core.workflow import transition

from .models import PROGRAM_TRANSITIONS, ProgramStatus, RebateProgram, RebateProgramStatusChange
from .rules import band_errors

# Who states and switches programs: the people who own the channel's money.
PROGRAM_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.CHANNEL_MANAGER})


def program_can_manage(user: Any) -> bool:
    return active_user(user) and user.is_vendor_staff and user.role in PROGRAM_ROLES


def _move(program: RebateProgram, to: str, *, actor: Any, reason: str) -> RebateProgram:
    if not program_can_manage(actor):
        raise PermissionDenied
    moved = transition(
        program,
        to,
        table=PROGRAM_TRANSITIONS,
        history_model=RebateProgramStatusChange,
        history_fk="program",
        actor=actor,
        reason=reason,
    )
    assert isinstance(moved, RebateProgram)
    return moved


def program_activate(program: RebateProgram, *, actor: Any, reason: str = "") -> RebateProgram:
    """Start accruing. The bands must be valid and there must be at least one."""
    bands = list(program.bands.order_by("threshold_from"))
    if not bands:
        raise ValidationError(_("Add at least one tier before activating the program."))
    if band_errors(bands):
        raise ValidationError(_("Fix the tiers before activating the program."))
    return _move(program, ProgramStatus.ACTIVE, actor=actor, reason=reason)


def program_close(program: RebateProgram, *, actor: Any, reason: str = "") -> RebateProgram:
    """Stop accruing; what accrued stays for settlement."""
    return _move(program, ProgramStatus.CLOSED, actor=actor, reason=reason)
