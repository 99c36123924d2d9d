"""The demo shows the literacy coalition's list and a report sent upward."""

from sqlmodel import select

from app import demo
from app.models import Coalition, Message, Organization, SentReport


def test_the_demo_has_a_thread_with_a_reply_and_a_report_sent(session):
    demo.seed(session)
    literacy = session.exec(
        select(Coalition).where(Coalition.name == "Read by Third Grade Coalition")
    ).one()
    posted = session.exec(select(Message).where(Message.coalition_id == literacy.id)).all()
    [thread] = [m for m in posted if m.reply_to is None]
    assert thread.subject == "Testimony sign-up for the HB 210 hearing"
    assert [m.reply_to for m in posted if m.reply_to] == [thread.id]
    state = session.exec(
        select(Organization).where(Organization.name == "Riverside State PTA")
    ).one()
    [sent] = session.exec(select(SentReport).where(SentReport.organization_id == state.id)).all()
    assert sent.sent_to == state.reports_to == "advocacy@nationalpta.example.org"
