"""Writes of the partner program: evaluation runs, proposal decisions, tier thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus, ProgramSettings, Tier
from partners.selectors import partner_can_manage
from prm.core.money import to_decimal
from prm.core.workflow import transition

from .models import (
    PROPOSAL_TRANSITIONS,
    ProposalStatus,
    TierChange,
    TierEvaluationRun,
    TierProposal,
    TierProposalStatusChange,
)
from .scoring import explanations_compute, today


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock_evaluation() -> None:
    """Serialise evaluations of this vendor (two workers, or the nightly job and "run now").

    A transaction-scoped advisory lock keyed by schema: other vendors are not held up.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"{connection.schema_name}:tier_evaluate"],  # type: ignore[attr-defined]
        )


@transaction.atomic
def tier_evaluate(
    *, as_of: date | None = None, actor: Any = None, once_per_day: bool = False
) -> TierEvaluationRun:
    """Score every active partner and propose (or apply) tier changes. Set-based throughout.

    Queries do not grow with the number of partners: one per metric, then bulk writes.
    With `once_per_day`, an existing run for `as_of` is returned instead of a new one.
    """
    as_of = as_of or today()
    _lock_evaluation()
    if once_per_day:
        existing = TierEvaluationRun.objects.filter(as_of=as_of).order_by("pk").first()
        if existing is not None:
            return existing
    user = _user_or_none(actor)
    auto = ProgramSettings.current().tier_auto_apply
    run = TierEvaluationRun.objects.create(
        as_of=as_of, started_at=timezone.now(), actor=user, auto_applied=auto
    )
    partner_tiers: dict[int, int | None] = dict(
        Partner.objects.filter(status=PartnerStatus.ACTIVE).values_list("pk", "tier_id")
    )
    _program, explanations = explanations_compute(
        partner_tiers=partner_tiers, partner_ids=None, as_of=as_of
    )
    history: list[TierProposalStatusChange] = []
    if explanations:
        history += _supersede_open_proposals(actor=user, run=run)
    proposals = [
        TierProposal(
            run=run,
            partner_id=pid,
            from_tier_id=partner_tiers[pid],
            to_tier_id=expl["target_tier"]["id"],
            score=Decimal(expl["score"]),
            explanation=expl,
        )
        for pid, expl in explanations.items()
        if expl["target_tier"] and expl["target_tier"]["id"] != partner_tiers[pid]
    ]
    TierProposal.objects.bulk_create(proposals)
    run_reason = _("Tier evaluation as of %(date)s") % {"date": as_of.isoformat()}
    history += [
        TierProposalStatusChange(
            proposal=p, from_status="", to_status=ProposalStatus.PROPOSED, reason=run_reason
        )
        for p in proposals
    ]
    if auto and proposals:
        history += _apply(proposals, actor=user, reason=run_reason, history_reason=run_reason)
    TierProposalStatusChange.objects.bulk_create(history)
    run.partners_evaluated = len(explanations)
    run.proposals_created = len(proposals)
    run.finished_at = timezone.now()
    run.save(update_fields=["partners_evaluated", "proposals_created", "finished_at"])
    return run


def _supersede_open_proposals(*, actor: Any, run: TierEvaluationRun) -> list[Any]:
    """A new run re-scores everyone: open proposals of earlier runs are out of date."""
    ids = list(
        TierProposal.objects.select_for_update()
        .filter(status=ProposalStatus.PROPOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    TierProposal.objects.filter(pk__in=ids).update(status=ProposalStatus.SUPERSEDED)
    reason = _("Superseded by evaluation run %(run)s") % {"run": run}
    return [
        TierProposalStatusChange(
            proposal_id=pk,
            from_status=ProposalStatus.PROPOSED,
            to_status=ProposalStatus.SUPERSEDED,
            reason=reason,
            actor=actor,
        )
        for pk in ids
    ]


def _apply(
    proposals: list[TierProposal], *, actor: Any, reason: str, history_reason: str
) -> list[TierProposalStatusChange]:
    """Move partners to their proposed tiers in bulk: Partner.tier, TierChange rows, audit rows.

    auditlog does not see bulk updates, so its LogEntry rows are written here explicitly, in the
    same shape it writes for a save (FK values as primary-key strings). Partners whose tier moved
    since the proposal was made are left alone and their proposal is superseded.
    Returns the proposals' status-history rows for the caller to bulk-create.
    """
    now = timezone.now()
    partners = {
        p.pk: p
        for p in Partner.objects.select_for_update()
        .filter(pk__in=[p.partner_id for p in proposals])
        .order_by("pk")
    }
    fresh = [
        p
        for p in proposals
        if p.partner_id in partners and partners[p.partner_id].tier_id == p.from_tier_id
    ]
    fresh_ids = {id(p) for p in fresh}
    stale = [p for p in proposals if id(p) not in fresh_ids]
    for proposal in fresh:
        partners[proposal.partner_id].tier_id = proposal.to_tier_id
        proposal.status = ProposalStatus.APPLIED
        proposal.decided_by = actor
        proposal.decided_at = now
        proposal.reason = proposal.reason or reason
    for proposal in stale:
        proposal.status = ProposalStatus.SUPERSEDED
    Partner.objects.bulk_update([partners[p.partner_id] for p in fresh], ["tier"])
    TierProposal.objects.bulk_update(proposals, ["status", "decided_by", "decided_at", "reason"])
    TierChange.objects.bulk_create(
        TierChange(
            partner_id=p.partner_id,
            from_tier_id=p.from_tier_id,
            to_tier_id=p.to_tier_id,
            reason=reason,
            actor=actor,
            proposal=p,
        )
        for p in fresh
    )
    partner_type = ContentType.objects.get_for_model(Partner)
    cid = get_cid()
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=partner_type,
            object_pk=str(p.partner_id),
            object_id=p.partner_id,
            object_repr=str(partners[p.partner_id].name),
            action=LogEntry.Action.UPDATE,
            changes={"tier": [str(p.from_tier_id), str(p.to_tier_id)]},
            actor=actor,
            actor_email=getattr(actor, "email", None),
            additional_data={"reason": reason},
            cid=cid,
            timestamp=now,
        )
        for p in fresh
    )
    return [
        TierProposalStatusChange(
            proposal=p,
            from_status=ProposalStatus.PROPOSED,
            to_status=p.status,
            reason=history_reason,
            actor=actor,
        )
        for p in proposals
    ]


@transaction.atomic
def tier_proposal_decide(
    *, proposal: TierProposal, approve: bool, actor: Any, reason: str = ""
) -> TierProposal:
    """Approve (the partner moves to the proposed tier) or reject (it keeps its tier).

    Only a vendor admin or the partner's own channel manager decides; rejecting needs a reason.
    """
    if not partner_can_manage(actor, proposal.partner):
        raise PermissionDenied
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the proposal is rejected.")})
    if not approve:
        locked = transition(
            proposal,
            ProposalStatus.REJECTED,
            table=PROPOSAL_TRANSITIONS,
            history_model=TierProposalStatusChange,
            history_fk="proposal",
            actor=actor,
            reason=reason,
        )
        assert isinstance(locked, TierProposal)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked._audit_reason = reason  # type: ignore[attr-defined]
        locked.save(update_fields=["decided_by", "decided_at", "reason"])
        return locked
    locked = TierProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PROPOSED:
        raise ValidationError(
            _("This proposal is already %(status)s.") % {"status": locked.get_status_display()}
        )
    partner = Partner.objects.select_for_update().get(pk=locked.partner_id)
    if partner.tier_id != locked.from_tier_id:
        raise ValidationError(
            _("The partner's tier changed after this proposal; wait for the next evaluation.")
        )
    locked.reason = reason
    change_reason = reason or _("Tier proposal approved")
    history = _apply([locked], actor=actor, reason=change_reason, history_reason=reason)
    TierProposalStatusChange.objects.bulk_create(history)
    return locked


@transaction.atomic
def tier_thresholds_set(*, thresholds: Mapping[str, Decimal | str], actor: Any = None) -> None:
    """Set Tier.min_score by tier code (scorecard points 0-100); audited per tier."""
    tiers = {t.code: t for t in Tier.objects.select_for_update().filter(code__in=thresholds)}
    unknown = sorted(set(thresholds) - set(tiers))
    if unknown:
        raise ValidationError(_("Unknown tier codes: %(codes)s") % {"codes": ", ".join(unknown)})
    for code, value in thresholds.items():
        score = to_decimal(value)
        if not Decimal(0) <= score <= Decimal(100):
            raise ValidationError({"min_score": _("A minimum score is between 0 and 100.")})
        tier = tiers[code]
        tier.min_score = score
        tier.full_clean()
        tier.save(update_fields=["min_score"])
