"""The evaluation run: proposals only on change, auto-apply vs approval, bounded queries."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partners.models import Partner, PartnerStatus, ProgramSettings
from partners.programs.models import (
    ProposalStatus,
    TierChange,
    TierEvaluationRun,
    TierProposal,
)
from partners.programs.scoring import today
from partners.programs.services import tier_evaluate, tier_proposal_decide, tier_thresholds_set
from partners.programs.tasks import evaluate_tiers
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user

from .conftest import record, score_seventy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Reasons the run writes are asserted in English."""
    with translation.override("en"):
        yield


def _auto_apply(on: bool) -> None:
    row = ProgramSettings.current()
    row.tier_auto_apply = on
    row.save()


def _tier_log_entries(partner: Partner) -> list[tuple[dict, object, dict]]:
    return [
        (e.changes, e.actor, e.additional_data)
        for e in LogEntry.objects.get_for_object(partner).order_by("pk")
        if e.action == LogEntry.Action.UPDATE and "tier" in (e.changes or {})
    ]


def test_proposal_only_where_the_tier_changes(program, vendor_admin):
    _auto_apply(False)
    moving = score_seventy(make_partner(tier=program.tiers.silver), program)
    staying = score_seventy(make_partner(tier=program.tiers.gold), program)
    suspended = score_seventy(
        make_partner(tier=program.tiers.silver, status=PartnerStatus.SUSPENDED), program
    )

    run = tier_evaluate(actor=vendor_admin)

    proposals = list(TierProposal.objects.filter(run=run))
    assert [(p.partner_id, p.from_tier, p.to_tier, p.score) for p in proposals] == [
        (moving.pk, program.tiers.silver, program.tiers.gold, Decimal("70.00"))
    ]
    assert proposals[0].status == ProposalStatus.PROPOSED
    assert proposals[0].explanation["score"] == "70.00"
    assert proposals[0].explanation["next_tier"]["points_missing"] == "15.00"
    assert (run.partners_evaluated, run.proposals_created, run.auto_applied) == (2, 1, False)
    assert run.finished_at is not None
    assert run.actor == vendor_admin
    # Approval mode: nobody moved yet.
    assert Partner.objects.get(pk=moving.pk).tier == program.tiers.silver
    assert not TierChange.objects.filter(partner__in=[moving, staying, suspended]).exists()


def test_auto_apply_moves_the_partner_with_history_and_audit(program, vendor_admin):
    _auto_apply(True)
    partner = score_seventy(make_partner(tier=program.tiers.silver), program)
    newcomer = make_partner()  # no tier yet, scores 0: registered
    record(newcomer, program.csat, "9")  # 4.00 points

    run = tier_evaluate(actor=vendor_admin)

    partner.refresh_from_db()
    newcomer.refresh_from_db()
    assert partner.tier == program.tiers.gold
    assert newcomer.tier == program.tiers.registered
    assert (run.auto_applied, run.proposals_created) == (True, 2)
    proposal = TierProposal.objects.get(partner=partner)
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPLIED, vendor_admin)
    change = TierChange.objects.get(partner=partner)
    assert (change.from_tier, change.to_tier, change.proposal, change.actor) == (
        program.tiers.silver,
        program.tiers.gold,
        proposal,
        vendor_admin,
    )
    reason = f"Tier evaluation as of {today().isoformat()}"
    assert _tier_log_entries(partner) == [
        (
            {"tier": [str(program.tiers.silver.pk), str(program.tiers.gold.pk)]},
            vendor_admin,
            {"reason": reason},
        )
    ]
    assert _tier_log_entries(newcomer)[0][0] == {"tier": ["None", str(program.tiers.registered.pk)]}
    assert list(proposal.status_changes.order_by("pk").values_list("from_status", "to_status")) == [
        ("", "proposed"),
        ("proposed", "applied"),
    ]


def test_approval_by_the_partners_channel_manager_applies_the_tier(program, vendor_admin):
    _auto_apply(False)
    manager = make_user(Role.CHANNEL_MANAGER)
    partner = score_seventy(
        make_partner(tier=program.tiers.silver, channel_manager=manager), program
    )
    tier_evaluate(actor=vendor_admin)
    proposal = TierProposal.objects.get(partner=partner)

    tier_proposal_decide(proposal=proposal, approve=True, actor=manager, reason="季度复核")

    partner.refresh_from_db()
    proposal.refresh_from_db()
    assert partner.tier == program.tiers.gold
    assert (proposal.status, proposal.decided_by, proposal.reason) == (
        ProposalStatus.APPLIED,
        manager,
        "季度复核",
    )
    assert list(
        TierChange.objects.filter(partner=partner).values_list(
            "from_tier", "to_tier", "actor", "reason"
        )
    ) == [(program.tiers.silver.pk, program.tiers.gold.pk, manager.pk, "季度复核")]
    assert _tier_log_entries(partner) == [
        (
            {"tier": [str(program.tiers.silver.pk), str(program.tiers.gold.pk)]},
            manager,
            {"reason": "季度复核"},
        )
    ]


def test_reject_keeps_the_tier_and_needs_a_reason(program, vendor_admin):
    _auto_apply(False)
    partner = score_seventy(make_partner(tier=program.tiers.silver), program)
    tier_evaluate(actor=vendor_admin)
    proposal = TierProposal.objects.get(partner=partner)

    with pytest.raises(ValidationError) as caught:
        tier_proposal_decide(proposal=proposal, approve=False, actor=vendor_admin, reason="  ")
    assert "reason" in caught.value.message_dict
    tier_proposal_decide(proposal=proposal, approve=False, actor=vendor_admin, reason="数据待核实")

    partner.refresh_from_db()
    proposal.refresh_from_db()
    assert partner.tier == program.tiers.silver
    assert (proposal.status, proposal.reason) == (ProposalStatus.REJECTED, "数据待核实")
    assert not TierChange.objects.filter(partner=partner).exists()
    assert _tier_log_entries(partner) == []
    with pytest.raises(ValidationError):
        tier_proposal_decide(proposal=proposal, approve=True, actor=vendor_admin)


def test_only_admins_and_the_partners_own_manager_decide(program, vendor_admin):
    _auto_apply(False)
    partner = score_seventy(
        make_partner(tier=program.tiers.silver, channel_manager=make_user(Role.CHANNEL_MANAGER)),
        program,
    )
    tier_evaluate(actor=vendor_admin)
    proposal = TierProposal.objects.get(partner=partner)

    for outsider in [make_user(Role.CHANNEL_MANAGER), make_user(Role.FINANCE)]:
        with pytest.raises(PermissionDenied):
            tier_proposal_decide(proposal=proposal, approve=True, actor=outsider)

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_new_run_supersedes_open_proposals(program, vendor_admin):
    _auto_apply(False)
    partner = score_seventy(make_partner(tier=program.tiers.silver), program)
    first = tier_evaluate(actor=vendor_admin)
    record(partner, program.volume, "100")  # now 100.00: platinum

    second = tier_evaluate(actor=vendor_admin)

    assert list(
        TierProposal.objects.filter(partner=partner)
        .order_by("pk")
        .values_list("run", "to_tier", "status")
    ) == [
        (first.pk, program.tiers.gold.pk, "superseded"),
        (second.pk, program.tiers.platinum.pk, "proposed"),
    ]
    old = TierProposal.objects.get(run=first)
    with pytest.raises(ValidationError):
        tier_proposal_decide(proposal=old, approve=True, actor=vendor_admin)


def test_approving_after_the_tier_moved_elsewhere_is_refused(program, vendor_admin):
    _auto_apply(False)
    partner = score_seventy(make_partner(tier=program.tiers.silver), program)
    tier_evaluate(actor=vendor_admin)
    Partner.objects.filter(pk=partner.pk).update(tier=program.tiers.registered)

    with pytest.raises(ValidationError):
        tier_proposal_decide(
            proposal=TierProposal.objects.get(partner=partner), approve=True, actor=vendor_admin
        )

    assert Partner.objects.get(pk=partner.pk).tier == program.tiers.registered


@pytest.mark.parametrize("auto", [False, True])
def test_query_count_does_not_grow_with_partners(program, vendor_admin, auto):
    _auto_apply(auto)

    def measure(count: int) -> int:
        for _ in range(count):
            score_seventy(make_partner(tier=program.tiers.silver), program)
        TierProposal.objects.all().delete()  # same starting point: no open proposals
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as ctx:
            run = tier_evaluate(actor=vendor_admin)
        assert run.proposals_created == (
            count
            if auto
            else Partner.objects.filter(
                status=PartnerStatus.ACTIVE, tier=program.tiers.silver
            ).count()
        )
        return len(ctx)

    few = measure(3)
    many = measure(30)

    assert many == few
    assert few <= 25


def test_nightly_task_runs_once_per_day(program, vendor_admin):
    _auto_apply(False)
    score_seventy(make_partner(tier=program.tiers.silver), program)
    day = today().isoformat()

    first = evaluate_tiers(day)
    second = evaluate_tiers(day)
    evaluate_tiers()  # default: today, also the same run

    assert first == second
    assert TierEvaluationRun.objects.filter(as_of=today()).count() == 1
    assert TierProposal.objects.count() == 1


def test_run_now_always_evaluates_again(program, vendor_admin):
    tier_evaluate(actor=vendor_admin)
    tier_evaluate(actor=vendor_admin)

    assert TierEvaluationRun.objects.filter(as_of=today()).count() == 2


def test_thresholds_are_set_by_code_and_validated(tiers, vendor_admin):
    tier_thresholds_set(thresholds={"t-gold": "70", "t-silver": Decimal("45.50")})

    tiers.gold.refresh_from_db()
    tiers.silver.refresh_from_db()
    assert (tiers.gold.min_score, tiers.silver.min_score) == (Decimal("70"), Decimal("45.50"))
    with pytest.raises(ValidationError):
        tier_thresholds_set(thresholds={"t-gold": "101"})
    with pytest.raises(ValidationError):
        tier_thresholds_set(thresholds={"t-nope": "10"})
