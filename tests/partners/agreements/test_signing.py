"""Issue → sign: the PDF, its SHA-256, the signing record, and every refusal writing nothing."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import translation

from partners.agreements.models import AgreementStatus, AgreementTemplate
from partners.agreements.services import (
    agreement_create,
    agreement_issue,
    agreement_sign,
    agreement_verify,
)
from partners.onboarding.models import OnboardingStep, StepKind, StepStatus
from partners.onboarding.selectors import feature_blockers
from prm.accounts.roles import Role
from tests.factories import make_partner, make_user
from tests.pdf import pdf_fonts, pdf_text

from .conftest import days, sign_kwargs

pytestmark = pytest.mark.django_db


def test_issue_stores_a_cjk_pdf_and_its_sha256(deal):
    agreement = deal["agreement"]

    data = agreement.pdf.open("rb").read()

    assert agreement.status == AgreementStatus.ISSUED
    assert data.startswith(b"%PDF-")
    assert agreement.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(
        rf"partners/{deal['partner'].pk}/agreements/{agreement.number}-v1-[0-9a-f]{{8}}\.pdf",
        agreement.pdf.name,
    )
    # Chinese is set in the embedded CJK font and reads back as text: glyphs, not boxes.
    assert {f.split("-Bold")[0] for f in pdf_fonts(data)} == {"WenQuanYi-Micro-Hei"}
    text = pdf_text(data)
    for expected in (
        "渠道合作协议",
        "杭州西湖电子有限公司",
        "1,200,000.00",
        "季度返点 2%",
        agreement.number,
    ):
        assert expected in text
    assert agreement.number.startswith("AGR-")
    assert (agreement.version, agreement.template_version) == (1, 1)
    assert agreement_verify(agreement) is True


def test_sign_records_who_what_when_where_and_completes_the_onboarding_step(deal):
    agreement, signer, partner = deal["agreement"], deal["signer"], deal["partner"]
    with translation.override("en"):
        assert "Sign the partner agreement before ordering." in feature_blockers(
            partner, "ordering"
        )

    signed = agreement_sign(**sign_kwargs(agreement, signer, typed_name="  张三 "))

    assert signed.status == AgreementStatus.SIGNED
    assert (signed.signed_by, signed.signer_name, signed.signer_ip) == (
        signer,
        "张三",
        "203.0.113.7",
    )
    assert signed.signer_user_agent == "Mozilla/5.0 (test)"
    assert signed.signed_sha256 == agreement.pdf_sha256
    assert signed.signed_at is not None
    assert "电子签名" in signed.consent_text
    step = OnboardingStep.objects.get(partner=partner, template__kind=StepKind.SIGN_AGREEMENT)
    assert step.status == StepStatus.DONE
    with translation.override("en"):
        assert feature_blockers(partner, "ordering") == [
            "Upload the business licence before ordering."
        ]
    assert list(signed.status_changes.order_by("pk").values_list("from_status", "to_status")) == [
        ("", "draft"),
        ("draft", "issued"),
        ("issued", "signed"),
    ]


def test_a_tampered_pdf_cannot_be_signed_and_nothing_is_written(deal):
    agreement = deal["agreement"]
    path = agreement.pdf.name
    agreement.pdf.storage.delete(path)
    agreement.pdf.storage.save(path, ContentFile(b"%PDF-1.7 altered terms"))

    with pytest.raises(ValidationError) as caught:
        agreement_sign(**sign_kwargs(agreement, deal["signer"]))

    agreement.refresh_from_db()
    assert "fingerprint" in " ".join(caught.value.messages)
    assert agreement_verify(agreement) is False
    assert (agreement.status, agreement.signed_at, agreement.signer_name) == (
        AgreementStatus.ISSUED,
        None,
        "",
    )


def test_signing_another_version_than_the_one_shown_is_refused(deal):
    with pytest.raises(ValidationError) as caught:
        agreement_sign(**sign_kwargs(deal["agreement"], deal["signer"], document_sha256="0" * 64))

    assert "changed since you opened it" in " ".join(caught.value.messages)
    deal["agreement"].refresh_from_db()
    assert deal["agreement"].status == AgreementStatus.ISSUED


def test_name_and_consent_are_checked_at_their_fields(deal):
    with pytest.raises(ValidationError) as caught:
        agreement_sign(
            **sign_kwargs(deal["agreement"], deal["signer"], typed_name="李四", consent=False)
        )

    assert set(caught.value.message_dict) == {"typed_name", "consent"}
    assert "张三" in caught.value.message_dict["typed_name"][0]


def test_only_the_partners_own_admin_signs(deal, in_a):
    other_admin = make_user(Role.PARTNER_ADMIN, partner=make_partner(), full_name="赵六")
    for user in (deal["colleague"], other_admin, deal["manager"]):
        with pytest.raises(PermissionDenied):
            agreement_sign(**sign_kwargs(deal["agreement"], user))
    deal["agreement"].refresh_from_db()
    assert deal["agreement"].status == AgreementStatus.ISSUED


def test_signed_agreement_cannot_be_signed_twice(deal):
    agreement_sign(**sign_kwargs(deal["agreement"], deal["signer"]))

    with pytest.raises(ValidationError, match="not awaiting signature"):
        agreement_sign(**sign_kwargs(deal["agreement"], deal["signer"]))


def test_template_edit_raises_its_version_but_leaves_issued_pdfs_alone(deal, template):
    before = deal["agreement"].pdf.open("rb").read()

    template.body += "\n\n# 第九条 补充\n新增条款。"
    template.save()
    template.save()  # saving without a change is not a new version

    assert AgreementTemplate.objects.get(pk=template.pk).version == 2
    assert deal["agreement"].pdf.open("rb").read() == before
    assert agreement_verify(deal["agreement"]) is True


def test_broken_template_text_is_reported_at_the_body_field(template, deal):
    template.body = "{% if %}"
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert "body" in caught.value.message_dict


def test_draft_needs_a_manager_and_a_sane_term(deal, template):
    outsider = make_user(Role.CHANNEL_MANAGER)
    with pytest.raises(PermissionDenied):
        agreement_create(
            partner=deal["partner"], template=template, actor=outsider, term_start=days(0)
        )
    with pytest.raises(ValidationError) as caught:
        agreement_create(
            partner=deal["partner"],
            template=template,
            actor=deal["manager"],
            term_start=days(10),
            term_end=days(1),
        )
    assert "term_end" in caught.value.message_dict


def test_default_term_is_the_templates_months_less_a_day(deal, template):
    from datetime import date

    from partners.agreements.services import default_term

    assert default_term(template, date(2026, 1, 1)) == date(2026, 12, 31)
    assert default_term(template, date(2024, 2, 29)) == date(2025, 2, 28)
    assert default_term(template, date(2027, 3, 1)) == date(2028, 2, 29)


def test_issue_only_from_draft(deal):
    with pytest.raises(ValidationError, match="Only a draft"):
        agreement_issue(agreement=deal["agreement"], actor=deal["manager"])


def test_body_paragraphs_and_clause_headings():
    from partners.agreements.rendering import Block, body_blocks

    body = "# 第一条 期限\n自 {{ term_start }} 起。\n\n无标题段落\n第二行\n\n\n# 第二条 其他"

    assert body_blocks(body, {"term_start": "2026-01-01"}) == [
        Block(heading=True, text="第一条 期限"),
        Block(heading=False, text="自 2026-01-01 起。"),
        Block(heading=False, text="无标题段落\n第二行"),
        Block(heading=True, text="第二条 其他"),
    ]


def test_issue_records_the_template_version_it_prints(deal, template):
    draft = agreement_create(
        partner=deal["partner"], template=template, actor=deal["manager"], term_start=days(0)
    )
    template.body += "\n\n# 第九条 补充\n新增条款。"
    template.save()

    issued = agreement_issue(agreement=draft, actor=deal["manager"])

    assert (draft.template_version, issued.template_version) == (1, 2)
    assert "第九条 补充" in pdf_text(issued.pdf.open("rb").read())


def test_an_ended_term_or_retired_template_cannot_be_issued(deal, template):
    ended = agreement_create(
        partner=deal["partner"],
        template=template,
        actor=deal["manager"],
        term_start=days(-30),
        term_end=days(-1),
    )
    with pytest.raises(ValidationError, match="already ended"):
        agreement_issue(agreement=ended, actor=deal["manager"])
    draft = agreement_create(
        partner=deal["partner"], template=template, actor=deal["manager"], term_start=days(0)
    )
    AgreementTemplate.objects.filter(pk=template.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="no longer in use"):
        agreement_issue(agreement=draft, actor=deal["manager"])


def test_a_pdf_left_by_a_rolled_back_issue_is_swept(deal, template):
    from django.db import transaction

    from partners.agreements.models import Agreement
    from partners.agreements.services import agreement_orphans_sweep

    draft = agreement_create(
        partner=deal["partner"], template=template, actor=deal["manager"], term_start=days(0)
    )
    storage = Agreement._meta.get_field("pdf").storage
    folder = f"partners/{deal['partner'].pk}/agreements"

    def issue_then_fail():
        with transaction.atomic():
            agreement_issue(agreement=draft, actor=deal["manager"])
            raise RuntimeError("a later step failed")

    with pytest.raises(RuntimeError):
        issue_then_fail()
    draft.refresh_from_db()
    files = set(storage.listdir(folder)[1])

    assert draft.status == AgreementStatus.DRAFT
    assert len(files) == 2  # the issued agreement's PDF and the orphan
    assert agreement_orphans_sweep(older_than=timedelta(0)) >= 1  # earlier tests leave some too
    assert storage.listdir(folder)[1] == [deal["agreement"].pdf.name.rsplit("/", 1)[1]]


def test_the_debug_tag_is_refused(template, deal):
    template.body = "{% debug %}"
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert "debug" in caught.value.message_dict["body"][0]
