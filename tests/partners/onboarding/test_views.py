"""Portal checklist and vendor pages: who reaches what, and the actions."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import schema_context

from partners.models import PartnerStatus
from partners.onboarding.models import StepKind
from partners.onboarding.services import onboarding_complete, onboarding_complete_all
from prm.accounts.roles import Role
from tests.conftest import login
from tests.factories import make_partner, make_user

from .helpers import statuses, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(in_a):
    manager = make_user(Role.CHANNEL_MANAGER)
    partner = make_partner(name="阿尔法伙伴", name_en="Alpha Partner", channel_manager=manager)
    other = make_partner(name="别家伙伴", name_en="Other Partner")
    return {
        "partner": partner,
        "manager": manager,
        "user": make_user(Role.PARTNER_USER, partner=partner),
        "other": other,
        "other_user": make_user(Role.PARTNER_ADMIN, partner=other),
        "step": step(partner, "required-courses"),
    }


def _en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- partner portal -----------------------------------------------------------------------------


def test_partner_sees_own_checklist_with_state_and_links(client_a, alpha):
    onboarding_complete(partner=alpha["partner"], kind=StepKind.INVITE_USERS)
    login(_en(client_a), alpha["user"])

    response = client_a.get("/portal/onboarding/")
    page = response.content.decode()

    assert response.status_code == 200
    assert [s.template.code for s in response.context["progress"].steps] == [
        "sign-agreement",
        "business-licence",
        "required-courses",
        "invite-team",
    ]
    assert response.context["progress"].done == 1
    assert "Sign the partner agreement before ordering." in page
    assert 'href="/portal/company/"' in page  # licence upload
    assert "1 of 4 steps done · 0 of 3 required" in page
    assert "别家伙伴" not in page
    assert "Other Partner" not in page


def test_partner_checklist_shows_chinese_titles(client_a, alpha):
    client_a.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    login(client_a, alpha["user"])

    page = client_a.get("/portal/onboarding/").content.decode()

    assert "签署合作协议" in page
    assert "完成必修课程" in page


def test_portal_checklist_refuses_vendor_staff_and_anonymous(client_a, alpha):
    assert client_a.get("/portal/onboarding/").status_code == 302
    login(client_a, alpha["manager"])
    assert client_a.get("/portal/onboarding/").status_code == 403


def test_partner_users_cannot_reach_vendor_pages_or_act(client_a, alpha):
    login(client_a, alpha["user"])
    pk, step_pk = alpha["partner"].pk, alpha["step"].pk

    assert client_a.get("/partners/onboarding/").status_code == 403
    assert client_a.get(f"/partners/onboarding/partner/{pk}/").status_code == 403
    assert (
        client_a.post(f"/partners/onboarding/steps/{step_pk}/", {"status": "done"}).status_code
        == 403
    )
    assert client_a.post(f"/partners/onboarding/partner/{pk}/start/").status_code == 403
    assert statuses(alpha["partner"])["required-courses"] == "pending"


def test_portal_card_shows_blockers_until_everything_is_resolved(alpha):
    from django.template.loader import render_to_string

    with translation.override("en"):
        pending = render_to_string(
            "partners/onboarding/_portal_card.html", {"partner": alpha["partner"]}
        )
        onboarding_complete_all(partner=alpha["partner"])
        finished = render_to_string(
            "partners/onboarding/_portal_card.html", {"partner": alpha["partner"]}
        )

    assert "Upload the business licence before ordering." in pending
    assert "Finish the required courses before registering deals." in pending
    assert 'href="/portal/onboarding/"' in pending
    assert finished.strip() == ""


def test_vendor_panel_shows_progress_or_a_start_button(alpha):
    from django.template.loader import render_to_string

    applied = make_partner(status=PartnerStatus.APPLIED)
    with translation.override("en"):
        started = render_to_string(
            "partners/onboarding/_vendor_panel.html", {"partner": alpha["partner"]}
        )
        not_started = render_to_string(
            "partners/onboarding/_vendor_panel.html", {"partner": applied, "can_manage": True}
        )

    assert "0 of 4 steps done · 0 of 3 required" in started
    assert "Sign the partner agreement before registering deals." in started
    assert f"/partners/onboarding/partner/{applied.pk}/start/" in not_started


# --- vendor pages -------------------------------------------------------------------------------


def test_channel_manager_completes_own_partners_step(client_a, alpha):
    login(client_a, alpha["manager"])

    response = client_a.post(
        f"/partners/onboarding/steps/{alpha['step'].pk}/", {"status": "done", "note": "已完成"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/partners/onboarding/partner/{alpha['partner'].pk}/"
    assert statuses(alpha["partner"])["required-courses"] == "done"


def test_a_second_click_on_a_done_step_shows_a_message_not_an_error_page(client_a, alpha):
    login(client_a, alpha["manager"])
    url = f"/partners/onboarding/steps/{alpha['step'].pk}/"
    client_a.post(url, {"status": "done", "note": "已完成"}, follow=True)

    again = client_a.post(url, {"status": "done", "note": "再次点击"}, follow=True)

    assert again.status_code == 200
    assert [str(m) for m in again.context["messages"]] == ["无法将状态从“已完成”变更为“已完成”。"]
    assert "无法将状态从“已完成”变更为“已完成”。" in again.content.decode()
    assert statuses(alpha["partner"])["required-courses"] == "done"


def test_htmx_waive_returns_the_refreshed_card(client_a, alpha, vendor_admin):
    login(_en(client_a), vendor_admin)

    response = client_a.post(
        f"/partners/onboarding/steps/{alpha['step'].pk}/",
        {"status": "waived", "note": "线下培训"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response.templates[0].name == "partners/onboarding/_vendor_steps.html"
    assert "1 of 4 steps done · 1 of 3 required" in response.content.decode()
    assert statuses(alpha["partner"])["required-courses"] == "waived"


def test_waive_without_note_shows_the_error_at_the_field(client_a, alpha, vendor_admin):
    login(_en(client_a), vendor_admin)
    url = f"/partners/onboarding/steps/{alpha['step'].pk}/"

    plain = client_a.post(url, {"status": "waived", "note": ""})
    htmx = client_a.post(url, {"status": "waived"}, HTTP_HX_REQUEST="true")

    for response in (plain, htmx):
        assert response.status_code == 200
        assert response.context["error_step_id"] == alpha["step"].pk
        with translation.override("en"):  # form errors are lazy: read them in English
            assert response.context["form"].errors["note"] == ["Say why this step is waived."]
        assert "is-invalid" in response.content.decode()
    assert statuses(alpha["partner"])["required-courses"] == "pending"


def test_only_admins_and_the_own_channel_manager_may_act(client_a, alpha):
    url = f"/partners/onboarding/steps/{alpha['step'].pk}/"
    finance = make_user(Role.FINANCE)
    login(client_a, finance)

    finance_post = client_a.post(url, {"status": "done"})
    finance_start = client_a.post(f"/partners/onboarding/partner/{alpha['partner'].pk}/start/")
    finance_page = client_a.get(f"/partners/onboarding/partner/{alpha['partner'].pk}/")
    login(client_a, make_user(Role.CHANNEL_MANAGER))
    other_manager_post = client_a.post(url, {"status": "done"})
    other_manager_page = client_a.get(f"/partners/onboarding/partner/{alpha['partner'].pk}/")

    assert finance_post.status_code == 403
    assert finance_start.status_code == 403
    assert finance_page.status_code == 200  # finance may look, not act
    assert f'action="{url}"' not in finance_page.content.decode()
    assert other_manager_post.status_code == 404  # not their partner: not even visible
    assert other_manager_page.status_code == 404
    assert statuses(alpha["partner"])["required-courses"] == "pending"


def test_actions_need_post(client_a, alpha, vendor_admin):
    login(client_a, vendor_admin)

    assert client_a.get(f"/partners/onboarding/steps/{alpha['step'].pk}/").status_code == 405
    assert (
        client_a.get(f"/partners/onboarding/partner/{alpha['partner'].pk}/start/").status_code
        == 405
    )


def test_start_button_creates_the_checklist(client_a, vendor_admin):
    applied = make_partner(status=PartnerStatus.APPLIED)
    login(client_a, vendor_admin)

    response = client_a.post(f"/partners/onboarding/partner/{applied.pk}/start/")

    assert response.status_code == 302
    assert len(statuses(applied)) == 4


def test_anonymous_is_sent_to_login(client_a, alpha):
    urls = [
        "/partners/onboarding/",
        f"/partners/onboarding/partner/{alpha['partner'].pk}/",
    ]
    for url in urls:
        assert client_a.get(url).status_code == 302
    assert client_a.post(f"/partners/onboarding/steps/{alpha['step'].pk}/").status_code == 302
    assert statuses(alpha["partner"])["required-courses"] == "pending"


def test_another_vendor_cannot_reach_alphas_ids(client_b, alpha):
    partner_pk, step_pk = alpha["partner"].pk, alpha["step"].pk
    anonymous = client_b.get(f"/partners/onboarding/partner/{partner_pk}/").status_code
    with schema_context("bravo"):
        bravo_admin = make_user(Role.ADMIN)
        client_b.force_login(bravo_admin)

    page = client_b.get(f"/partners/onboarding/partner/{partner_pk}/")
    post = client_b.post(f"/partners/onboarding/steps/{step_pk}/", {"status": "done"})
    listing = client_b.get("/partners/onboarding/").content.decode()

    assert anonymous == 302
    assert page.status_code == 404
    assert post.status_code == 404
    assert "阿尔法伙伴" not in listing
    with schema_context("alpha"):
        assert statuses(alpha["partner"])["required-courses"] == "pending"


def test_list_shows_partners_with_pending_required_steps_and_filters_by_step(
    client_a, alpha, vendor_admin
):
    done = make_partner(name="已完成伙伴")
    onboarding_complete_all(partner=done)
    onboarding_complete(partner=alpha["other"], kind=StepKind.SIGN_AGREEMENT)
    login(client_a, vendor_admin)
    sign = step(alpha["partner"], "sign-agreement").template_id

    everyone = client_a.get("/partners/onboarding/")
    unsigned = client_a.get("/partners/onboarding/", {"step": sign}, HTTP_HX_REQUEST="true")

    names = {p.name for p in everyone.context["page"]}
    assert "阿尔法伙伴" in names
    assert "别家伙伴" in names
    assert "已完成伙伴" not in names
    assert [p.name for p in unsigned.context["page"]] == ["阿尔法伙伴"]
    assert unsigned.templates[0].name == "partners/onboarding/_vendor_rows.html"
    row = next(p for p in everyone.context["page"] if p.name == "阿尔法伙伴")
    assert row.pending_required == 3
    assert [s.template.code for s in row.pending_steps] == [
        "sign-agreement",
        "business-licence",
        "required-courses",
        "invite-team",
    ]


def test_channel_manager_list_shows_only_own_partners(client_a, alpha):
    login(client_a, alpha["manager"])

    page = client_a.get("/partners/onboarding/")

    assert [p.name for p in page.context["page"]] == ["阿尔法伙伴"]


def test_list_query_count_does_not_grow_with_rows(client_a, vendor_admin):
    login(client_a, vendor_admin)
    for _ in range(3):
        make_partner()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get("/partners/onboarding/").status_code == 200
        return len(ctx)

    few = count()
    connection.set_schema("alpha")
    for _ in range(12):
        make_partner()
    many = count()

    assert many == few
