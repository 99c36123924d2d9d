"""The printable letter (letterhead, date, addressee, public title, signers with their titles)
and the approver's card (the text to approve, the earlier steps' comments, Reject secondary)."""

import re

from tests.api.test_signon import decisions_by_org, letter, open_letter  # noqa: F401
from tests.conftest import sign_in


def htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token}


def test_the_approver_reads_the_text_and_earlier_comments_then_signs_with_a_title(
    client,
    letter,  # noqa: F811
):
    activity_id = letter["activity"]["id"]
    public = client.patch(
        f"/api/v1/activities/{activity_id}",
        headers=letter["h"]["dana"],
        json={"public_title": "Fully fund the Early Literacy Act"},
    )
    assert public.status_code == 200, public.text
    open_letter(client, letter)
    approval_id = decisions_by_org(client, letter)[letter["orgs"]["union"].id]["approval"]["id"]

    token = sign_in(client, letter["people"]["sam_approver"])
    first = client.get("/approvals").text
    # The letter first, not folded away, then its deadline, coalition and who signed so far;
    # then one sentence for the step's date and one for the whole approval's.
    assert '<h3 class="approval-letter">The letter to House Education Committee</h3>' in first
    assert "Read the letter" not in first  # no longer folded behind a summary
    assert '<div class="letter-body">Dear Chair Alvarez, …</div>' in first
    facts = re.search(r'<p class="approval-facts">([^<]*)</p>', first).group(1)
    assert re.fullmatch(
        r"Deadline \w{3} \d+ \w{3}( \d{4})? \(in \d+ days\) · "
        + re.escape(letter["coalition"].name)
        + r" · 0 of \d signed so far",
        facts,
    ), facts
    assert re.search(r"Your step: .*due in \d+ days \(\w{3} \d+ \w{3}( \d{4})?\)</span>\.", first)
    assert re.search(r"The whole approval: about \w{3} \d+ \w{3}", first)
    assert "Expected to finish" not in first
    assert re.search(r'value="reject" class="secondary outline"[^>]*>Reject</button>', first)
    assert 'name="signer_title"' not in first  # the first of two steps does not sign
    client.post(
        f"/approvals/{approval_id}",
        headers=htmx(token),
        data={"action": "approve", "comment": "Committee says yes", "step": "1"},
    )

    token = sign_in(client, letter["people"]["sam"])
    card = client.get("/approvals").text
    assert "Earlier steps" in card
    assert "<strong>Policy committee</strong>: approved by sam_approver" in card
    assert "<blockquote>Committee says yes</blockquote>" in card
    assert 'name="signer_title"' in card  # the last step signs: the approver's title
    signed = client.post(
        f"/approvals/{approval_id}",
        headers=htmx(token),
        data={"action": "approve", "step": "2", "signer_title": "President"},
    )
    assert signed.status_code == 200, signed.text

    token = sign_in(client, letter["people"]["lena"])
    client.post(
        f"/activities/{activity_id}/decisions/{letter['orgs']['literacy'].id}",
        headers=htmx(token),
        data={"status": "signed", "signer_title": "Executive Director"},
    )
    printable = client.get(f"/activities/{activity_id}/letter").text
    assert '<p class="letterhead-name">' in printable
    assert '<time datetime="2026-03-02">2 March 2026</time>' in printable
    assert '<p class="letter-addressee">To: House Education Committee</p>' in printable
    assert "<h1>Fully fund the Early Literacy Act</h1>" in printable
    assert "<li><strong>Education Association</strong><br>sam, President</li>" in printable
    assert "<li><strong>Read Together</strong><br>lena, Executive Director</li>" in printable
    decisions = decisions_by_org(client, letter, who="lena")
    assert decisions[letter["orgs"]["literacy"].id]["signer_title"] == "Executive Director"
