"""A report sent upward reaches the state body through a real SMTP server: the HTML page,
the note, and the CSV attached."""

import csv
import io
from email import message_from_bytes, policy

from app.principal import Principal
from app.schemas.reports import ReportSend
from app.services import accounts, reports
from app.settings import get_settings
from app.worker import Worker
from tests.conftest import World


def test_the_report_reaches_the_state_body_with_its_csv(committed, smtp, clock):
    _, database = committed
    inbox, _, _ = smtp
    world = World(database)
    dana = world.user("dana")
    pta = world.organization(dana, name="Riverside PTA", reports_to="state@statepta.example.org")
    world.coalition(pta, name="Read by Third Grade")
    with database.session() as session:
        principal: Principal = accounts.principal_for(session, dana)
        sent = reports.send_organization_report(
            session, principal, pta.id,
            ReportSend(note="Parents came to every hearing."),
        )  # fmt: skip
    Worker(database, get_settings()).run_once()

    [envelope] = [m for m in inbox.messages if "state@statepta.example.org" in m.rcpt_tos]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert mail["Subject"] == "Riverside PTA: advocacy report, 2 Mar 2025 to 2 Mar 2026"
    html = mail.get_body(("html",)).get_content()
    assert "Parents came to every hearing." in html and "Read by Third Grade" in html
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() == "advocacy-report-2025-03-02-to-2026-03-02.csv"
    rows = list(csv.DictReader(io.StringIO(attached.get_content())))
    assert [(r["section"], r["coalition"], r["detail"]) for r in rows] == [
        ("coalition", "Read by Third Grade", "lead")
    ]
    with database.session() as session:
        listed = reports.list_sent_reports(session, principal, pta.id).items
    assert [(r["id"], r["email_status"]) for r in listed] == [(sent["id"], "sent")]
