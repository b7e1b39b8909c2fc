"""The notification centre: rows in each reader's language, mail once after commit, pages that
show a person only their own."""

from unittest import mock

import pytest
from django.core import mail
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from prm.accounts.roles import Role
from prm.core.models import Notification
from prm.core.notifications import notify, unread_count
from prm.core.tasks import notifications_email
from tests.conftest import login
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.django_db


def _title():
    return format_lazy(gettext_lazy("Password"))  # a msgid with a Chinese translation: 密码


def test_each_recipient_gets_one_row_in_their_language_and_inactive_people_none(in_a):
    english = make_user(Role.FINANCE, language="en")
    chinese = make_user(Role.FINANCE, language="zh-hans")
    gone = make_user(Role.FINANCE)
    gone.is_active = False

    rows = notify(
        recipients=[english, chinese, english, gone, None], kind="test.kind", title=_title()
    )

    assert sorted((n.recipient_id, n.title) for n in rows) == sorted(
        [(english.pk, "Password"), (chinese.pk, "密码")]
    )
    assert Notification.objects.filter(kind="test.kind").count() == 2


def test_mail_is_queued_on_commit_and_sent_once(in_a, django_capture_on_commit_callbacks):
    user = make_user(Role.FINANCE, language="en")
    with (
        mock.patch.object(notifications_email, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        (row,) = notify(recipients=[user], kind="t", title="Hello", body="Body", url="/x/")
    (call,) = queued.call_args_list
    ids = call.kwargs["args"][0]

    assert ids == [row.pk]
    assert notifications_email(ids) == 1
    assert notifications_email(ids) == 0  # a retried job does not mail twice
    (message,) = mail.outbox
    assert (message.to, message.subject) == ([user.email], "Hello")
    assert message.body.startswith("Body\n\nhttp://alpha.localhost")
    assert message.body.endswith("/x/")


def test_a_failed_send_is_released_for_the_retry(in_a):
    user = make_user(Role.FINANCE)
    (row,) = notify(recipients=[user], kind="t", title="Hello")
    with (
        mock.patch("django.core.mail.send_mail", side_effect=ConnectionError),
        pytest.raises(ConnectionError),
    ):
        notifications_email([row.pk])
    row.refresh_from_db()
    assert row.emailed_at is None
    assert notifications_email([row.pk]) == 1


def test_no_mail_when_not_asked(in_a, django_capture_on_commit_callbacks):
    user = make_user(Role.FINANCE)
    with django_capture_on_commit_callbacks() as queued:
        notify(recipients=[user], kind="t", title="Quiet", email=False)
    assert queued == []


def test_the_centre_lists_only_my_notifications_and_opening_marks_read(client_a, in_a):
    me = make_user(Role.PARTNER_USER, partner=make_partner())
    other = make_user(Role.PARTNER_USER, partner=make_partner())
    (mine,) = notify(recipients=[me], kind="t", title="Mine", url="/portal/", email=False)
    (theirs,) = notify(recipients=[other], kind="t", title="Theirs", email=False)
    login(client_a, me)

    page = client_a.get("/notifications/").content.decode()
    assert "Mine" in page
    assert "Theirs" not in page
    assert unread_count(me) == 1

    assert client_a.post(f"/notifications/{theirs.pk}/open").status_code == 404
    response = client_a.post(f"/notifications/{mine.pk}/open")
    assert (response.status_code, response["Location"]) == (302, "/portal/")
    assert unread_count(me) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_outside_link_is_not_followed(client_a, in_a):
    me = make_user(Role.FINANCE)
    (note,) = notify(recipients=[me], kind="t", title="x", url="https://evil.example/", email=False)
    login(client_a, me)
    assert client_a.post(f"/notifications/{note.pk}/open")["Location"] == "/notifications/"


def test_mark_all_read(client_a, in_a):
    me = make_user(Role.FINANCE)
    notify(recipients=[me, me], kind="t", title="a", email=False)
    notify(recipients=[me], kind="t", title="b", email=False)
    login(client_a, me)
    client_a.post("/notifications/read-all")
    assert unread_count(me) == 0


def test_anonymous_and_other_tenants_cannot_reach_the_centre(client_a, client_b, in_a):
    me = make_user(Role.FINANCE)
    (note,) = notify(recipients=[me], kind="t", title="secret", email=False)
    assert client_a.get("/notifications/").status_code == 302
    assert client_a.post(f"/notifications/{note.pk}/open").status_code == 302
    login(client_b, me)  # a session from vendor A does not sign anyone in at vendor B
    assert client_b.get("/notifications/").status_code == 302
