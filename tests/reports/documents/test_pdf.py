"""The printed report: vendor, title, period, figures and tables, Chinese set in the CJK font,
numbers right-aligned, a bar per row; in the reader's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from reports.documents import Figure, ReportDocument
from reports.pdf import document_pdf, printed_table
from reports.subscriptions import report_build
from reports.tables import MONEY, NUMBER, PERCENT, TEXT, Column, Table
from tests.pdf import pdf_fonts, pdf_text
from tests.reports.cockpit_fixture import Channel

from .conftest import NOVEMBER

pytestmark = pytest.mark.django_db


def printed(user: Any, query: str, language: str) -> str:
    with translation.override(language):
        doc = report_build(user=user, kind="cockpit", query=query)
        data = document_pdf(doc)
    assert data.startswith(b"%PDF")
    assert "WenQuanYi-Micro-Hei" in pdf_fonts(data)
    return pdf_text(data).replace("\n", " ")


def test_the_cockpit_pdf_shows_chinese_names_and_the_figures(channel: Channel, vendor_admin: Any):
    text = printed(vendor_admin, f"{NOVEMBER}&area=east", "zh-hans")

    assert "Alpha Electronics" in text  # the vendor, in the header
    assert "2026-11" in text
    for expected in ("¥1,798.00", "¥899.00", "¥1,000.00", "上海", "门锁"):
        assert expected in text, expected
    assert channel.east.name in text.replace(" ", "")  # 测试伙伴…有限公司, top partners
    assert "广东" not in text  # south is outside the filter
    assert "线缆" not in text  # east bought cables in October only


def test_the_same_report_in_english(channel: Channel, vendor_admin: Any):
    text = printed(vendor_admin, f"{NOVEMBER}&province=广东", "en")

    for expected in (
        "Channel cockpit",
        "2026-11 · Guangdong",
        "Ordered",
        "¥1,199.00",
        "MoM — · YoY +33.4%",  # nothing in October; (1199 - 899) / 899 a year earlier
        "MoM -100.0%",  # collected: 500.00 in October, nothing in November
        "By province",
        "Generated",
        "Asia/Shanghai",
    ):
        assert expected in text, expected


def test_tables_print_right_aligned_numbers_and_bars_for_the_first_money_column():
    table = Table(
        "t",
        "按省份",
        [
            Column("省份", TEXT),
            Column("伙伴数", NUMBER),
            Column("订购", MONEY),
            Column("占比", PERCENT),
        ],
        rows=[
            ["上海", 2, Decimal("200.00"), Decimal("0.8")],
            ["广东", 1, Decimal("50.00"), Decimal("0.2")],
            ["北京", 0, None, None],
        ],
        footer=["合计", 3, Decimal("250.00"), Decimal("1")],
    )

    out = printed_table(table, "CNY")

    assert [(c.text, c.numeric) for c in out.headers] == [
        ("省份", False),
        ("伙伴数", True),
        ("订购", True),
        ("占比", True),
    ]
    assert [[c.text for c in r.cells] for r in out.rows] == [
        ["上海", "2", "¥200.00", "80.0%"],
        ["广东", "1", "¥50.00", "20.0%"],
        ["北京", "0", "—", "—"],
    ]
    assert (out.bar_label, [r.bar for r in out.rows]) == ("订购", [100, 25, 0])
    assert out.footer is not None
    assert [c.text for c in out.footer] == [
        "合计",
        "3",
        "¥250.00",
        "100.0%",
    ]


def test_a_table_of_counts_gets_bars_of_its_first_count_and_text_only_none(in_a: Any):
    counts = Table("c", "x", [Column("a", TEXT), Column("n", NUMBER)], rows=[["a", 3], ["b", 0]])
    words = Table("w", "x", [Column("a", TEXT)], rows=[["a"]])

    assert [r.bar for r in printed_table(counts, "CNY").rows] == [100, 0]
    assert (printed_table(words, "CNY").bar_label, printed_table(words, "CNY").rows[0].bar) == (
        "",
        None,
    )


def test_a_document_from_any_builder_prints_with_its_empty_tables(in_a: Any):
    doc = ReportDocument(
        title="伙伴积分卡",
        subtitle="杭州钱塘数码有限公司 · 2026",
        figures=[Figure("本年采购", "¥12,345.60", "去年同期 ¥10,000.00")],
        tables=[Table("empty", "按月", [Column("月份", TEXT), Column("金额", MONEY)])],
    )

    with translation.override("zh-hans"):
        text = pdf_text(document_pdf(doc)).replace("\n", " ")

    for expected in (
        "伙伴积分卡",
        "杭州钱塘数码有限公司 · 2026",
        "本年采购",
        "¥12,345.60",
        "去年同期",
        "按月",
    ):
        assert expected in text, expected
