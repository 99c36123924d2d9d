"""Shapes of the advocacy reports (the JSON twins of the report pages) and of the reports
an organization sent upward."""

from datetime import date, datetime

from pydantic import Field

from app.schemas.base import Input, LongText, Output


class ReportActivity(Output):
    id: str
    kind: str
    title: str
    status: str
    created_at: datetime
    tally: dict[str, int]
    signatories: list[str]


class ReportProposal(Output):
    id: str
    title: str
    status: str
    outcome: str | None
    tally: dict[str, int]
    created_at: datetime


class ReportGoal(Output):
    id: str
    title: str
    due_date: date
    progress: float
    health: str


class CoalitionReport(Output):
    coalition_id: str
    coalition_name: str
    start: date
    end: date
    activities: list[ReportActivity]
    proposals: list[ReportProposal]
    goals: list[ReportGoal]


class ReportMembership(Output):
    coalition_id: str
    coalition_name: str
    status: str
    engagement: str
    roles: list[str]


class ReportDecision(Output):
    coalition_id: str
    coalition_name: str
    activity_id: str
    activity_title: str
    status: str
    decided_at: datetime | None


class ReportStepTime(Output):
    name: str
    median_days: float
    completed: int


class OrganizationReport(Output):
    organization_id: str
    organization_name: str
    start: date
    end: date
    coalitions: list[ReportMembership]
    decisions: list[ReportDecision]
    approval_step_times: list[ReportStepTime]


class ReportSend(Input):
    start: date | None = Field(default=None, description="Default: a year before `end`.")
    end: date | None = Field(default=None, description="Default: today (UTC).")
    note: LongText | None = Field(default=None, description="What we learned, in a few lines.")


class SentReportRead(Output):
    id: str
    organization_id: str
    sent_to: str
    start: date
    end: date
    note: str | None
    sent_by_user_id: str | None
    email_status: str
    created_at: datetime
