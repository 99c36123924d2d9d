"""The coalition's list and the report sent upward, in a real browser at phone and desk
widths: start a thread and reply in place; send a report from its page."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def fits(page, selector: str, width: int) -> bool:
    """The section and everything in it end inside the window (a table may scroll inside
    its own box): no sideways scrolling of the page."""
    right = page.evaluate(
        "(s) => Math.max(...[...document.querySelectorAll(`${s}, ${s} *`)]"
        ".filter(e => !e.parentElement.closest('.overflow-auto'))"
        ".map(e => e.getBoundingClientRect().right))",
        selector,
    )
    return right <= width


def test_start_a_thread_and_reply_in_place(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.letters_coalition_id}")
    page.get_by_role("navigation", name="Sections of Letters coalition").get_by_role(
        "link", name="The list"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters coalition: the list")
    assert _serious_violations(page) == []

    subject = f"Hearing on HB 210 ({width})"
    form = page.locator("#new-thread")
    form.get_by_role("button", name="Send to the list").click()  # nothing typed yet
    expect(form.locator("#subject-error")).to_have_text("Give the thread a subject.")
    form.get_by_label("Subject").fill(subject)
    form.get_by_label("Message").fill("Who can testify on Tuesday?")
    url_before = page.url
    form.get_by_role("button", name="Send to the list").click()
    expect(page.locator("#new-thread").get_by_role("status")).to_contain_text("Thread started")
    assert page.url == url_before  # in place, no page load

    thread = page.locator("article.thread", has_text=subject)
    thread.get_by_label(f"Reply to “{subject}”").fill("We can send two parents.")
    thread.get_by_role("button", name="Reply").click()
    thread = page.locator("article.thread", has_text=subject)
    expect(thread.get_by_role("status")).to_have_text("Reply sent to the list.")
    expect(thread).to_contain_text("We can send two parents.")
    assert fits(page, "#messages", width)
    assert _serious_violations(page) == []


def test_send_the_report_upward_from_its_page(page, live_server):
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server)
    page.goto(f"/organizations/{live_server.organization_id}")
    page.get_by_label("Reports go to").fill("state@example.org")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#profile").get_by_role("status")).to_have_text("Profile saved.")

    page.goto(f"/organizations/{live_server.organization_id}/report")
    section = page.locator("#send-report")
    expect(section.get_by_role("heading", level=2)).to_have_text("Send to state@example.org")
    section.get_by_label("What we learned").fill("Parents came to every hearing.")
    section.get_by_role("button", name="Send to state@example.org").click()
    section = page.locator("#send-report")
    expect(section.get_by_role("status")).to_contain_text("Report sent.")
    expect(section.locator("tbody")).to_contain_text("Parents came to every hearing.")
    assert fits(page, "#send-report", 390)
    assert _serious_violations(page) == []
