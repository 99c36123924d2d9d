"""Where one organization's approval request stands, as a coalition's members see it."""

from datetime import datetime

from app.schemas.base import Output


class ApprovalSummary(Output):
    id: str
    status: str
    step: int | None
    steps_total: int
    expected_completion_at: datetime | None
    at_risk: bool
