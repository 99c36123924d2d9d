"""Reports upward through the API: the JSON twins of the report pages, `reports_to`, and
sending an organization's report with a copy kept."""

from sqlmodel import func, select

from app.models import EmailMessage, SentReport
from tests.api.test_conventions import assert_problem
from tests.api.test_signon import letter, open_letter  # noqa: F401


def counts(world) -> tuple[int, int]:
    with world.database.session() as session:
        return (
            session.exec(select(func.count()).select_from(SentReport)).one(),
            session.exec(select(func.count()).select_from(EmailMessage)).one(),
        )


def test_the_coalition_report_as_json(client, letter):  # noqa: F811
    open_letter(client, letter)
    h, coalition = letter["h"], letter["coalition"]
    lit = letter["orgs"]["literacy"].id
    client.put(
        f"/api/v1/activities/{letter['activity']['id']}/decisions/{lit}",
        headers=h["lena"],
        json={"status": "signed"},
    )
    client.post(
        f"/api/v1/coalitions/{coalition.id}/proposals", headers=h["dana"], json={"title": "Endorse"}
    )
    report = client.get(f"/api/v1/coalitions/{coalition.id}/report", headers=h["tom"])
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["start"], body["end"]) == ("2025-03-02", "2026-03-02")
    [activity] = body["activities"]
    assert activity["title"] == "Fund the Early Literacy Act"
    assert activity["signatories"] == ["Read Together"] and activity["tally"]["signed"] == 1
    assert [p["title"] for p in body["proposals"]] == ["Endorse"]
    before = client.get(
        f"/api/v1/coalitions/{coalition.id}/report?start=2020-01-01&end=2020-12-31",
        headers=h["tom"],
    ).json()
    assert before["activities"] == [] and before["proposals"] == []
    bad = assert_problem(
        client.get(
            f"/api/v1/coalitions/{coalition.id}/report?start=2026-03-01&end=2026-01-01",
            headers=h["tom"],
        ),
        422,
    )
    assert bad["errors"][0]["loc"] == ["query", "start"]


def test_send_the_organizations_report_upward(client, letter, world):  # noqa: F811
    open_letter(client, letter)
    h, org = letter["h"], letter["orgs"]["literacy"]
    url = f"/api/v1/organizations/{org.id}"
    json_report = client.get(f"{url}/report", headers=h["lena"]).json()
    assert [c["coalition_name"] for c in json_report["coalitions"]] == [letter["coalition"].name]
    assert [d["activity_title"] for d in json_report["decisions"]] == [
        "Fund the Early Literacy Act"
    ]

    # Without somewhere to send it: a problem naming the field, and nothing sent or kept.
    missing = assert_problem(client.post(f"{url}/reports", headers=h["lena"], json={}), 422)
    assert missing["errors"][0]["loc"] == ["organization", "reports_to"]
    assert "reports_to" in missing["detail"] and counts(world) == (0, 0)

    wrong = assert_problem(
        client.patch(url, headers=h["lena"], json={"reports_to": "not an address"}), 422
    )
    assert wrong["errors"][0]["loc"] == ["body", "reports_to"]
    patched = client.patch(url, headers=h["lena"], json={"reports_to": "state@example.org"})
    assert patched.json()["reports_to"] == "state@example.org"

    sent = client.post(
        f"{url}/reports",
        headers=h["lena"],
        json={"start": "2026-01-01", "end": "2026-03-31", "note": "Tutoring drew parents in."},
    )
    assert sent.status_code == 201, sent.text
    copy = sent.json()
    assert copy["sent_to"] == "state@example.org" and copy["email_status"] == "pending"
    assert (copy["start"], copy["end"], copy["note"]) == (
        "2026-01-01", "2026-03-31", "Tutoring drew parents in."
    )  # fmt: skip
    listed = client.get(f"{url}/reports", headers=h["lena"]).json()
    assert [r["id"] for r in listed["items"]] == [copy["id"]]
    with world.database.session() as session:
        email = session.exec(select(EmailMessage)).one()
    assert (
        email.to_address == "state@example.org" and "Tutoring drew parents in." in email.html_body
    )
    assert email.attachments[0]["filename"] == "advocacy-report-2026-01-01-to-2026-03-31.csv"
    assert "Fund the Early Literacy Act" in email.attachments[0]["text"]

    seen = client.get("/api/v1/events?type=report.sent", headers=h["lena"]).json()["items"]
    assert [e["data"]["report_id"] for e in seen] == [copy["id"]]
    others = client.get("/api/v1/events?type=report.sent", headers=h["dana"]).json()["items"]
    assert others == []  # another member of the coalition does not see it


def test_only_the_organizations_admins_send_it(client, letter, world):  # noqa: F811
    org = letter["orgs"]["union"]
    client.patch(
        f"/api/v1/organizations/{org.id}",
        headers=letter["h"]["sam"],
        json={"reports_to": "nea@example.org"},
    )
    url = f"/api/v1/organizations/{org.id}/reports"
    assert_problem(client.post(url, headers=letter["h"]["sam_approver"], json={}), 403)
    assert_problem(client.post(url, headers=letter["h"]["dana"], json={}), 404)
    assert_problem(client.get(url, headers=letter["h"]["dana"]), 404)
    later = assert_problem(
        client.post(
            url, headers=letter["h"]["sam"], json={"start": "2026-05-01", "end": "2026-04-01"}
        ),
        422,
    )
    assert later["errors"][0]["loc"] == ["body", "start"]
    assert counts(world) == (0, 0)
