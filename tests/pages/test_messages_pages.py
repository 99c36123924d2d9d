"""The coalition's list as a page: start a thread, reply in place, errors beside the field."""

from tests.api.test_messages import message_count, set_who_may_post, table  # noqa: F401
from tests.conftest import sign_in


def test_start_a_thread_and_reply_from_the_page(client, table):  # noqa: F811
    t = table
    token = sign_in(client, t["people"]["sam"])
    coalition_page = client.get(f"/coalitions/{t['c'].id}")
    assert f'href="/coalitions/{t["c"].id}/messages"' in coalition_page.text
    empty = client.get(f"/coalitions/{t['c'].id}/messages")
    assert "No messages yet." in empty.text and "Start a thread" in empty.text

    url = f"/coalitions/{t['c'].id}/messages"
    started = client.post(
        url,
        data={"csrf_token": token, "subject": "Hearing on HB 210", "body": "Tuesday 9am."},
        follow_redirects=False,
    )
    assert started.status_code == 303 and started.headers["location"].endswith("#new-thread")
    page = client.get(url)
    assert "Hearing on HB 210" in page.text and "Tuesday 9am." in page.text
    thread_id = page.text.split('id="msg-')[1].split('"')[0]

    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    blank = client.post(url, headers=headers, data={"reply_to": thread_id, "body": "  "})
    assert blank.status_code == 422 and "Write the message." in blank.text
    assert f'id="reply-error-{thread_id}"' in blank.text and "<html" not in blank.text
    replied = client.post(url, headers=headers, data={"reply_to": thread_id, "body": "I'll go."})
    assert replied.status_code == 200 and "Reply sent to the list." in replied.text
    assert "I&#39;ll go." in replied.text and message_count(t) == 2


def test_a_thread_without_subject_keeps_what_was_typed(client, table):  # noqa: F811
    t = table
    token = sign_in(client, t["people"]["dana"])
    refused = client.post(
        f"/coalitions/{t['c'].id}/messages",
        data={"csrf_token": token, "subject": "", "body": "Draft I do not want to lose"},
    )
    assert refused.status_code == 422
    assert "Give the thread a subject." in refused.text and 'href="#thread-subject"' in refused.text
    assert "Draft I do not want to lose" in refused.text and message_count(t) == 0


def test_a_member_under_leads_only_replies(client, table):  # noqa: F811
    t = table
    set_who_may_post(t, "leads")
    token = sign_in(client, t["people"]["sam"])
    page = client.get(f"/coalitions/{t['c'].id}/messages")
    assert "its leads and coordinators start threads" in page.text
    assert 'id="thread-subject"' not in page.text
    refused = client.post(
        f"/coalitions/{t['c'].id}/messages",
        data={"csrf_token": token, "subject": "Idea", "body": "March"},
    )
    assert refused.status_code == 403 and message_count(t) == 0


def test_outsiders_do_not_see_the_list(client, table):  # noqa: F811
    t = table
    sign_in(client, t["people"]["olga"])
    assert client.get(f"/coalitions/{t['c'].id}/messages").status_code == 404
