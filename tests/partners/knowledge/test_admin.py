"""The admin looks articles, feedback and announcements up, and its actions go through the
services (history rows, editor roles)."""

import pytest

from partners.announcements.receipts import announcement_open
from partners.knowledge.feedback import article_feedback
from tests.conftest import login
from tests.partners.announcements.conftest import announce

from .conftest import write_article

pytestmark = pytest.mark.django_db


def test_change_pages_open_and_the_archive_action_records_history(client_a, kb, vendor_admin):
    notice = announce(kb["editor"], title="调价")
    announcement_open(notice, user=kb["gold_dealer_user"])
    article = write_article(kb["editor"], kb["faq"], title="返利说明", tags=["返利"])
    answer = article_feedback(article, user=kb["gold_dealer_user"], helpful=True)
    login(client_a, vendor_admin)

    pages = [
        f"/admin/announcements/announcement/{notice.pk}/change/",
        f"/admin/knowledge/article/{article.pk}/change/",
        f"/admin/knowledge/article/{article.pk}/history/",
        f"/admin/knowledge/articlefeedback/{answer.pk}/change/",
        f"/admin/knowledge/category/{kb['faq'].pk}/change/",
    ]
    archived = client_a.post(
        "/admin/knowledge/article/", {"action": "archive", "_selected_action": [article.pk]}
    )

    assert [client_a.get(url).status_code for url in pages] == [200] * 5
    assert archived.status_code == 302
    assert list(article.status_changes.values_list("to_status", "actor")) == [
        ("archived", vendor_admin.pk),
        ("published", kb["editor"].pk),
        ("draft", kb["editor"].pk),
    ]
    assert client_a.get("/admin/knowledge/article/add/").status_code == 403
