"""The conflict engine (防撞单) against real PostgreSQL and pg_trgm: who already holds a customer,
with which evidence, and how sure the engine is.

Scores are exact: 1.00 for a credit code; otherwise 1 - Π(1 - sᵢ) over the name similarity
(pg_trgm's `similarity()` of the two name keys), domain 0.9 and phone 0.8.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from deal_registration.conflicts import Candidate, Probe, find_conflicts, strongest
from deal_registration.keys import domain_key, email_domain_key, phone_key
from deal_registration.models import (
    AccountKind,
    DealRegistration,
    DealStatus,
    Industry,
    NamedAccount,
)
from orders.models import SellOut
from partners.models import Partner, ProductLine, Region
from tests.factories import make_credit_code, make_partner, make_product

pytestmark = pytest.mark.django_db

Register = Callable[..., DealRegistration]
Row = tuple[str, str, tuple[str, ...], Decimal]

BLOCK, REVIEW, INFO = "block", "review", "info"
REGISTRATION, ACCOUNT, CUSTOMER = "registration", "account", "customer"
NAME, CREDIT, DOMAIN, PHONE = ("name",), ("credit_code",), ("domain",), ("phone",)


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def partner(in_a: Any) -> Partner:
    return make_partner(name="深圳市华南渠道科技有限公司")


@pytest.fixture
def register(partner: Partner) -> Register:
    """Saves a registration through the ORM (so its match keys are computed by `save()`)."""
    region, _ = Region.objects.get_or_create(
        code="440300", defaults={"name": "深圳市", "level": Region.Level.CITY}
    )
    line, _ = ProductLine.objects.get_or_create(code="engine-test", defaults={"name": "工业网关"})
    numbers = itertools.count(1)

    def _register(
        customer_name: str,
        *,
        status: str = DealStatus.APPROVED,
        holds_claim: bool = True,
        **fields: Any,
    ) -> DealRegistration:
        return DealRegistration.objects.create(
            number=f"DR-T{next(numbers)}",
            partner=fields.pop("partner", partner),
            customer_name=customer_name,
            region=region,
            industry=Industry.MANUFACTURING,
            contact_name="王磊",
            title="产线数字化改造",
            product_line=line,
            expected_close_date=date(2026, 6, 30),
            status=status,
            holds_claim=holds_claim,
            **fields,
        )

    return _register


def check(customer_name: str = "", **fields: str) -> list[Candidate]:
    return find_conflicts(Probe.of(customer_name=customer_name, **fields))


def rows(candidates: list[Candidate]) -> list[Row]:
    return [(c.source, c.verdict, c.matched, c.score) for c in candidates]


def account(name: str, **fields: Any) -> NamedAccount:
    return NamedAccount.objects.create(
        kind=fields.pop("kind", AccountKind.NAMED), name=name, **fields
    )


def sell_out(partner: Partner, end_customer: str, **fields: Any) -> SellOut:
    return SellOut.objects.create(
        partner=partner,
        product=fields.pop("product", None) or make_product(),
        sold_on=date(2025, 3, 1),
        quantity=2,
        end_customer=end_customer,
        province="广东",
        **fields,
    )


# --- names ---------------------------------------------------------------------------------------

SAME_COMPANY = [
    pytest.param("腾飞科技（深圳）有限公司", "腾飞科技(深圳)有限公司", id="full-width-brackets"),
    pytest.param(
        "深圳市腾飞科技有限公司", "腾飞科技（深圳）有限公司", id="region-prefix-vs-brackets"
    ),
    pytest.param(
        "深圳市腾飞科技股份有限公司", "深圳市腾飞科技有限公司", id="joint-stock-vs-limited"
    ),
    pytest.param(
        "广东省深圳市腾飞电子有限公司", "腾飞科技（深圳）有限公司", id="province-and-trade"
    ),
    pytest.param("上海华联超市有限公司", "华联超市（上海）有限公司", id="shanghai-brackets"),
    pytest.param(
        "Tengfei Technology Co., Ltd.", "Tengfei Technology Company Limited", id="co-ltd-vs-company"
    ),
    pytest.param(
        "Shenzhen Tengfei Technology Co.,Ltd", "TENGFEI TECH LIMITED", id="en-city-and-case"
    ),
    pytest.param("Acme Inc.", "ACME, Incorporated", id="inc"),
    pytest.param(
        "Bright Water Instruments GmbH", "BRIGHTWATER  instruments gmbh", id="gmbh-case-spaces"
    ),
]


@pytest.mark.parametrize(("registered", "probe"), SAME_COMPANY)
def test_the_same_company_written_differently_is_blocked(register, registered, probe):
    reg = register(registered)

    found = check(probe)

    assert rows(found) == [(REGISTRATION, BLOCK, NAME, Decimal("1.00"))]
    assert found[0].registration == reg
    assert found[0].holds is True


TYPOS = [
    # One wrong character near the end of a Chinese key: 5 of 9 trigrams shared (0.56).
    pytest.param(
        "杭州海康威视数字技术股份有限公司",
        "杭州海康威视数子技术股份有限公司",
        REVIEW,
        Decimal("0.56"),
        id="zh-typo-at-end",
    ),
    # The same typo in the middle of a six-character key breaks three of seven trigrams (0.40):
    # pg_trgm on short CJK keys only rates it weakly similar.
    pytest.param(
        "深圳市腾飞智能装备有限公司",
        "深圳市腾非智能装备有限公司",
        INFO,
        Decimal("0.40"),
        id="zh-typo-in-middle",
    ),
    pytest.param(
        "Brightwater Instruments Co., Ltd.",
        "Brightwatr Instruments Co., Ltd.",
        REVIEW,
        Decimal("0.80"),
        id="en-missing-letter",
    ),
    pytest.param(
        "Brightwater Instruments Co., Ltd.",
        "Brightwater Instrumants Inc.",
        REVIEW,
        Decimal("0.77"),
        id="en-wrong-letter",
    ),
]


@pytest.mark.parametrize(("registered", "probe", "verdict", "score"), TYPOS)
def test_a_typo_is_similar_not_the_same(register, registered, probe, verdict, score):
    register(registered)

    assert rows(check(probe)) == [(REGISTRATION, verdict, NAME, score)]


GENERIC_ONLY = [
    pytest.param("深圳市腾飞科技有限公司", "北京星河科技有限公司", id="zh-tech-limited"),
    pytest.param("深圳市腾飞科技有限公司", "深圳市腾达科技有限公司", id="zh-one-shared-char"),
    pytest.param("上海华联超市有限公司", "上海联华信息技术有限公司", id="zh-same-chars-swapped"),
    pytest.param("深圳市腾飞科技股份有限公司", "深圳市星河电子集团有限公司", id="zh-group"),
    pytest.param("Acme Technology Corporation", "Zenith Technology Corporation", id="en-corp"),
    pytest.param(
        "Global Electronics Trading Limited", "Pacific Electronics Trading Limited", id="en-trading"
    ),
]


@pytest.mark.parametrize(("registered", "probe"), GENERIC_ONLY)
def test_names_sharing_only_generic_words_are_not_flagged(register, registered, probe):
    register(registered)

    assert check(probe) == []


def test_an_all_affix_name_matches_itself(register):
    register("上海科技有限公司")

    assert rows(check("上海科技有限公司")) == [(REGISTRATION, BLOCK, NAME, Decimal("1.00"))]


def test_two_all_affix_names_are_not_flagged(register):
    register("上海科技有限公司")

    assert check("北京科技有限公司") == []


# --- credit code ---------------------------------------------------------------------------------


def test_the_same_credit_code_blocks_whatever_the_name(register):
    code = make_credit_code(1)
    reg = register("深圳市腾飞科技有限公司", credit_code=code)

    found = check("星河智能装备（深圳）有限公司", credit_code=code.lower())

    assert rows(found) == [(REGISTRATION, BLOCK, CREDIT, Decimal("1.00"))]
    assert found[0].registration == reg


def test_the_same_credit_code_and_name_list_both(register):
    code = make_credit_code(2)
    register("深圳市腾飞科技有限公司", credit_code=code)

    assert rows(check("腾飞科技（深圳）有限公司", credit_code=code)) == [
        (REGISTRATION, BLOCK, ("credit_code", "name"), Decimal("1.00"))
    ]


def test_a_credit_code_typed_with_spaces_still_matches(register):
    code = make_credit_code(10)
    register("深圳市腾飞科技有限公司", credit_code=code)

    found = check("星河智能装备有限公司", credit_code=f" {code[:8]} {code[8:].lower()} ")

    assert rows(found) == [(REGISTRATION, BLOCK, CREDIT, Decimal("1.00"))]


def test_two_known_different_credit_codes_are_two_companies(register):
    """Two "华联超市"s in two cities: the same name key, but two legal entities."""
    register("上海华联超市有限公司", credit_code=make_credit_code(3))

    found = check("华联超市（南京）有限公司", credit_code=make_credit_code(4, region="320100"))

    assert rows(found) == [(REGISTRATION, INFO, NAME, Decimal("1.00"))]


def test_a_known_credit_code_against_an_unknown_one_still_blocks_on_the_name(register):
    register("上海华联超市有限公司")

    found = check("华联超市（上海）有限公司", credit_code=make_credit_code(5))

    assert rows(found) == [(REGISTRATION, BLOCK, NAME, Decimal("1.00"))]


# --- domain --------------------------------------------------------------------------------------


def test_a_website_matches_an_email_at_that_domain(register):
    register("深圳市腾飞科技有限公司", website="https://www.tengfei-tech.cn/about")

    found = check("星河智能装备有限公司", contact_email="Li.Lei@TENGFEI-TECH.cn")

    assert rows(found) == [(REGISTRATION, REVIEW, DOMAIN, Decimal("0.90"))]


def test_an_email_domain_matches_a_website(register):
    register("深圳市腾飞科技有限公司", contact_email="wang.lei@tengfei-tech.cn")

    assert rows(check("Star River Co., Ltd.", website="tengfei-tech.cn")) == [
        (REGISTRATION, REVIEW, DOMAIN, Decimal("0.90"))
    ]


@pytest.mark.parametrize("domain", ["qq.com", "163.com", "gmail.com"])
def test_public_mail_domains_match_nothing(register, domain):
    register("深圳市腾飞科技有限公司", contact_email=f"tengfei2008@{domain}")

    assert check("北京星河科技有限公司", contact_email=f"xinghe@{domain}") == []


def test_a_similar_name_backed_by_the_domain_blocks(register):
    register("杭州海康威视数字技术股份有限公司", website="www.hikvision.com")

    found = check("杭州海康威视数子技术股份有限公司", contact_email="sales@hikvision.com")

    # 1 - (1 - 0.56)(1 - 0.9)
    assert rows(found) == [(REGISTRATION, BLOCK, ("name", "domain"), Decimal("0.96"))]


# --- phone ---------------------------------------------------------------------------------------

SAME_PHONE = [
    pytest.param("0755-88886666", "(0755) 8888 6666", id="landline-punctuation"),
    pytest.param("021-66668888", "+86 21 6666 8888", id="two-digit-area-code"),
    pytest.param("13800138000", "+86 138 0013 8000", id="mobile-country-code"),
    pytest.param("13800138000", "0086-138-0013-8000", id="mobile-0086"),
    pytest.param("0755-88886666", "+86 755 8888 6666", id="three-digit-area-code"),
    pytest.param("010-88886666", "+86 10 8888 6666", id="beijing"),
    pytest.param("0512-6666 8888", "0086 512 66668888", id="0086-landline"),
]


@pytest.mark.parametrize(("registered", "probe"), SAME_PHONE)
def test_the_same_phone_written_differently_matches(register, registered, probe):
    register("深圳市腾飞科技有限公司", phone=registered)

    assert rows(check("北京星河科技有限公司", phone=probe)) == [
        (REGISTRATION, REVIEW, PHONE, Decimal("0.80"))
    ]


def test_company_and_contact_phones_match_across(register):
    register("深圳市腾飞科技有限公司", contact_phone="138 0013 8000")

    assert rows(check("北京星河科技有限公司", phone="13800138000")) == [
        (REGISTRATION, REVIEW, PHONE, Decimal("0.80"))
    ]


def test_domain_and_phone_without_the_name_need_review(register):
    register("深圳市腾飞科技有限公司", website="tengfei-tech.cn", phone="0755-88886666")

    found = check("星河智能装备有限公司", website="tengfei-tech.cn", phone="(0755)88886666")

    # 1 - (1 - 0.9)(1 - 0.8)
    assert rows(found) == [(REGISTRATION, REVIEW, ("domain", "phone"), Decimal("0.98"))]


# --- who holds the customer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [DealStatus.SUBMITTED, DealStatus.MORE_INFO, DealStatus.APPROVED, DealStatus.WON]
)
def test_a_claim_in_every_claim_status_blocks(register, status):
    register("深圳市腾飞科技有限公司", status=status)

    assert strongest(check("腾飞科技（深圳）有限公司")) == BLOCK


def test_a_registration_without_the_claim_is_only_info(register):
    code = make_credit_code(6)
    register("深圳市腾飞科技有限公司", status=DealStatus.SUBMITTED, holds_claim=False)
    register(
        "星河智能装备有限公司", status=DealStatus.SUBMITTED, holds_claim=False, credit_code=code
    )

    found = check("腾飞科技（深圳）有限公司", credit_code=code)

    assert sorted(rows(found)) == [
        (REGISTRATION, INFO, CREDIT, Decimal("1.00")),
        (REGISTRATION, INFO, NAME, Decimal("1.00")),
    ]
    assert [c.holds for c in found] == [False, False]


@pytest.mark.parametrize(
    "status", [DealStatus.DRAFT, DealStatus.REJECTED, DealStatus.LOST, DealStatus.EXPIRED]
)
def test_closed_and_draft_registrations_are_not_candidates(register, status):
    code = make_credit_code(7)
    register(
        "深圳市腾飞科技有限公司",
        status=status,
        holds_claim=False,
        credit_code=code,
        website="tengfei-tech.cn",
        phone="0755-88886666",
    )

    found = check(
        "腾飞科技（深圳）有限公司",
        credit_code=code,
        website="tengfei-tech.cn",
        phone="075588886666",
    )

    assert found == []


def test_a_registration_is_not_its_own_conflict(register):
    reg = register("深圳市腾飞科技有限公司", status=DealStatus.SUBMITTED)
    other = register("腾飞科技（深圳）有限公司", status=DealStatus.SUBMITTED, holds_claim=False)

    found = find_conflicts(Probe.of_registration(other))

    assert [(c.registration, c.verdict) for c in found] == [(reg, BLOCK)]


def test_the_holder_is_listed_before_a_crowd_of_flagged_duplicates(register):
    for _ in range(21):
        register("深圳市腾飞科技有限公司", status=DealStatus.SUBMITTED, holds_claim=False)
    holder = register("腾飞科技（深圳）有限公司")

    found = check("深圳腾飞科技股份有限公司")

    assert found[0].registration == holder
    assert found[0].verdict == BLOCK
    assert len(found) == 20


def test_a_credit_code_holder_is_not_cut_off_by_similar_names(register):
    """Twenty other "华联超市"s (other legal entities) must not hide the one with this code."""
    for n in range(20):
        register("上海华联超市有限公司", credit_code=make_credit_code(100 + n))
    holder = register("联华便利店（南京）有限公司", credit_code=make_credit_code(99))

    found = check("华联超市有限公司", credit_code=make_credit_code(99))

    assert (found[0].registration, found[0].verdict) == (holder, BLOCK)


def test_a_domain_match_is_not_cut_off_by_similar_names(register):
    for _ in range(20):
        register("深圳市腾飞科技有限公司", holds_claim=True, status=DealStatus.APPROVED)
    register("星河智能装备有限公司", website="xinghe-zn.cn")

    found = check("腾飞智能科技有限公司", contact_email="li@xinghe-zn.cn")

    assert DOMAIN in [c.matched for c in found]


# --- vendor accounts -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [AccountKind.DIRECT, AccountKind.NAMED])
def test_a_vendor_account_blocks_on_the_same_name(in_a, kind):
    kept = account("深圳市腾飞科技有限公司", kind=kind)

    found = check("腾飞科技（深圳）有限公司")

    assert rows(found) == [(ACCOUNT, BLOCK, NAME, Decimal("1.00"))]
    assert found[0].account == kept
    assert found[0].holds is True


def test_a_vendor_account_matches_on_credit_code_domain_and_phone(in_a):
    code = make_credit_code(8)
    account("深圳市腾飞科技有限公司", credit_code=code)
    account("北京星河科技有限公司", website="http://www.xinghe.com.cn", phone="010-88886666")

    assert rows(check("Star River Co., Ltd.", credit_code=code)) == [
        (ACCOUNT, BLOCK, CREDIT, Decimal("1.00"))
    ]
    assert rows(check("Star River Co., Ltd.", contact_email="a@xinghe.com.cn")) == [
        (ACCOUNT, REVIEW, DOMAIN, Decimal("0.90"))
    ]
    assert rows(check("Star River Co., Ltd.", contact_phone="01088886666")) == [
        (ACCOUNT, REVIEW, PHONE, Decimal("0.80"))
    ]


def test_an_account_with_the_credit_code_is_not_cut_off_by_similar_names(in_a):
    for n in range(20):
        account("上海华联超市有限公司", credit_code=make_credit_code(200 + n))
    kept = account("联华便利店（南京）有限公司", credit_code=make_credit_code(199))

    found = check("华联超市有限公司", credit_code=make_credit_code(199))

    assert (found[0].account, found[0].verdict) == (kept, BLOCK)


def test_an_inactive_vendor_account_is_ignored(in_a):
    code = make_credit_code(9)
    account("深圳市腾飞科技有限公司", credit_code=code, is_active=False)

    assert check("腾飞科技（深圳）有限公司", credit_code=code) == []


# --- existing customers (sell-out) ---------------------------------------------------------------


def test_an_existing_sell_out_customer_is_info(partner):
    row = sell_out(partner, "深圳市腾飞科技有限公司")

    found = check("腾飞科技（深圳）有限公司")

    assert rows(found) == [(CUSTOMER, INFO, NAME, Decimal("1.00"))]
    assert found[0].sell_out == row
    assert found[0].holds is False


def test_a_sell_out_customer_is_listed_once(partner):
    product = make_product()
    sell_out(partner, "深圳市腾飞科技有限公司", product=product)
    sell_out(partner, "腾飞科技（深圳）有限公司", product=product)
    sell_out(partner, "杭州海康威视数字技术股份有限公司", product=product)

    assert rows(check("深圳腾飞科技股份有限公司")) == [(CUSTOMER, INFO, NAME, Decimal("1.00"))]


def test_a_big_customer_does_not_hide_the_other_customers(partner):
    product = make_product()
    SellOut.objects.bulk_create(
        SellOut(
            partner=partner,
            product=product,
            sold_on=date(2025, 1, 1),
            quantity=1,
            end_customer="海康威视数字技术股份有限公司",
            customer_key="海康威视数字",
            province="浙江",
        )
        for _ in range(101)
    )
    sell_out(partner, "杭州海康威视数子技术股份有限公司", product=product)

    found = check("海康威视数字技术有限公司")

    assert [c.sell_out.customer_key for c in found] == ["海康威视数字", "海康威视数子"]


# --- all sources together ------------------------------------------------------------------------


def test_candidates_come_strongest_first(register, partner):
    sell_out(partner, "深圳市腾飞科技有限公司")
    weak = register("深圳市腾飞智能装备有限公司")
    review = register("星河电子有限公司", website="tengfei-tech.cn")
    kept = account("腾飞科技（深圳）有限公司", kind=AccountKind.DIRECT)

    found = check("深圳市腾非智能装备有限公司", contact_email="li@tengfei-tech.cn")

    assert rows(found) == [
        (REGISTRATION, REVIEW, DOMAIN, Decimal("0.90")),
        (REGISTRATION, INFO, NAME, Decimal("0.40")),
    ]
    assert [c.registration for c in found] == [review, weak]
    assert rows(check("腾飞科技有限公司")) == [
        (ACCOUNT, BLOCK, NAME, Decimal("1.00")),
        (CUSTOMER, INFO, NAME, Decimal("1.00")),
    ]
    assert check("腾飞科技有限公司")[0].account == kept


def test_an_empty_probe_finds_nothing(register):
    register("深圳市腾飞科技有限公司", phone="", website="")

    assert Probe.of(customer_name="  ").empty
    assert check("   ", phone="123", contact_email="a@qq.com") == []
    assert strongest([]) is None


# --- keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("website", "key"),
    [
        ("https://WWW.Example.com.cn/about", "example.com.cn"),
        ("http://www.tengfei-tech.cn", "tengfei-tech.cn"),
        ("www.tengfei-tech.cn/", "tengfei-tech.cn"),
        ("tengfei-tech.cn:8080/index.html", "tengfei-tech.cn"),
        ("HTTP://Tengfei-Tech.CN.", "tengfei-tech.cn"),
        ("li.lei@tengfei-tech.cn", "tengfei-tech.cn"),
        ("qq.com", ""),
        ("https://www.163.com", ""),
        ("localhost", ""),
        ("  ", ""),
        ("", ""),
    ],
)
def test_domain_key(website, key):
    assert domain_key(website) == key


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Li.Lei@Example.COM", "example.com"),
        (" wang@tengfei-tech.cn ", "tengfei-tech.cn"),
        ("a@qq.com", ""),
        ("a@163.com", ""),
        ("a@gmail.com", ""),
        ("a@foxmail.com", ""),
        ("a@intranet", ""),
        ("no-at-sign", ""),
        ("", ""),
    ],
)
def test_email_domain_key(email, key):
    assert email_domain_key(email) == key


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("0755-88886666", "075588886666"),
        ("(0755) 8888 6666", "075588886666"),
        ("+86 0755 8888 6666", "075588886666"),
        ("021-66668888", "02166668888"),
        ("+86 21 6666 8888", "02166668888"),
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("8888-6666", "88886666"),
        ("+86 755 8888 6666", "075588886666"),
        ("755 8888 6666", "075588886666"),
        ("0086 755 8888 6666", "075588886666"),
        ("010-88886666", "01088886666"),
        ("+86 10 8888 6666", "01088886666"),
        ("12345", ""),
        ("", ""),
    ],
)
def test_phone_key(phone, key):
    assert phone_key(phone) == key
