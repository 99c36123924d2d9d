"""Every page a demo persona reaches (the pages `make screenshots` saves, found the same
way) fits a phone without sideways scrolling and no link on it is broken; axe finds
nothing serious or critical on each kind of page, at a phone's width and a desk's."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.screenshots import WIDTHS, demo_server, log_in, personas, reachable_pages

pytestmark = pytest.mark.browser

PHONE, DESK = WIDTHS
AXE = Axe()
AN_ID = re.compile(r"\b[a-z]+_[0-9a-z]{26}\b")
# The pages with pictures each persona must reach and see drawn (the demo's open letter,
# goals with objectives done, reports): axe then checks them like every other kind.
PICTURED = {
    "dana": {"/activities/{id}", "/coalitions/{id}/goals", "/coalitions/{id}/report"},
    "sam": {"/organizations/{id}/report", "/approvals"},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    with demo_server(Path(tmp_path_factory.mktemp("demo"))) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def kinds_checked() -> set[str]:
    """axe takes half a second a run: each kind of page (its address without ids) is
    checked once, by the first persona to reach it (the platform admin sees the most)."""
    return set()


# The smallest a picture's words may be drawn on a phone: an SVG scales its words with the
# box it is given (font size in its units times the box's width / the drawing's width).
SMALLEST_WORDS_PX = 12
SMALL_WORDS = """() => [...document.querySelectorAll('figure.chart svg.chart-svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')]
      .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale]);
  })
  .filter(([, size]) => size < SMALLEST)
  .map(([text, size]) => `${text} (${size.toFixed(1)} px)`)""".replace(
    "SMALLEST", str(SMALLEST_WORDS_PX)
)


def _serious(page) -> list[str]:
    """axe's serious and critical findings on the page as it is now (axe already loaded)."""
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; {[node['target'] for node in v['nodes']]}"
        for v in violations
        if v.get("impact") in {"serious", "critical"}
    ]


@pytest.mark.parametrize("persona", personas(), ids=lambda persona: persona.name)
def test_every_page_fits_a_phone_and_passes_axe(browser, demo, kinds_checked, persona):
    # Reduced motion: no transition is caught half-way when the width changes.
    context = browser.new_context(
        base_url=demo, viewport={"width": PHONE, "height": 900}, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, persona.email)
    problems: list[str] = []
    pictured: set[str] = set()
    visited = 0
    for address in reachable_pages(page, problems):
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            problems.append(f"{address} is {width} px wide at {PHONE} px")
        kind = AN_ID.sub("{id}", address.partition("?")[0])
        if page.locator("figure.chart svg").filter(visible=True).count():
            pictured.add(kind)
            small = page.evaluate(SMALL_WORDS)
            if small:
                problems.append(
                    f"{address} draws words under {SMALLEST_WORDS_PX} px at {PHONE} px: {small[:3]}"
                )
            kind += " with pictures"  # axe reads it again where the first reader saw none
        if kind in kinds_checked:
            continue
        kinds_checked.add(kind)
        page.evaluate(AXE.axe_script)  # once for both widths
        problems += [f"{address} at {PHONE} px: {v}" for v in _serious(page)]
        page.set_viewport_size({"width": DESK, "height": 900})
        problems += [f"{address} at {DESK} px: {v}" for v in _serious(page)]
        page.set_viewport_size({"width": PHONE, "height": 900})
    context.close()
    assert visited > 5, f"{persona.name} reached only {visited} pages"
    missing = PICTURED.get(persona.name, set()) - pictured
    assert not missing, f"{persona.name} saw no picture on {sorted(missing)}"
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
