"""Advocacy reports and the calendar feed."""

import csv
import io
import re

from tests.api.test_signon import decisions_by_org, letter, open_letter  # noqa: F401
from tests.conftest import sign_in


def test_coalition_report_page_and_csv(client, letter):  # noqa: F811
    open_letter(client, letter)
    h = letter["h"]
    lit = letter["orgs"]["literacy"].id
    client.put(
        f"/api/v1/activities/{letter['activity']['id']}/decisions/{lit}",
        headers=h["lena"],
        json={"status": "signed"},
    )
    client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/proposals",
        headers=h["dana"],
        json={"title": "Endorse HB 210"},
    )
    sign_in(client, letter["people"]["dana"])
    page = client.get(f"/coalitions/{letter['coalition'].id}/report")
    assert page.status_code == 200
    assert "Fund the Early Literacy Act" in page.text and "Read Together" in page.text
    assert "Endorse HB 210" in page.text
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/coalitions/{letter['coalition'].id}/report.csv").text)
        )
    )
    assert {r["section"] for r in rows} == {"activity", "proposal"}
    activity = next(r for r in rows if r["section"] == "activity")
    assert activity["detail"] == "Read Together" and activity["outcome"] == "1 signed"
    empty = client.get(
        f"/coalitions/{letter['coalition'].id}/report?start=2020-01-01&end=2020-12-31"
    )
    assert "No advocacy in this period." in empty.text
    bad = client.get(f"/coalitions/{letter['coalition'].id}/report?start=2026-13-01")
    assert bad.status_code == 422


def test_organization_report_shows_approval_times(client, letter, clock):  # noqa: F811
    from datetime import timedelta

    open_letter(client, letter)
    h = letter["h"]
    union = letter["orgs"]["union"].id
    approval = decisions_by_org(client, letter)[union]["approval"]["id"]
    clock.shift(timedelta(days=2))
    client.post(
        f"/api/v1/approvals/{approval}/decision",
        headers=h["sam_approver"],
        json={"action": "approve", "step": 1},
    )
    sign_in(client, letter["people"]["sam"])
    page = client.get(f"/organizations/{union}/report")
    assert "Policy committee" in page.text and '"Usually takes">about 2 days</td>' in page.text
    rows = list(csv.DictReader(io.StringIO(client.get(f"/organizations/{union}/report.csv").text)))
    assert any(r["section"] == "decision" and r["status"] == "in_approval" for r in rows)
    sign_in(client, letter["people"]["dana"])
    assert client.get(f"/organizations/{union}/report").status_code == 404  # private to the union


def test_calendar_feed_is_secret_and_revocable(client, letter):  # noqa: F811
    open_letter(client, letter)
    client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/proposals",
        headers=letter["h"]["dana"],
        json={"title": "Endorse HB 210"},
    )
    token = sign_in(client, letter["people"]["sam"])
    made = client.post("/calendar", data={"csrf_token": token})
    address = re.search(r'value="(http[^"]+\.ics)"', made.text).group(1)
    path = address.split("testserver", 1)[1]
    feed = client.get(path)
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "Sign-on deadline: Fund the Early Literacy Act" in feed.text
    assert "Approval due: Policy committee" in feed.text
    assert "Vote closes: Endorse HB 210" in feed.text
    renewed = client.post("/calendar", data={"csrf_token": token})
    assert client.get(path).status_code == 404  # the old address stopped working
    new_path = (
        re.search(r'value="(http[^"]+\.ics)"', renewed.text).group(1).split("testserver", 1)[1]
    )
    assert client.get(new_path).status_code == 200
    client.post("/calendar/revoke", data={"csrf_token": token})
    assert client.get(new_path).status_code == 404


def test_send_the_report_upward_from_its_page(client, letter):  # noqa: F811
    open_letter(client, letter)
    lena, lit = letter["people"]["lena"], letter["orgs"]["literacy"]
    token = sign_in(client, lena)
    page = client.get(f"/organizations/{lit.id}/report?start=2026-01-01&end=2026-03-31")
    assert "Add it on the profile" in page.text and "No report sent yet." in page.text
    url = f"/organizations/{lit.id}/reports"
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    refused = client.post(url, headers=headers, data={"note": "Hello"})
    assert refused.status_code == 422 and "Set where reports go first" in refused.text

    profile = client.post(
        f"/organizations/{lit.id}",
        headers=headers,
        data={"name": lit.name, "kind": lit.kind, "staff_count": "0", "volunteer_count": "0",
              "reports_to": "no address", "version": "1"},
    )  # fmt: skip
    assert profile.status_code == 422 and 'id="reports_to-error"' in profile.text
    profile = client.post(
        f"/organizations/{lit.id}",
        headers=headers,
        data={"name": lit.name, "kind": lit.kind, "staff_count": "0", "volunteer_count": "0",
              "reports_to": "state@example.org", "version": "1"},
    )  # fmt: skip
    assert profile.status_code == 200 and 'value="state@example.org"' in profile.text

    page = client.get(f"/organizations/{lit.id}/report?start=2026-01-01&end=2026-03-31")
    # The address may wrap on a phone after "@" and ".", never inside a word.
    assert "Send to state@<wbr>example.<wbr>org</h2>" in page.text
    sent = client.post(
        url,
        headers=headers,
        data={"start": "2026-01-01", "end": "2026-03-31", "note": "Parents came for tutoring."},
    )
    assert sent.status_code == 200 and "Report sent." in sent.text
    assert "Parents came for tutoring." in sent.text and "1 Jan 2026 to 31 Mar 2026" in sent.text
    copy_link = re.search(rf'href="(/organizations/{lit.id}/reports/rpt_[^"]+)"', sent.text)
    assert re.search(
        r'<table class="stack">.*<td data-label="To">state@<wbr>example', sent.text, re.S
    )
    copy = client.get(copy_link.group(1))
    assert copy.status_code == 200 and "What we learned" in copy.text
    assert "Fund the Early Literacy Act" in copy.text
    # The copy is shown inside the site's pages, with the way back to the report it came
    # from, and its tables stack on a phone like the others.
    assert '<nav aria-label="Main">' in copy.text
    assert copy.text.count("<html") == 1 and copy.text.count("<body") == 1
    back = f'href="/organizations/{lit.id}/report?start=2026-01-01&amp;end=2026-03-31"'
    assert f"<a {back}>Back to the report</a>" in copy.text
    assert '<td data-label="Decision">' in copy.text
    assert f"<title>{lit.name}: advocacy report as sent · Coalesce</title>" in copy.text


def test_only_admins_send_the_report(client, letter):  # noqa: F811
    union = letter["orgs"]["union"]
    client.patch(
        f"/api/v1/organizations/{union.id}",
        headers=letter["h"]["sam"],
        json={"reports_to": "nea@example.org"},
    )
    token = sign_in(client, letter["people"]["sam_approver"])
    page = client.get(f"/organizations/{union.id}/report")
    assert "No report sent yet." in page.text and 'id="report-note"' not in page.text
    refused = client.post(
        f"/organizations/{union.id}/reports", data={"csrf_token": token, "note": "Hi"}
    )
    assert refused.status_code == 403
