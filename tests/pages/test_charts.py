"""The pictures as drawn on the pages: a letter's approval timeline (bars from each step's
start to its forecast end, the deadline and today as lines), a goal's burn-up and the
report's charts, each with its text alternative, read back from the SVG itself."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests.api.test_signon import NOW, decisions_by_org, letter, open_letter  # noqa: F401
from tests.conftest import sign_in

SVG = "{http://www.w3.org/2000/svg}"


def drawing(page: str, figure_id: str, layout: str = "wide") -> ET.Element:
    """The figure's drawing for `layout`, parsed as the XML it must be."""
    figure = re.search(rf'<figure class="chart" id="{figure_id}">.*?</figure>', page, re.S)
    assert figure, f"no figure {figure_id}"
    svg = re.search(rf'<svg [^>]*data-layout="{layout}".*?</svg>', figure.group(0), re.S)
    assert svg, f"no {layout} drawing in {figure_id}"
    return ET.fromstring(svg.group(0))


def summary(page: str, figure_id: str) -> str:
    found = re.search(rf'<span id="{figure_id}-summary">(.*?)</span>', page, re.S)
    assert found
    return html.unescape(found.group(1))


def rects_of(svg: ET.Element, who: str) -> list[ET.Element]:
    return [r for r in svg.iter(f"{SVG}rect") if (r.findtext(f"{SVG}title") or "").startswith(who)]


def rules(svg: ET.Element, kind: str) -> list[ET.Element]:
    return [line for line in svg.iter(f"{SVG}line") if line.get("data-kind") == kind]


def rule(svg: ET.Element, kind: str) -> float:
    """Where the upright line of `kind` stands: one line, or (on a phone, where it leaves
    the rows' names out) its pieces, all at the same place."""
    lines = rules(svg, kind)
    assert lines and all(line.get("x1") == line.get("x2") for line in lines)  # upright
    assert len({line.get("x1") for line in lines}) == 1
    return float(lines[0].get("x1", "nan"))


def words(svg: ET.Element, kind: str) -> list[ET.Element]:
    return [t for t in svg.iter(f"{SVG}text") if f"words-{kind}" in t.get("class", "").split()]


WORDS_HIGH = 13  # coalesce.css: .chart .words


def crosses(line: ET.Element, text: ET.Element) -> bool:
    """Whether the line runs through the band of the text's line (its cap height above the
    baseline down to its descenders)."""
    baseline = float(text.get("y", "nan"))
    y1, y2 = sorted(float(line.get(end, "nan")) for end in ("y1", "y2"))
    return y1 < baseline + 4 and y2 > baseline - WORDS_HIGH


def test_the_approval_timeline_draws_each_step_against_the_deadline_and_today(
    client,
    letter,  # noqa: F811
    clock,
):
    """Opened at NOW with a deadline a week later: the union's committee takes a day, its
    board (10 days) then runs past the deadline; the state PTA signs on day 5."""
    open_letter(client, letter)
    o, h = letter["orgs"], letter["h"]
    activity_id = letter["activity"]["id"]
    clock.shift(timedelta(days=1))
    union = decisions_by_org(client, letter)[o["union"].id]["approval"]
    decided = client.post(
        f"/api/v1/approvals/{union['id']}/decision",
        headers=h["sam_approver"],
        json={"action": "approve", "step": 1},
    )
    assert decided.status_code == 200, decided.text
    clock.shift(timedelta(days=4))
    signed = client.put(
        f"/api/v1/activities/{activity_id}/decisions/{o['state_pta'].id}",
        headers=h["dana"],
        json={"status": "signed"},
    )
    assert signed.status_code == 200, signed.text

    sign_in(client, letter["people"]["dana"])
    page = client.get(f"/activities/{activity_id}").text
    svg = drawing(page, "timeline")
    done, board = rects_of(svg, "Education Association:")
    assert (done.get("data-kind"), board.get("data-kind")) == ("done", "active")
    # The scale, from two moments the picture must show where they are: the opening (the
    # first step's start) and today (its line); a day is then `day` wide.
    opened, today = float(done.get("x", "nan")), rule(svg, "today")
    day = (today - opened) / 5
    assert day > 10
    assert rule(svg, "deadline") == pytest.approx(opened + 7 * day, abs=0.3)
    assert rule(svg, "recommended") == pytest.approx(opened + 12 * day, abs=0.3)
    # Each bar runs from its start to its end (a pixel of gap between steps): the
    # committee's one day, then the board from day 1 to its forecast end on day 11.
    assert float(done.get("width", "nan")) + 1 == pytest.approx(day, abs=0.3)
    assert float(board.get("x", "nan")) == pytest.approx(opened + day, abs=0.3)
    board_end = float(board.get("x", "nan")) + float(board.get("width", "nan")) + 1
    assert board_end == pytest.approx(opened + 11 * day, abs=0.3)
    # Members without a process are a point when they decided: the state PTA on day 5, the
    # faith council (declined by its game plan) at the opening.
    [state_pta] = [
        c for c in svg.iter(f"{SVG}circle") if "State PTA" in (c.findtext(f"{SVG}title") or "")
    ]
    assert float(state_pta.get("cx", "nan")) == pytest.approx(today, abs=0.3)
    [faith] = rects_of(svg, "Interfaith Council")
    assert float(faith.get("x", "nan")) + 5 == pytest.approx(opened, abs=0.3)
    assert summary(page, "timeline") == (
        "3 of 5 members will decide before the deadline (9 Mar 2026); Education Association "
        "is forecast 4 days late. 1 has not decided yet. A deadline every member in approval "
        "can meet: 14 Mar 2026. The picture leaves out the member with no approval under way."
    )
    # Read Together has not decided and has nothing under way: no row of the picture, a row
    # of the board's table.
    drawn = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "Read Together" not in drawn and "Interfaith Council" in drawn
    assert '<th scope="row" data-label="Organization">Read Together</th>' in page
    # The same picture fits a phone, inside 300 units: each member's words in a lane of
    # their own above its bars, which no line (today, the deadline, the dates) crosses.
    narrow = drawing(page, "timeline", "narrow")
    assert narrow.get("viewBox", "").split()[2] == "300"
    assert all(
        float(r.get("x", "0")) + float(r.get("width", "0")) <= 300
        for r in narrow.iter(f"{SVG}rect")
        if r.get("width")
    )
    assert rule(narrow, "today") < rule(narrow, "deadline")
    [narrow_done, narrow_board] = rects_of(narrow, "Education Association:")
    [union_words] = [t for t in words(narrow, "row") if "Education Association" in (t.text or "")]
    assert float(union_words.get("y", "nan")) + 4 <= float(narrow_done.get("y", "nan"))
    assert float(narrow_board.get("y", "nan")) == float(narrow_done.get("y", "nan"))
    labels = words(narrow, "row") + words(narrow, "note")
    lines = [line for kind in ("today", "deadline", "recommended", "grid")
             for line in rules(narrow, kind)]  # fmt: skip
    assert labels and lines
    assert not [(line.get("data-kind"), t.text) for line in lines for t in labels
                if crosses(line, t)]  # fmt: skip
    # Today's, the deadline's and the recommended deadline's names each have a line of
    # their own above the picture, where no line runs.
    names = words(narrow, "today") + words(narrow, "deadline") + words(narrow, "recommended")
    assert len({t.get("y") for t in names}) == 3
    assert all(not crosses(line, t) for line in lines for t in names)
    # The desk's drawing says as much of each row as the phone's.
    wide_text = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert "forecast" in wide_text and "signed" in wide_text
    for t in labels:
        for part in (t.text or "").split(" · "):
            assert part.rstrip("…") in wide_text
    # And the numbers are there as a table for whoever does not read the picture.
    assert "Policy committee: 2 Mar to 3 Mar (done)" in page
    # The reports count it: the coalition's decisions by letter, and the union's own steps.
    report = client.get(f"/coalitions/{letter['coalition'].id}/report").text
    assert summary(report, "decisions-chart") == (
        "1 of 5 asks were signed, across 1 letter or statement."
    )
    bars = drawing(report, "decisions-chart")
    assert [r.get("data-kind") for r in rects_of(bars, "Fund the Early Literacy Act")] == [
        "bar-signed",
        "bar-in_approval",
        "bar-pending",
        "bar-declined",
    ]
    sign_in(client, letter["people"]["sam"])
    own = client.get(f"/organizations/{o['union'].id}/report").text
    assert summary(own, "steps-chart") == (
        "Education Association's slowest step is Policy committee: about 1 day at the "
        "median, over 1 completed."
    )
    # Its approvers see where the step waiting on them sits, in their inbox.
    inbox = client.get("/approvals").text
    figure_id = f"approval-{union['id']}-timeline"
    assert summary(inbox, figure_id) == (
        "Executive board vote (step 2 of 2) is under way. The approval is forecast to finish "
        "13 Mar 2026, 4 days after the sign-on deadline (9 Mar 2026)."
    )
    steps = drawing(inbox, figure_id)
    assert [r.get("data-kind") for r in steps.iter(f"{SVG}rect") if r.get("data-kind")] == [
        "done",
        "active",
    ]
    # Closed, the picture says what happened rather than what is forecast.
    closed = client.post(f"/api/v1/activities/{activity_id}/close", headers=h["dana"])
    assert closed.status_code == 200, closed.text
    sign_in(client, letter["people"]["dana"])
    page = client.get(f"/activities/{activity_id}").text
    assert summary(page, "timeline") == (
        "Closed: 1 of 5 members signed; 2 had decided by the deadline (9 Mar 2026). "
        "The picture leaves out the 2 members that did not decide and had no approval."
    )


def test_a_goal_burn_up_shows_objectives_done_against_the_pace_to_its_due_date(
    client,
    letter,  # noqa: F811
    clock,
):
    h, coalition = letter["h"], letter["coalition"]
    goal = client.post(
        f"/api/v1/coalitions/{coalition.id}/goals",
        headers=h["dana"],
        json={"title": "Pass the act", "due_date": (NOW + timedelta(days=30)).date().isoformat()},
    ).json()
    objectives = [
        client.post(
            f"/api/v1/goals/{goal['id']}/objectives", headers=h["dana"], json={"title": title}
        ).json()
        for title in ("Draft", "Brief staff", "Meet the chair", "Testify")
    ]
    for days, objective in ((5, objectives[0]), (7, objectives[1])):
        clock.shift(timedelta(days=days))
        done = client.patch(
            f"/api/v1/objectives/{objective['id']}", headers=h["dana"], json={"done": True}
        )
        assert done.status_code == 200, done.text
    clock.shift(timedelta(days=11))  # day 23 of 30, half the work done: at risk

    sign_in(client, letter["people"]["dana"])
    page = client.get(f"/coalitions/{coalition.id}/goals").text
    figure_id = f"goal-{goal['id']}-burn-up"
    assert summary(page, figure_id) == (
        "2 of 4 objectives done, with 75% of the time to 1 Apr 2026 gone: at risk."
    )
    svg = drawing(page, figure_id)
    lines = {
        line.get("data-kind"): line.get("points", "").split() for line in svg.iter(f"{SVG}polyline")
    }
    start, *_ = (float(v) for v in lines["plan"][0].split(","))
    today = rule(svg, "today")
    day = (today - start) / 23
    # The done line climbs on day 5 and day 12 and is flat at 2 until today; the plan
    # line runs straight from none at the start to all four on the due date.
    climbs = [
        float(p.split(",")[0])
        for a, p in zip(lines["done"], lines["done"][1:], strict=False)
        if a.split(",")[0] == p.split(",")[0]
    ]
    assert climbs == [
        pytest.approx(start + 5 * day, abs=0.3),
        pytest.approx(start + 12 * day, abs=0.3),
    ]
    assert float(lines["done"][-1].split(",")[0]) == pytest.approx(today, abs=0.3)
    plan_end = float(lines["plan"][1].split(",")[0])
    assert plan_end == pytest.approx(rule(svg, "deadline"), abs=0.3)
    report = client.get(f"/coalitions/{coalition.id}/report").text
    assert summary(report, f"report-{goal['id']}-burn-up") == summary(page, figure_id)


def test_a_draft_draws_who_would_finish_in_time_if_it_opened_now(
    client,
    letter,  # noqa: F811
):
    sign_in(client, letter["people"]["dana"])
    page = client.get(f"/activities/{letter['activity']['id']}").text
    assert summary(page, "draft-timeline") == (
        "Opened now, 1 of 2 members in approval would finish before the deadline (9 Mar 2026); "
        "Education Association would finish 6 days late. A deadline they can all meet: "
        "16 Mar 2026."
    )
    svg = drawing(page, "draft-timeline")
    union = rects_of(svg, "Education Association")[0]
    end = float(union.get("x", "nan")) + float(union.get("width", "nan")) + 1
    assert end > rule(svg, "deadline") > float(union.get("x", "nan"))  # starts now, ends late


def test_a_timeline_with_no_row_to_draw_is_its_words_alone():
    """A letter just opened, where no member has an approval under way: the summary says
    so, and no empty picture of today and the deadline stands under it."""
    from datetime import UTC, datetime

    from app import charts
    from app.services.pictures import approval_timeline

    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    asked = {"organization_name": "Riverside PTA", "status": "pending", "approval": None}
    activity = {"sign_on_deadline": now + timedelta(days=7), "decisions": [asked] * 3}
    timeline = approval_timeline(activity, now)
    assert timeline.rows == ()
    assert timeline.summary == (
        "0 of 3 members will decide before the deadline (5 Dec 2026). 3 have not decided yet. "
        "The picture leaves out the 3 members with no approval under way."
    )
    figure = charts.approval_timeline(timeline)
    assert (figure.drawings, figure.legend, figure.rows) == ((), (), ())
    assert figure.summary == timeline.summary


def test_the_timeline_escapes_every_name_it_writes():
    """A member named with the characters HTML reserves reads back as named, in the drawings
    and in the table of numbers, and a plain name is written as it is."""
    from datetime import UTC, datetime

    from app import charts
    from app.services.pictures import ApprovalTimeline, MemberLine

    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    names = ['Parents\' & Teachers <United> "Now"', "Riverside PTA"]
    timeline = ApprovalTimeline(
        title="When each member will have decided",
        summary="",
        rows=tuple(
            MemberLine(name, "signed", (), now - timedelta(days=1), None, None) for name in names
        ),
        deadline=now + timedelta(days=7),
        recommended_deadline=None,
        now=now,
    )
    figure = charts.approval_timeline(timeline)
    for d in figure.drawings:
        svg = ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{d.svg_body("h")}</svg>')
        written = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
        titles = [t.text for t in svg.iter(f"{SVG}title")]
        assert all(name in written for name in names)
        assert titles == [f"{name}: signed on {titles[0].split(' on ')[-1]}" for name in names]
    table = ET.fromstring(f"<tbody>{figure.numbers_rows()}</tbody>")
    assert [row[0].text for row in table] == names
    assert [row[0].get("data-label") for row in table] == ["Member", "Member"]
    assert "Riverside PTA</th>" in figure.numbers_rows()
