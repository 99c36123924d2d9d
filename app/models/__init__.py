"""SQLModel tables, one module per domain; importing this package registers them all."""

# Registers the stamping of `updated_at` on every flush.
from app.models import changes  # noqa: F401
from app.models.accounts import (
    AccountLink,
    ApiToken,
    LinkRequest,
    LoginFailure,
    RateLimitCount,
    User,
)
from app.models.activities import (
    Activity,
    ApprovalProcess,
    ApprovalRequest,
    ApprovalStep,
    DecisionChange,
    SignOnDecision,
)
from app.models.calendars import CalendarFeed
from app.models.coalitions import Coalition, Goal, Membership, MembershipChange, Objective
from app.models.events import Event, EventAudience
from app.models.idempotency import IdempotencyRecord
from app.models.kept_forms import KeptForm
from app.models.messages import ListOptOut, Message
from app.models.notifications import EmailMessage, Notification, NotificationPreference
from app.models.organizations import (
    IssueArea,
    Organization,
    OrganizationUser,
    Position,
    ResearchNote,
)
from app.models.proposals import Proposal, ProposalComment, Vote, VoteChange
from app.models.reports import SentReport
from app.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "AccountLink",
    "Activity",
    "ApiToken",
    "ApprovalProcess",
    "ApprovalRequest",
    "ApprovalStep",
    "CalendarFeed",
    "Coalition",
    "DecisionChange",
    "EmailMessage",
    "Event",
    "EventAudience",
    "Goal",
    "IdempotencyRecord",
    "IssueArea",
    "KeptForm",
    "LinkRequest",
    "ListOptOut",
    "LoginFailure",
    "Membership",
    "MembershipChange",
    "Message",
    "Notification",
    "NotificationPreference",
    "Objective",
    "Organization",
    "OrganizationUser",
    "Position",
    "Proposal",
    "ProposalComment",
    "RateLimitCount",
    "ResearchNote",
    "SentReport",
    "SignOnDecision",
    "User",
    "Vote",
    "VoteChange",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
