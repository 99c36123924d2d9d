"""My approvals inbox: the steps waiting on me, approved or rejected one at a time."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import SessionDep
from app.pages.deps import PagePrincipal
from app.pages.forms import announce_change, parse, run_form, tell, unconfirmed
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, is_htmx, render
from app.schemas.activities import ApprovalDecision
from app.services import approvals

router = APIRouter(route_class=PageRoute)


@router.get("/approvals")
def approvals_inbox(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    """The whole inbox, or the waiting steps alone, refreshed in place when a step moves."""
    context = {"waiting": approvals.inbox(session, principal), "form_errors": {}, "notices": {}}
    if htmx_target(request) == "waiting":
        return render(request, "approvals/_waiting.html", context)
    return render(request, "approvals/inbox.html", context)


@router.post("/approvals/{approval_id}")
async def decide_step(
    request: Request, approval_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    if (await request.form()).get("action") == "reject":
        confirm = await unconfirmed(
            request,
            question="Reject this step? The approval ends and your organization does not go ahead.",
            action="Yes, reject",
            back=f"/approvals#approval-{approval_id}",
        )
        if confirm is not None:
            return confirm
    decided: dict[str, Any] = {}

    def save(values: dict[str, Any]) -> None:
        values.pop("confirmed", None)
        body = parse(ApprovalDecision, values)
        decided.update(
            approvals.decide(
                session,
                principal,
                approval_id,
                body.action,
                body.comment,
                step=body.step,
                signer_title=body.signer_title,
            )
        )

    outcome = await run_form(request, session, save)
    said = _what_happened(decided, outcome.values) if outcome.errors is None else ""
    if outcome.errors is None and not is_htmx(request):
        tell(request, said)
        return RedirectResponse("/approvals", status_code=303)
    context: dict[str, Any] = {
        "approval": decided or approvals.get_approval(session, principal, approval_id),
        "form_errors": {approval_id: outcome.errors} if outcome.errors else {},
        "notices": {},
        "answer": said,
    }
    if not is_htmx(request):
        context["waiting"] = approvals.inbox(session, principal)
        return render(request, "approvals/inbox.html", context, status_code=422)
    # The card shows the new state; the banner goes above the list, where the live refresh
    # of the waiting steps (which may take the card away) leaves it standing.
    response = render(
        request, "approvals/_decided.html", context, status_code=422 if outcome.errors else 200
    )
    return announce_change(response) if outcome.errors is None else response


def _what_happened(approval: dict[str, Any], values: dict[str, Any]) -> str:
    """The banner after a decision: which step, and what comes next."""
    position = int(values.get("step") or 0)
    steps = approval.get("steps", [])
    decided = next((s for s in steps if s["position"] == position), None)
    name = decided["name"] if decided else "the step"
    title = approval.get("title", "")
    if values.get("action") == "reject":
        return f"Rejected: {name} for “{title}”. The approval has ended."
    if approval.get("status") == "approved":
        return f"Approved: {name}. “{title}” is approved: every step agreed."
    active = next((s for s in steps if s["status"] == "active"), None)
    following = (
        f" Next: {active['name']} (step {active['position']} of {len(steps)})." if active else ""
    )
    return f"Approved: {name} (step {position} of {len(steps)}) for “{title}”.{following}"
