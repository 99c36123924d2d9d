"""My approvals inbox: the steps waiting on me, approved or rejected one at a time."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import SessionDep
from app.pages.deps import PagePrincipal
from app.pages.forms import parse, run_form
from app.pages.templating import htmx_target, is_htmx, render
from app.schemas.activities import ApprovalDecision
from app.services import approvals

router = APIRouter()


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
    decided: dict[str, Any] = {}

    def save(values: dict[str, Any]) -> None:
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
    if outcome.errors is None and not is_htmx(request):
        return RedirectResponse("/approvals", status_code=303)
    context: dict[str, Any] = {
        "approval": decided or approvals.get_approval(session, principal, approval_id),
        "form_errors": {approval_id: outcome.errors} if outcome.errors else {},
        "notices": {},
    }
    if outcome.errors is None:
        verb = "Approved" if outcome.values.get("action") == "approve" else "Rejected"
        context["notices"] = {approval_id: f"{verb}."}
    template = "approvals/_card.html" if is_htmx(request) else "approvals/inbox.html"
    if not is_htmx(request):
        context["waiting"] = approvals.inbox(session, principal)
    return render(request, template, context, status_code=422 if outcome.errors else 200)
