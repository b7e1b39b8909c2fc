"""The demo vendor's academy: four bilingual courses (product basics, deal registration,
rebate policy, installation certification with a one-year certificate), a learning path per
partner type plus one for partner admins, and people at every stage: certified, halfway,
failed once then passed, a certificate expiring within 30 days and one already expired."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from PIL import Image, ImageDraw

from partners.agreements.services import add_months
from partners.models import Partner, PartnerType
from prm.accounts.models import User
from prm.accounts.roles import PARTNER_ROLES, Role
from prm.accounts.services import user_create

from . import dates
from .assignments import assignments_for
from .courses import (
    ChoiceIn,
    course_create,
    course_publish,
    lesson_add,
    lesson_file_add,
    question_save,
)
from .models import Certificate, Course, LearningPath, PathCourse, PathRole, QuestionKind
from .progress import lesson_complete
from .quizzes import quiz_submit


@dataclass
class Ask:
    text: str
    text_en: str
    choices: list[tuple[str, str, bool]]
    kind: str = QuestionKind.SINGLE


@dataclass
class CourseSpec:
    code: str
    title: str
    title_en: str
    summary: str
    summary_en: str
    validity_months: int | None
    lessons: list[tuple[str, str, str, str]]  # title, title_en, body, body_en
    questions: list[Ask] = field(default_factory=list)


def _html(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


PRODUCT_BASICS = CourseSpec(
    "product-basics",
    "产品基础",
    "Product basics",
    "产品线、型号命名与主要卖点，面向所有伙伴的入门课程。",
    "Product lines, model naming and key selling points: the first course for every partner.",
    24,
    [
        (
            "产品线概览",
            "Product lines at a glance",
            _html(
                "我们的产品分为<strong>安防摄像机</strong>、<strong>录像机</strong>和"
                "<strong>智能门禁</strong>三条产品线。",
                "每条产品线都有入门、主流和旗舰三个系列。",
            ),
            _html(
                "Our products come in three lines: <strong>cameras</strong>, "
                "<strong>recorders</strong> and <strong>access control</strong>.",
                "Each line has entry, mainstream and flagship series.",
            ),
        ),
        (
            "型号命名规则",
            "How models are named",
            _html("型号 DS-2CD3T47 中，2CD 表示网络摄像机，3 表示主流系列，47 表示 400 万像素。"),
            _html(
                "In DS-2CD3T47, 2CD means network camera, 3 the mainstream series and 47 four "
                "megapixels."
            ),
        ),
        (
            "主要卖点与竞品对比",
            "Selling points and competitors",
            "<ul><li>夜视距离 60 米</li><li>三年质保</li><li>本地化服务网络</li></ul>",
            "<ul><li>60 m night vision</li><li>Three-year warranty</li>"
            "<li>Local service network</li></ul>",
        ),
    ],
    [
        Ask(
            "哪一条不是我们的产品线？",
            "Which is not one of our product lines?",
            [
                ("安防摄像机", "Cameras", False),
                ("智能门禁", "Access control", False),
                ("打印机", "Printers", True),
            ],
        ),
        Ask(
            "型号中的“3”代表什么？",
            "What does the “3” in a model name stand for?",
            [
                ("主流系列", "The mainstream series", True),
                ("三年质保", "A three-year warranty", False),
                ("第三代", "Third generation", False),
            ],
        ),
        Ask(
            "以下哪些是主要卖点？（多选）",
            "Which are key selling points? (several)",
            [
                ("夜视距离 60 米", "60 m night vision", True),
                ("三年质保", "Three-year warranty", True),
                ("终身免费上门", "Free visits for life", False),
            ],
            QuestionKind.MULTIPLE,
        ),
    ],
)
DEAL_REGISTRATION = CourseSpec(
    "deal-registration",
    "报备与防撞单",
    "Deal registration and conflict checks",
    "如何报备客户、保护期规则以及撞单时如何处理。",
    "How to register a customer, the protection period, and what happens when deals collide.",
    None,
    [
        (
            "为什么要报备",
            "Why register deals",
            _html("报备后在保护期内，该客户的项目归您所有，其他伙伴无法再报备同一客户。"),
            _html(
                "A registered customer is yours for the protection period; no other partner can "
                "register it."
            ),
        ),
        (
            "撞单与仲裁",
            "Conflicts and arbitration",
            _html("系统按统一社会信用代码和名称相似度查重，疑似撞单由渠道经理裁决。"),
            _html(
                "Duplicates are found by credit code and name similarity; the channel manager "
                "decides suspected conflicts."
            ),
        ),
    ],
    [
        Ask(
            "报备成功后，保护期内谁可以跟进该客户？",
            "Who may follow a registered customer during protection?",
            [
                ("只有报备的伙伴", "Only the partner who registered it", True),
                ("所有伙伴", "Every partner", False),
            ],
        ),
        Ask(
            "系统用哪些信息查重？（多选）",
            "What does the duplicate check use? (several)",
            [
                ("统一社会信用代码", "The credit code", True),
                ("名称相似度", "Name similarity", True),
                ("报备时间", "The time of registration", False),
            ],
            QuestionKind.MULTIPLE,
        ),
    ],
)
REBATE_POLICY = CourseSpec(
    "rebate-policy",
    "返利政策",
    "Rebate policy",
    "阶梯返点如何计算、何时结算、如何在门户中查看。",
    "How tiered rebates are calculated, when they are settled and where to see them.",
    12,
    [
        (
            "阶梯返点",
            "Tiered rebates",
            _html(
                "采购额越过每个台阶，超出部分按更高的返点率计算（边际计算），而不是全部按最高档。"
            ),
            _html(
                "Above each threshold only the part beyond it earns the higher rate (marginal), "
                "not the whole amount."
            ),
        ),
        (
            "结算与对账",
            "Settlement and statements",
            _html("返利按季度结算进预存款账户，可在“我的返利”和对账单中查看。"),
            _html(
                "Rebates are settled quarterly into the prepaid wallet; see them under My rebates "
                "and in statements."
            ),
        ),
    ],
    [
        Ask(
            "阶梯返点按什么方式计算？",
            "How are tiered rebates calculated?",
            [
                ("边际计算：超出部分按高档", "Marginally: the part above at its rate", True),
                ("全部按最高档", "Everything at the top rate", False),
            ],
        ),
    ],
)
INSTALLATION = CourseSpec(
    "installation",
    "安装认证",
    "Installation certification",
    "现场安装、调试与验收规范；证书有效期一年，到期需重新认证。",
    "On-site installation, commissioning and acceptance; the certificate lasts one year.",
    12,
    [
        (
            "安装前检查",
            "Before installing",
            _html("核对设备型号、供电方式和网络条件，确认安装高度与角度。"),
            _html(
                "Check the models, power supply and network, and agree the mounting height and "
                "angle."
            ),
        ),
        (
            "调试与验收",
            "Commissioning and acceptance",
            _html("完成调试后与客户共同填写验收单，拍照留存。"),
            _html(
                "After commissioning, fill in the acceptance form with the customer and keep "
                "photos."
            ),
        ),
    ],
    [
        Ask(
            "安装前需要核对哪些内容？（多选）",
            "What is checked before installing? (several)",
            [
                ("设备型号", "The models", True),
                ("供电方式", "The power supply", True),
                ("客户的年营业额", "The customer's turnover", False),
            ],
            QuestionKind.MULTIPLE,
        ),
        Ask(
            "验收单由谁填写？",
            "Who fills in the acceptance form?",
            [
                ("安装人员与客户共同填写", "The installer with the customer", True),
                ("仅厂商", "The vendor alone", False),
            ],
        ),
    ],
)
COURSES = [PRODUCT_BASICS, DEAL_REGISTRATION, REBATE_POLICY, INSTALLATION]

# partner type → (course code, required)
SELLING = [("product-basics", True), ("deal-registration", True), ("rebate-policy", False)]
PATHS = {
    PartnerType.DISTRIBUTOR: SELLING,
    PartnerType.DEALER: SELLING,
    PartnerType.AGENT: SELLING[:2],
    PartnerType.RESELLER: [("product-basics", True), ("deal-registration", False)],
    PartnerType.SERVICE: [("product-basics", True), ("installation", True)],
}
PATH_NAMES = {
    PartnerType.DISTRIBUTOR: ("分销商入门路径", "Distributor starter path"),
    PartnerType.DEALER: ("经销商入门路径", "Dealer starter path"),
    PartnerType.AGENT: ("代理商入门路径", "Agent starter path"),
    PartnerType.RESELLER: ("零售商入门路径", "Reseller starter path"),
    PartnerType.SERVICE: ("服务伙伴认证路径", "Service partner certification path"),
}


def _handout(title: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (595, 842), (255, 255, 255))
    ImageDraw.Draw(image).text((40, 40), title, fill=(0, 0, 0))
    data = io.BytesIO()
    image.save(data, format="PDF")
    return SimpleUploadedFile(f"{title}.pdf", data.getvalue())


def _course(spec: CourseSpec, admin: User) -> Course:
    course = course_create(
        code=spec.code,
        title=spec.title,
        title_en=spec.title_en,
        summary=spec.summary,
        summary_en=spec.summary_en,
        validity_months=spec.validity_months,
        actor=admin,
    )
    for n, (title, title_en, body, body_en) in enumerate(spec.lessons, start=1):
        lesson = lesson_add(
            course=course,
            title=title,
            title_en=title_en,
            body=body,
            body_en=body_en,
            minutes=10 + 5 * n,
        )
        if n == 1:
            lesson_file_add(
                lesson=lesson, upload=_handout(spec.code), title=f"{title} / {title_en}"
            )
    for q in spec.questions:
        question_save(
            course=course,
            text=q.text,
            text_en=q.text_en,
            kind=q.kind,
            choices=[ChoiceIn(zh, ok, en) for zh, en, ok in q.choices],
        )
    return course_publish(course, actor=admin)


def _paths(courses: dict[str, Course]) -> None:
    for position, (partner_type, items) in enumerate(PATHS.items(), start=1):
        zh, en = PATH_NAMES[partner_type]
        path = LearningPath.objects.create(
            code=f"{partner_type}-starter",
            title=zh,
            title_en=en,
            partner_types=[partner_type],
            position=position,
        )
        for n, (code, required) in enumerate(items, start=1):
            PathCourse.objects.create(
                path=path, course=courses[code], position=n, required=required
            )
    admins = LearningPath.objects.create(
        code="partner-admins",
        title="伙伴管理员必修",
        title_en="For partner admins",
        description="管理员需了解返利政策，以便核对对账单。",
        description_en="Admins need the rebate policy to check their statements.",
        role=PathRole.PARTNER_ADMIN,
        position=10,
    )
    PathCourse.objects.create(path=admins, course=courses["rebate-policy"], position=1)


def _answers(course: Course, *, right: bool) -> dict[int, list[int]]:
    answers = {}
    for question in course.questions.prefetch_related("choices"):
        correct = [c.pk for c in question.choices.all() if c.is_correct]
        wrong = [c.pk for c in question.choices.all() if not c.is_correct]
        answers[question.pk] = correct if right else wrong[:1]
    return answers


def _finish(user: User, course: Course, *, fail_first: bool = False) -> Certificate | None:
    for lesson in course.lessons.filter(is_published=True):
        lesson_complete(user=user, lesson=lesson)
    if course.questions.exists():
        if fail_first:
            quiz_submit(user=user, course=course, answers=_answers(course, right=False))
        quiz_submit(user=user, course=course, answers=_answers(course, right=True))
    return Certificate.objects.filter(user=user, course=course).order_by("-cycle").first()


def _backdate(certificate: Certificate | None, *, expires_in_days: int) -> None:
    """The demo needs certificates earned long ago: one issued today through the services is
    dated back so that it expires `expires_in_days` from today (negative: already expired)."""
    if certificate is None or certificate.expires_on is None:
        return
    months = certificate.course.validity_months or 0
    expires_on = dates.today() + timedelta(days=expires_in_days)
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_on=add_months(expires_on, -months), expires_on=expires_on
    )


def _learners(partners: list[Partner]) -> list[User]:
    """The demo's partner users, and an engineer or a salesperson more at a few partners so the
    team pages have people at different stages."""
    extra = [
        (p, f"learner.{p.pk}@academy.example.cn", name)
        for p, name in zip(partners[:2], ("钱磊", "冯雪"), strict=False)
    ]
    service = next((p for p in partners if p.partner_type == PartnerType.SERVICE), None)
    if service is not None:
        extra.append((service, f"engineer.{service.pk}@academy.example.cn", "蒋涛"))
    for partner, email, name in extra:
        if not User.objects.filter(email=email).exists():
            user_create(email=email, full_name=name, role=Role.PARTNER_USER, partner=partner)
    return list(
        User.objects.filter(
            Q(partner__in=partners), role__in=sorted(PARTNER_ROLES), is_active=True
        ).order_by("pk")
    )


def seed(*, partners: list[Partner], admin: User, rng: random.Random) -> None:
    courses = {spec.code: _course(spec, admin) for spec in COURSES}
    _paths(courses)
    expiring_done = expired_done = False
    for n, user in enumerate(_learners(partners)):
        assigned = [a.course for a in assignments_for(user)]
        if not assigned:
            continue
        stage = n % 4
        if stage == 3:  # halfway through the first course
            first = assigned[0].lessons.filter(is_published=True).first()
            if first is not None:
                lesson_complete(user=user, lesson=first)
            continue
        for m, course in enumerate(assigned[: 1 + stage]):
            certificate = _finish(user, course, fail_first=rng.random() < 0.3)
            if course.validity_months and not expiring_done and m == 0:
                _backdate(certificate, expires_in_days=rng.randint(8, 25))
                expiring_done = True
            elif course.code == "installation" and not expired_done:
                _backdate(certificate, expires_in_days=-rng.randint(5, 20))
                expired_done = True
