"""The conflict engine (防撞单): who else may already own this customer, how sure we are, and why.

Candidates come from three places, each found with one indexed query:

* other registrations that may hold the customer (any partner, status submitted / more info /
  approved / won);
* the vendor's direct and named accounts (`NamedAccount`);
* end customers in partners' sell-out reports (customers who already buy through the channel).

A candidate matches on any of: the same credit code; the same website or email domain (public
mail domains give no key); the same company or contact phone; a similar name key, scored with
pg_trgm `similarity()` (the GIN index answers `%`, whose threshold is pg_trgm's default 0.3).

Score and verdict, for a candidate that holds the customer (a claiming registration or a vendor
account):

* the same credit code, or the same name key (similarity 1), or a similar name (≥ 0.5) backed by
  the same domain or phone: **block**: the customer is taken;
* a similar name (≥ 0.5), or the same domain or phone: **needs review** by the channel manager;
* a weakly similar name (0.3 to 0.5): **info**.

Two companies whose credit codes are both known and differ are different legal entities (a
subsidiary, two "华联"s in two cities); their name, domain or phone matches are only **info**.
Candidates that do not hold the customer (a later, flagged registration; a sell-out customer) are
at most **info**. The score is 1.00 for a credit-code match, otherwise the combined evidence
1 - Π(1 - sᵢ) of name similarity sᵢ, domain 0.9 and phone 0.8.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from orders.models import SellOut
from partners.credit_code import normalize_credit_code

from .keys import domain_key, email_domain_key, normalize_name, phone_key
from .models import (
    CLAIM_STATUSES,
    ConflictSource,
    DealRegistration,
    NamedAccount,
    Verdict,
)
from .models.conflicts import VERDICT_RANK

CANDIDATE_LIMIT = 20  # per source: more than a reviewer reads
NAME_REVIEW = 0.5
NAME_SAME = 0.999
DOMAIN_WEIGHT = 0.9
PHONE_WEIGHT = 0.8

CREDIT_CODE = "credit_code"
NAME = "name"
DOMAIN = "domain"
PHONE = "phone"


@dataclass(frozen=True)
class Probe:
    """The customer being checked, reduced to its match keys."""

    name_key: str
    credit_code: str = ""
    domains: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    exclude_pk: int | None = None

    @classmethod
    def of(
        cls,
        *,
        customer_name: str,
        credit_code: str = "",
        website: str = "",
        contact_email: str = "",
        phone: str = "",
        contact_phone: str = "",
        exclude_pk: int | None = None,
    ) -> Probe:
        return cls(
            name_key=normalize_name(customer_name)[:200] if customer_name.strip() else "",
            credit_code=normalize_credit_code(credit_code or ""),
            domains=frozenset(
                k for k in (domain_key(website), email_domain_key(contact_email)) if k
            ),
            phones=frozenset(k for k in (phone_key(phone), phone_key(contact_phone)) if k),
            exclude_pk=exclude_pk,
        )

    @classmethod
    def of_registration(cls, registration: DealRegistration) -> Probe:
        return cls.of(
            customer_name=registration.customer_name,
            credit_code=registration.credit_code,
            website=registration.website,
            contact_email=registration.contact_email,
            phone=registration.phone,
            contact_phone=registration.contact_phone,
            exclude_pk=registration.pk,
        )

    @property
    def empty(self) -> bool:
        return not (self.name_key or self.credit_code or self.domains or self.phones)


@dataclass(frozen=True)
class Candidate:
    source: str  # ConflictSource
    score: Decimal
    matched: tuple[str, ...]
    verdict: str  # Verdict
    holds: bool  # the other side holds the customer (a claim or a vendor account)
    registration: DealRegistration | None = None
    account: NamedAccount | None = None
    sell_out: SellOut | None = None
    similarity: float | None = field(default=None, compare=False)

    @property
    def rank(self) -> int:
        return VERDICT_RANK[Verdict(self.verdict)]


def _name_q(probe: Probe, key_field: str) -> Q:
    return Q(**{f"{key_field}__trigram_similar": probe.name_key}) if probe.name_key else Q()


def _any(*conditions: Q) -> Q | None:
    found = [c for c in conditions if c]
    if not found:
        return None
    combined = found[0]
    for condition in found[1:]:
        combined |= condition
    return combined


def _with_similarity(qs: QuerySet[Any], probe: Probe, key_field: str) -> QuerySet[Any]:
    if not probe.name_key:
        return qs.extra(select={"similarity": "0"})
    return qs.annotate(similarity=TrigramSimilarity(key_field, probe.name_key)).order_by(
        "-similarity", "pk"
    )


def _key_hit(keys: Q | None) -> Any:
    """True for rows found by credit code, domain or phone: they must survive the cut to
    CANDIDATE_LIMIT even when many rows have closer names."""
    if keys is None:
        return Value(False)
    return Case(When(keys, then=Value(True)), default=Value(False), output_field=BooleanField())


def _registrations(probe: Probe) -> Iterable[DealRegistration]:
    keys = _any(
        Q(credit_code=probe.credit_code) if probe.credit_code else Q(),
        Q(website_domain__in=probe.domains) | Q(email_domain__in=probe.domains)
        if probe.domains
        else Q(),
        Q(phone_key__in=probe.phones) | Q(contact_phone_key__in=probe.phones)
        if probe.phones
        else Q(),
    )
    condition = _any(keys or Q(), _name_q(probe, "name_key"))
    if condition is None:
        return []
    qs = DealRegistration.objects.filter(condition, status__in=CLAIM_STATUSES)
    if probe.exclude_pk is not None:
        qs = qs.exclude(pk=probe.exclude_pk)
    qs = _with_similarity(qs.select_related("partner"), probe, "name_key")
    # Claim holders first: a crowd of flagged duplicates must not push the holder off the list.
    return qs.annotate(key_hit=_key_hit(keys)).order_by(
        "-holds_claim", "-key_hit", "-similarity", "pk"
    )[:CANDIDATE_LIMIT]


def _accounts(probe: Probe) -> Iterable[NamedAccount]:
    keys = _any(
        Q(credit_code=probe.credit_code) if probe.credit_code else Q(),
        Q(domain__in=probe.domains) if probe.domains else Q(),
        Q(phone_key__in=probe.phones) if probe.phones else Q(),
    )
    condition = _any(keys or Q(), _name_q(probe, "name_key"))
    if condition is None:
        return []
    qs = NamedAccount.objects.filter(condition, is_active=True).select_related("owner")
    qs = _with_similarity(qs, probe, "name_key")
    return qs.annotate(key_hit=_key_hit(keys)).order_by("-key_hit", "-similarity", "pk")[
        :CANDIDATE_LIMIT
    ]


def _customers(probe: Probe) -> Iterable[SellOut]:
    """One sell-out row per similar customer (chosen in the database), the closest first."""
    if not probe.name_key:
        return []
    firsts = (
        SellOut.objects.filter(customer_key__trigram_similar=probe.name_key)
        .order_by("customer_key", "pk")
        .distinct("customer_key")
        .values("pk")
    )
    qs = SellOut.objects.filter(pk__in=firsts).select_related("partner")
    return list(_with_similarity(qs, probe, "customer_key")[:CANDIDATE_LIMIT])


def _score(similarity: float | None, matched: set[str]) -> Decimal:
    if CREDIT_CODE in matched:
        return Decimal("1.00")
    miss = 1.0
    if NAME in matched and similarity is not None:
        miss *= 1.0 - similarity
    if DOMAIN in matched:
        miss *= 1.0 - DOMAIN_WEIGHT
    if PHONE in matched:
        miss *= 1.0 - PHONE_WEIGHT
    return Decimal(str(1.0 - miss)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _verdict(
    *,
    similarity: float | None,
    matched: set[str],
    holds: bool,
    other_credit_code: str,
    probe: Probe,
) -> str:
    if not holds:
        return Verdict.INFO
    if CREDIT_CODE in matched:
        return Verdict.BLOCK
    if probe.credit_code and other_credit_code and probe.credit_code != other_credit_code:
        return Verdict.INFO  # two known, different legal entities
    sim = similarity if NAME in matched and similarity is not None else 0.0
    backed = DOMAIN in matched or PHONE in matched
    if sim >= NAME_SAME or (sim >= NAME_REVIEW and backed):
        return Verdict.BLOCK
    if sim >= NAME_REVIEW or backed:
        return Verdict.REVIEW
    return Verdict.INFO


def _matched(
    probe: Probe,
    *,
    credit_code: str,
    similarity: float | None,
    domains: Iterable[str],
    phones: Iterable[str],
) -> set[str]:
    matched = set()
    if probe.credit_code and credit_code == probe.credit_code:
        matched.add(CREDIT_CODE)
    if probe.name_key and similarity is not None and similarity >= 0.3:
        matched.add(NAME)
    if probe.domains & {d for d in domains if d}:
        matched.add(DOMAIN)
    if probe.phones & {p for p in phones if p}:
        matched.add(PHONE)
    return matched


def _candidate(
    probe: Probe,
    *,
    source: str,
    holds: bool,
    credit_code: str,
    similarity: float | None,
    domains: Iterable[str],
    phones: Iterable[str],
    **target: Any,
) -> Candidate | None:
    matched = _matched(
        probe, credit_code=credit_code, similarity=similarity, domains=domains, phones=phones
    )
    if not matched:
        return None
    return Candidate(
        source=source,
        score=_score(similarity, matched),
        matched=tuple(m for m in (CREDIT_CODE, NAME, DOMAIN, PHONE) if m in matched),
        verdict=_verdict(
            similarity=similarity,
            matched=matched,
            holds=holds,
            other_credit_code=credit_code,
            probe=probe,
        ),
        holds=holds,
        similarity=similarity,
        **target,
    )


def find_conflicts(probe: Probe) -> list[Candidate]:
    """Every candidate for `probe`, the strongest verdict and score first."""
    if probe.empty:
        return []
    found: list[Candidate | None] = []
    for reg in _registrations(probe):
        found.append(
            _candidate(
                probe,
                source=ConflictSource.REGISTRATION,
                holds=reg.holds_claim,
                credit_code=reg.credit_code,
                similarity=_float(reg.similarity),  # type: ignore[attr-defined]
                domains=(reg.website_domain, reg.email_domain),
                phones=(reg.phone_key, reg.contact_phone_key),
                registration=reg,
            )
        )
    for account in _accounts(probe):
        found.append(
            _candidate(
                probe,
                source=ConflictSource.ACCOUNT,
                holds=True,
                credit_code=account.credit_code,
                similarity=_float(account.similarity),  # type: ignore[attr-defined]
                domains=(account.domain,),
                phones=(account.phone_key,),
                account=account,
            )
        )
    for row in _customers(probe):
        found.append(
            _candidate(
                probe,
                source=ConflictSource.CUSTOMER,
                holds=False,
                credit_code="",
                similarity=_float(row.similarity),  # type: ignore[attr-defined]
                domains=(),
                phones=(),
                sell_out=row,
            )
        )
    candidates = [c for c in found if c is not None]
    return sorted(candidates, key=lambda c: (-c.rank, -c.score, c.source))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def strongest(candidates: Iterable[Candidate]) -> str | None:
    """The strongest verdict among `candidates`, or None for no candidate."""
    best = max(candidates, key=lambda c: c.rank, default=None)
    return best.verdict if best else None
