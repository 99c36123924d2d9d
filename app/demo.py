"""A believable demo: a state PTA and its partners in a school-readiness push."""

from datetime import timedelta

from sqlmodel import Session, select

from app import clock
from app.models import (
    Activity,
    ApprovalRequest,
    ApprovalStep,
    EmailMessage,
    Goal,
    IssueArea,
    Objective,
    Organization,
    SignOnDecision,
    User,
)
from app.models.organizations import OrganizationKind, OrgRole, Priority, Stance
from app.models.proposals import ProposalKind
from app.principal import Principal
from app.schemas.activities import (
    ActivityCreate,
    ApprovalProcessPut,
    ApprovalStepIn,
    DecisionPut,
)
from app.schemas.coalitions import (
    CoalitionCreate,
    GoalCreate,
    GuidelineChanges,
    IssuePosition,
    MembershipCreate,
    MembershipUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
)
from app.schemas.messages import MessageCreate
from app.schemas.organizations import (
    IssueAreaCreate,
    OrganizationCreate,
    OrganizationUpdate,
    OrganizationUserCreate,
    PositionPut,
    ResearchNoteCreate,
)
from app.schemas.proposals import CommentCreate, ProposalCreate, VoteCast
from app.schemas.reports import ReportSend
from app.services import (
    account_links,
    accounts,
    activities,
    approvals,
    coalitions,
    goals,
    messages,
    proposals,
    reports,
)
from app.services import organizations as service
from app.settings import Settings

DEMO_PASSWORD = "coalesce-demo"  # noqa: S105 (printed for the demo on purpose)
DEMO_INVITEE = "director@westsidelibrary.example.org"

ISSUE_AREAS = {
    "literacy": ("Early literacy", "Reading by third grade: tutoring, libraries, screening."),
    "funding": ("School funding", "Adequate and equitable state funding for public schools."),
    "nutrition": ("Child nutrition", "School meals, summer meals and food security for families."),
    "engagement": ("Family engagement", "Families as partners in schools and policy."),
    "workforce": ("Teacher workforce", "Recruiting, paying and keeping teachers."),
    "vouchers": ("Private school vouchers", "Public money for private school tuition."),
}

# (key, name, kind, staff, volunteers, expertise, communities, website)
ORGANIZATIONS = [
    ("state_pta", "Riverside State PTA", OrganizationKind.pta, 6, 400,
     ["legislative advocacy", "family engagement"], ["families statewide", "rural districts"],
     "https://statepta.example.org"),
    ("maple_pta", "Maple District PTA", OrganizationKind.pta, 0, 45,
     ["school volunteers"], ["Maple district families"], None),
    ("oak_pta", "Oak Valley District PTA", OrganizationKind.pta, 0, 30,
     ["parent outreach"], ["Oak Valley families", "Spanish-speaking families"], None),
    ("union", "Riverside Education Association", OrganizationKind.union, 12, 150,
     ["collective bargaining", "testimony"], ["teachers", "school staff"],
     "https://rea.example.org"),
    ("literacy", "Read Together", OrganizationKind.nonprofit, 8, 60,
     ["literacy programs", "tutoring"], ["early readers", "public libraries"],
     "https://readtogether.example.org"),
    ("faith", "First Street Interfaith Council", OrganizationKind.faith, 1, 80,
     ["community organizing"], ["congregations", "east side neighborhoods"], None),
    ("food_bank", "Eastside Food Bank", OrganizationKind.nonprofit, 5, 200,
     ["food distribution", "summer meals"], ["families facing food insecurity"],
     "https://eastsidefood.example.org"),
]  # fmt: skip

# (email, name, organization key, role, what the login is for)
PEOPLE = [
    ("dana@statepta.example.org", "Dana Whitfield", "state_pta", OrgRole.admin,
     "Riverside State PTA advocacy chair (admin)"),
    ("marcus@statepta.example.org", "Marcus Lee", "state_pta", OrgRole.approver,
     "Riverside State PTA board member (approver)"),
    ("priya@statepta.example.org", "Priya Raman", "state_pta", OrgRole.member,
     "Riverside State PTA volunteer (member)"),
    ("ellen@maplepta.example.org", "Ellen Brooks", "maple_pta", OrgRole.admin,
     "Maple District PTA president (admin)"),
    ("jorge@oakpta.example.org", "Jorge Medina", "oak_pta", OrgRole.admin,
     "Oak Valley District PTA president (admin)"),
    ("sam@rea.example.org", "Sam Okafor", "union", OrgRole.admin,
     "Riverside Education Association organizer (admin)"),
    ("grace@rea.example.org", "Grace Kim", "union", OrgRole.approver,
     "Riverside Education Association membership committee (approver)"),
    ("lena@readtogether.example.org", "Lena Fischer", "literacy", OrgRole.admin,
     "Read Together executive director (admin)"),
    ("ruth@firststreet.example.org", "Ruth Adeyemi", "faith", OrgRole.admin,
     "First Street Interfaith Council coordinator (admin)"),
    ("tom@eastsidefood.example.org", "Tom Becker", "food_bank", OrgRole.admin,
     "Eastside Food Bank director (admin)"),
]  # fmt: skip

# organization key -> [(issue key, stance, priority, statement, limitations)]
POSITIONS = {
    "state_pta": [
        ("literacy", Stance.support, Priority.main,
         "Every child reads by third grade; fund tutoring and school libraries.", None),
        ("funding", Stance.support, Priority.main,
         "Fully fund the state school aid formula.", "We do not endorse candidates."),
        ("nutrition", Stance.support, Priority.secondary, "Free school meals for all.", None),
        ("vouchers", Stance.oppose, Priority.main,
         "Public money for public schools.", None),
    ],
    "union": [
        ("funding", Stance.support, Priority.main, "Funding follows students.", None),
        ("workforce", Stance.support, Priority.main, "Raise teacher pay.", None),
        ("literacy", Stance.support, Priority.secondary, None,
         "Cannot support mandated scripted curricula."),
    ],
    "literacy": [
        ("literacy", Stance.support, Priority.main, "Books in every home.", None),
        ("engagement", Stance.support, Priority.secondary, None, None),
    ],
    "food_bank": [("nutrition", Stance.support, Priority.main, "No child hungry.", None)],
    "faith": [
        ("nutrition", Stance.support, Priority.main, None, None),
        ("vouchers", Stance.neutral, Priority.none, None,
         "Member congregations run schools; we stay neutral on vouchers."),
    ],
}  # fmt: skip
# (organization key, issue key) -> advocacy it cannot take on for that issue
LIMITED_KINDS = {("literacy", "literacy"): ["testimony"]}  # a charity: no legislative testimony


def demo_logins() -> list[tuple[str, str]]:
    logins = [("admin@coalesce.example.org", "Platform admin (sees everything)")]
    return logins + [(email, description) for email, _, _, _, description in PEOPLE]


def seed(session: Session, settings: Settings, *, only_if_empty: bool = False) -> bool:
    """Create the demo; False when `only_if_empty` and the database has users already."""
    if only_if_empty and session.exec(select(User.id).limit(1)).first() is not None:
        return False
    platform_admin = accounts.create_user(
        session,
        email="admin@coalesce.example.org",
        password=DEMO_PASSWORD,
        name="Platform admin",
        is_platform_admin=True,
    )
    root = accounts.principal_for(session, platform_admin)
    areas = {
        key: service.create_issue_area(session, root, IssueAreaCreate(name=name, description=text))
        for key, (name, text) in ISSUE_AREAS.items()
    }
    organizations = {}
    for key, name, kind, staff, volunteers, expertise, communities, website in ORGANIZATIONS:
        organizations[key] = service.create_organization(
            session,
            root,
            OrganizationCreate(
                name=name,
                kind=kind,
                website=website,
                staff_count=staff,
                volunteer_count=volunteers,
                expertise=expertise,
                communities=communities,
            ),
        )
    for email, name, org_key, role, _ in PEOPLE:
        service.add_user(
            session,
            root,
            organizations[org_key].id,
            OrganizationUserCreate(email=email, name=name, role=role, password=DEMO_PASSWORD),
        )
    for org in organizations.values():
        # The platform admin only set things up; the organizations' own people run them.
        service.remove_user(session, root, organization_id=org.id, user_id=platform_admin.id)
    for org_key, entries in POSITIONS.items():
        for issue_key, stance, priority, statement, limitations in entries:
            service.put_position(
                session,
                root,
                organization_id=organizations[org_key].id,
                issue_area_id=areas[issue_key].id,
                position_in=PositionPut(
                    stance=stance,
                    priority=priority,
                    statement=statement,
                    limitations=limitations,
                    limited_activity_kinds=LIMITED_KINDS.get((org_key, issue_key), []),
                ),
            )
    dana = _principal(session, "dana@statepta.example.org")
    service.create_research_note(
        session,
        dana,
        organizations["state_pta"].id,
        ResearchNoteCreate(
            subject_organization_id=organizations["literacy"].id,
            reputable=True,
            positions_note="Strong on early literacy; no position on vouchers.",
            community_relations="Runs tutoring in 40 schools; parents trust them.",
            policymaker_relations="Testified twice before the education committee.",
            expertise_note="Reading specialists; partners with public libraries.",
            recommendation="A natural partner for a literacy coalition.",
        ),
    )
    literacy_coalition, meals_coalition = _seed_coalitions(session, root, organizations, areas)
    _seed_letter(session, root, organizations, areas, literacy_coalition)
    _seed_past_letter(session, root, organizations, areas, literacy_coalition)
    _seed_late_joiner(session, root, organizations, literacy_coalition)
    _seed_joining_through_the_board(session, root, organizations, meals_coalition)
    _seed_board_approval(session, organizations, areas, meals_coalition)
    _seed_proposals(session, organizations, literacy_coalition, meals_coalition)
    _seed_guidelines_by_vote(session, organizations, meals_coalition)
    _seed_stances(session, root, organizations, areas, literacy_coalition)
    _seed_list(session, literacy_coalition)
    _seed_report_upward(session, organizations["state_pta"])
    # A library not yet on Coalesce, invited by e-mail: its link waits in the outbox.
    account_links.invite_to_coalition(
        session,
        dana,
        settings,
        literacy_coalition,
        MembershipCreate(
            invite_email=DEMO_INVITEE,
            organization_name="Westside Community Library",
            note="Libraries keep children reading all summer: we would value your voice.",
        ),
    )
    return True


def invitations_waiting(session: Session) -> list[EmailMessage]:
    """Invitation e-mails not sent yet, oldest first: without an SMTP server in development,
    the way to follow one."""
    return list(
        session.exec(
            select(EmailMessage)
            .where(EmailMessage.status == "pending", EmailMessage.body.contains("/welcome/"))  # type: ignore[attr-defined]
            .order_by(EmailMessage.id)  # type: ignore[arg-type]
        )
    )


def _seed_stances(
    session: Session,
    root: Principal,
    orgs: dict[str, Organization],
    areas: dict[str, IssueArea],
    literacy_coalition: str,
) -> None:
    """A coalition formed *against* vouchers, which the State PTA (opposed to vouchers) is
    rightly told fits it; and a testimony ask that Read Together, a charity that gives no
    testimony, is told fits it only in part."""
    against = coalitions.create_coalition(
        session,
        root,
        CoalitionCreate(
            name="Public Dollars for Public Schools",
            unifying_issue="Public money stays in public schools.",
            policy_goal="Defeat the voucher bill (SB 14) this session.",
            issue_area_ids=[areas["vouchers"].id],
            issue_positions=[IssuePosition(issue_area_id=areas["vouchers"].id, stance="oppose")],
            status="active",
            decision_rule="majority",
            convener_organization_id=orgs["union"].id,
            visibility="listed",
        ),
    )
    for key, note in [
        ("state_pta", "You oppose vouchers as we do: join us to defeat SB 14."),
        ("faith", "Your congregations' schools matter here; we would value your counsel."),
    ]:
        coalitions.invite(
            session, root, against.id, MembershipCreate(organization_id=orgs[key].id, note=note)
        )
    activities.create_activity(
        session,
        root,
        literacy_coalition,
        ActivityCreate(
            kind="testimony",
            title="Testify for HB 210 at the education committee",
            body="Three members speak for tutors and libraries, five minutes each.",
            target="House Education Committee",
            issue_area_ids=[areas["literacy"].id],
        ),
    )


def _seed_proposals(
    session: Session, orgs: dict[str, Organization], literacy: str, meals: str
) -> None:
    """An open proposal with some votes, and a closed one of each outcome."""
    admins = {
        key: _principal(session, email) for email, _, key, role, _ in PEOPLE if role == "admin"
    }
    # (coalition, title, proposer, votes as (org, choice, reason), close early?)
    plan = [
        (literacy, "Endorse Amendment 3 to HB 210 (library hours)", "state_pta",
         [("state_pta", "yes", None), ("union", "yes", None)], False),
        (literacy, "Name Dana Whitfield as the coalition's spokesperson", "union",
         [("state_pta", "yes", None), ("union", "yes", None), ("literacy", "yes", None)], True),
        (literacy, "Join the statewide testing boycott", "union",
         [("state_pta", "no", "Our board has not taken a position on testing."),
          ("union", "yes", None), ("literacy", "no", "Outside our mission."),
          ("maple_pta", "no", "Parents are split.")], False),
        (literacy, "Host a candidate forum in October", "maple_pta",
         [("maple_pta", "yes", None)], True),
        (meals, "Support a dedicated school meals tax", "food_bank",
         [("food_bank", "yes", None), ("faith", "yes", None),
          ("state_pta", "block", "We do not endorse new taxes.")], False),
    ]  # fmt: skip
    discussion = {
        "Endorse Amendment 3 to HB 210 (library hours)": [
            ("literacy", "Does Amendment 3 keep branch libraries open on Saturdays?"),
            ("state_pta", "It does: Saturday hours in every district that receives the grant."),
        ],
    }
    for coalition_id, title, proposer, votes, close_early in plan:
        proposal = proposals.create_proposal(
            session,
            admins[proposer],
            coalition_id,
            ProposalCreate(title=title, organization_id=orgs[proposer].id),
        )
        for key, text in discussion.get(title, []):
            proposals.add_comment(session, admins[key], proposal.id, CommentCreate(body=text))
        for key, choice, reason in votes:
            proposals.cast_vote(
                session,
                admins[key],
                proposal.id,
                VoteCast(organization_id=orgs[key].id, choice=choice, comment=reason),
            )
        if close_early:
            proposals.close_proposal(session, admins[proposer], proposal.id)


def _seed_guidelines_by_vote(session: Session, orgs: dict[str, Organization], meals: str) -> None:
    """The meals alliance agreed by a vote that its letters go out only when the whole
    alliance agrees, and how its members are informed; its first letter now waits on that
    vote."""
    tom = _principal(session, "tom@eastsidefood.example.org")
    voters = {
        "food_bank": tom,
        "faith": _principal(session, "ruth@firststreet.example.org"),
        "state_pta": _principal(session, "dana@statepta.example.org"),
    }
    agreed = proposals.create_proposal(
        session,
        tom,
        meals,
        ProposalCreate(
            title="Change our guidelines: who opens letters in our name, how members are informed",
            body="Our letters speak for every member: let the whole alliance agree to each.",
            kind=ProposalKind.guidelines,
            changes=GuidelineChanges(
                activity_approval="coalition_vote",
                how_members_are_informed="A call on the first Monday of the month; "
                "minutes by e-mail the next day.",
            ),
            organization_id=orgs["food_bank"].id,
        ),
    )
    for key, principal in voters.items():
        proposals.cast_vote(
            session, principal, agreed.id, VoteCast(organization_id=orgs[key].id, choice="yes")
        )
    letter = activities.create_activity(
        session,
        tom,
        meals,
        ActivityCreate(
            kind="sign_on_letter",
            title="Fund universal free school meals in the state budget",
            target="Senate Finance Committee",
            body=(
                "Dear Chair Morgan and members of the committee,\n\n"
                "No child learns hungry. We ask you to fund free breakfast and lunch for every "
                "public school student in the coming budget.\n\nRespectfully,"
            ),
            sign_on_deadline=clock.now() + timedelta(days=28),
        ),
    )
    activities.open_activity(session, tom, letter.id)  # put to the alliance's vote
    waiting = activities.activity_detail(session, tom, letter.id)["proposal"]
    assert waiting is not None
    proposals.cast_vote(
        session,
        voters["faith"],
        waiting["id"],
        VoteCast(organization_id=orgs["faith"].id, choice="yes"),
    )


def _seed_letter(
    session: Session,
    root: Principal,
    orgs: dict[str, Organization],
    areas: dict[str, IssueArea],
    coalition_id: str,
) -> None:
    """An open letter: two signed, one declined by its game plan, one three-step board
    approval under way, one approval that will finish after the deadline."""
    approvals.put_process(
        session,
        root,
        orgs["union"].id,
        None,
        ApprovalProcessPut(
            steps=[
                ApprovalStepIn(name="Policy committee", approver_role="approver", expected_days=3),
                ApprovalStepIn(name="Executive director", approver_role="admin", expected_days=2),
                ApprovalStepIn(name="Board vote", approver_role="admin", expected_days=10),
            ]
        ),
    )
    approvals.put_process(
        session,
        root,
        orgs["literacy"].id,
        None,
        ApprovalProcessPut(
            steps=[
                ApprovalStepIn(
                    name="Quarterly board meeting", approver_role="admin", expected_days=30
                )
            ]
        ),
    )
    letter = activities.create_activity(
        session,
        root,
        coalition_id,
        ActivityCreate(
            kind="sign_on_letter",
            title="Fund the Early Literacy Act (HB 210)",
            target="House Education Committee",
            body=(
                "Dear Chair Alvarez and members of the committee,\n\n"
                "We, the undersigned organizations, urge you to pass HB 210 and fund it fully: "
                "reading tutors in every elementary school, and school libraries open when "
                "families can use them.\n\nRespectfully,"
            ),
            sign_on_deadline=clock.now() + timedelta(days=21),
            issue_area_ids=[areas["literacy"].id],
        ),
    )
    activities.open_activity(session, root, letter.id)
    union_request = approvals.list_for_organization(session, root, orgs["union"].id).items[0]
    approvals.decide(
        session,
        _principal(session, "sam@rea.example.org"),
        union_request["id"],
        "approve",
        "The committee supports it; the ED should check the testing language.",
        step=1,
    )
    for email, key, comment in [
        ("dana@statepta.example.org", "state_pta", "Proud to lead this."),
        ("jorge@oakpta.example.org", "oak_pta", None),
    ]:
        activities.put_decision(
            session,
            _principal(session, email),
            activity_id=letter.id,
            organization_id=orgs[key].id,
            decision_in=DecisionPut(status="signed", comment=comment),
        )
    _age_letter(session, letter.id, {orgs["state_pta"].id: 7, orgs["oak_pta"].id: 5})


def _seed_past_letter(
    session: Session,
    root: Principal,
    orgs: dict[str, Organization],
    areas: dict[str, IssueArea],
    coalition_id: str,
) -> None:
    """A letter from two months ago, signed by the union after all three of its steps: the
    history its forecasts learn from, and what its report's step chart shows."""
    letter = activities.create_activity(
        session,
        root,
        coalition_id,
        ActivityCreate(
            kind="sign_on_letter",
            title="Keep recess in the school day",
            target="State Board of Education",
            body="We ask the Board to keep at least 30 minutes of recess in every school day.",
            sign_on_deadline=clock.now() + timedelta(days=21),
            issue_area_ids=[areas["literacy"].id],
        ),
    )
    activities.open_activity(session, root, letter.id)
    sam = _principal(session, "sam@rea.example.org")
    request = next(
        r
        for r in approvals.list_for_organization(session, root, orgs["union"].id).items
        if r["activity_id"] == letter.id
    )
    for step in (1, 2, 3):
        approvals.decide(session, sam, request["id"], "approve", None, step=step)
    for email, key in [
        ("dana@statepta.example.org", "state_pta"),
        ("jorge@oakpta.example.org", "oak_pta"),
    ]:
        activities.put_decision(
            session,
            _principal(session, email),
            activity_id=letter.id,
            organization_id=orgs[key].id,
            decision_in=DecisionPut(status="signed"),
        )
    activities.close_activity(session, root, letter.id)
    # Two months back: the union's committee took 3 days, its director 1, its board 9.
    opened = clock.now() - timedelta(days=64)
    past = session.get(Activity, letter.id)
    assert past is not None
    past.created_at = past.opened_at = opened
    past.sign_on_deadline = opened + timedelta(days=21)
    past.closed_at = opened + timedelta(days=21)
    session.add(past)
    moment = opened
    for step in session.exec(
        select(ApprovalStep)
        .where(ApprovalStep.request_id == request["id"])
        .order_by(ApprovalStep.position)  # type: ignore[arg-type]
    ).all():
        step.activated_at = moment
        step.due_at = moment + timedelta(days=step.expected_days)
        moment = step.decided_at = moment + timedelta(days={1: 3, 2: 1, 3: 9}[step.position])
        session.add(step)
    for decision in session.exec(
        select(SignOnDecision).where(SignOnDecision.activity_id == letter.id)
    ).all():
        if decision.decided_at is not None:
            decision.decided_at = {
                orgs["union"].id: moment,
                orgs["state_pta"].id: opened + timedelta(days=2),
                orgs["oak_pta"].id: opened + timedelta(days=2),
            }.get(decision.organization_id, past.closed_at)
            session.add(decision)
    for row in session.exec(
        select(ApprovalRequest).where(ApprovalRequest.activity_id == letter.id)
    ).all():
        row.created_at = opened
        row.completed_at = moment if row.organization_id == orgs["union"].id else past.closed_at
        session.add(row)
    session.flush()


def _age_letter(session: Session, letter_id: str, signed_days_ago: dict[str, int]) -> None:
    """Move the letter's story into the past, so its approval timeline has one to show: it
    opened 8 days ago with 14 days to go; the union's policy committee took 4 days and its
    executive director is 2 days overdue; the literacy network's quarterly board meets too
    late for the deadline."""
    now = clock.now()
    opened = now - timedelta(days=8)
    letter = session.get(Activity, letter_id)
    assert letter is not None
    letter.created_at = letter.opened_at = opened
    letter.sign_on_deadline = opened + timedelta(days=14)
    session.add(letter)
    requests = session.exec(
        select(ApprovalRequest).where(ApprovalRequest.activity_id == letter_id)
    ).all()
    for request in requests:
        request.created_at = opened
        session.add(request)
        steps = session.exec(
            select(ApprovalStep)
            .where(ApprovalStep.request_id == request.id)
            .order_by(ApprovalStep.position)  # type: ignore[arg-type]
        ).all()
        moment = opened
        for step in steps:
            if step.status == "approved":
                step.activated_at, step.decided_at = moment, moment + timedelta(days=4)
                moment = step.decided_at
            elif step.status == "active":
                step.activated_at = moment
                step.due_at = moment + timedelta(days=step.expected_days)
            session.add(step)
    for decision in session.exec(
        select(SignOnDecision).where(SignOnDecision.activity_id == letter_id)
    ).all():
        if decision.organization_id in signed_days_ago:
            decision.decided_at = now - timedelta(days=signed_days_ago[decision.organization_id])
        elif decision.decided_at is not None:
            decision.decided_at = opened
        session.add(decision)
    session.flush()


def _seed_late_joiner(
    session: Session, root: Principal, orgs: dict[str, Organization], coalition_id: str
) -> None:
    """The food bank joins the literacy coalition while its letter is open: it is asked to
    sign too, and decides case by case."""
    coalitions.invite(
        session,
        root,
        coalition_id,
        MembershipCreate(
            organization_id=orgs["food_bank"].id,
            note="Hungry children do not learn to read: join us on HB 210.",
        ),
    )
    coalitions.update_member(
        session,
        _principal(session, "tom@eastsidefood.example.org"),
        coalition_id=coalition_id,
        organization_id=orgs["food_bank"].id,
        changes=MembershipUpdate(
            status="joined", engagement="supporter", commitment_hours_per_month=1
        ),
    )


def _seed_joining_through_the_board(
    session: Session, root: Principal, orgs: dict[str, Organization], coalition_id: str
) -> None:
    """The teachers' union joins the meals alliance only once its membership committee and
    executive board approve what it commits to: the committee's step waits on Grace."""
    sam = _principal(session, "sam@rea.example.org")
    approvals.put_process(
        session,
        sam,
        orgs["union"].id,
        "join_coalition",
        ApprovalProcessPut(
            steps=[
                ApprovalStepIn(
                    name="Membership committee", approver_role="approver", expected_days=5
                ),
                ApprovalStepIn(
                    name="Executive board vote", approver_role="admin", expected_days=14
                ),
            ]
        ),
    )
    coalitions.invite(
        session,
        root,
        coalition_id,
        MembershipCreate(
            organization_id=orgs["union"].id,
            note="School meals are a workplace issue for school staff too.",
        ),
    )
    coalitions.update_member(
        session,
        sam,
        coalition_id=coalition_id,
        organization_id=orgs["union"].id,
        changes=MembershipUpdate(
            status="joined",
            engagement="supporter",
            roles=["testimony"],
            commitment_hours_per_month=4,
            game_plan="escalate",
            game_plan_note="Our executive board decides anything outside school staffing.",
        ),
    )


def _seed_board_approval(
    session: Session,
    orgs: dict[str, Organization],
    areas: dict[str, IssueArea],
    coalition_id: str,
) -> None:
    """The State PTA's board approver reviews every letter asked of it from now on: the meals
    alliance's summer meals letter waits on Marcus's step (Dana, an admin, may decide it
    too). Set after the literacy letters, which Dana signed before the board asked this."""
    dana = _principal(session, "dana@statepta.example.org")
    approvals.put_process(
        session,
        dana,
        orgs["state_pta"].id,
        None,
        ApprovalProcessPut(
            steps=[ApprovalStepIn(name="Board approver", approver_role="approver", expected_days=5)]
        ),
    )
    tom = _principal(session, "tom@eastsidefood.example.org")
    letter = activities.create_activity(
        session,
        tom,
        coalition_id,
        ActivityCreate(
            kind="sign_on_letter",
            title="Keep summer meals open in every county",
            target="State Department of Education",
            body=(
                "Dear Commissioner Reyes,\n\n"
                "Hunger does not take the summer off. We ask the Department to fund a summer "
                "meal site within reach of every family in every county, open all July and "
                "August.\n\nRespectfully,"
            ),
            sign_on_deadline=clock.now() + timedelta(days=14),
            issue_area_ids=[areas["nutrition"].id],
        ),
    )
    activities.open_activity(session, tom, letter.id)
    activities.put_decision(
        session,
        tom,
        activity_id=letter.id,
        organization_id=orgs["food_bank"].id,
        decision_in=DecisionPut(status="signed", comment="Our sites fed 9,000 children last July."),
    )


def _seed_coalitions(
    session: Session, root: Principal, orgs: dict[str, Organization], areas: dict[str, IssueArea]
) -> tuple[str, str]:
    literacy = coalitions.create_coalition(
        session,
        root,
        CoalitionCreate(
            name="Read by Third Grade Coalition",
            unifying_issue="Every child in the state reads on grade level by third grade.",
            policy_goal="Pass the Early Literacy Act (HB 210), funding tutors and libraries.",
            website="https://readbythirdgrade.example.org",
            issue_area_ids=[areas["literacy"].id, areas["funding"].id],
            status="active",
            decision_rule="majority",
            dues_amount=100,
            convener_organization_id=orgs["state_pta"].id,
            visibility="listed",
        ),
    )
    for key, engagement, roles, hours, plan in [
        ("union", "core", ["testimony"], 8, "escalate"),
        ("literacy", "core", ["drafter"], 10, "case_by_case"),
        ("maple_pta", "supporter", [], 2, "decline"),
        ("oak_pta", "observer", [], 0, "case_by_case"),
    ]:
        _join(session, root, literacy.id, orgs[key].id, engagement, roles, hours, plan)
    coalitions.invite(
        session,
        root,
        literacy.id,
        MembershipCreate(
            organization_id=orgs["faith"].id,
            note="Your congregations run reading buddies; we would love your voice.",
        ),
    )
    today = clock.now().date()
    bill = goals.create_goal(
        session,
        root,
        literacy.id,
        GoalCreate(
            title="Pass the Early Literacy Act (HB 210)",
            due_date=today + timedelta(days=90),
            owner_organization_ids=[orgs["state_pta"].id],
        ),
    )
    # (title, owner, added days ago, done days ago): a past for the goal's burn-up, where
    # the work fell behind the steady pace to the due date.
    for title, owner, added, done in [
        ("Draft the coalition sign-on letter", "literacy", 60, 48),
        ("Brief the committee's staff", "union", 60, 33),
        ("Meet the education committee chair", "state_pta", 60, None),
        ("Collect 25 organizational signatures", "maple_pta", 60, None),
        ("Publish an op-ed before the hearing", "literacy", 20, None),
    ]:
        objective = goals.add_objective(
            session,
            root,
            bill["id"],
            ObjectiveCreate(title=title, assignee_organization_id=orgs[owner].id),
        )
        if done is not None:
            goals.update_objective(session, root, objective["id"], ObjectiveUpdate(done=True))
        _age_objective(session, objective["id"], added, done)
    _age_goal(session, bill["id"], started=60, due_in=30)
    libraries = goals.create_goal(
        session,
        root,
        literacy.id,
        GoalCreate(
            title="Restore library hours in 10 districts", due_date=today + timedelta(days=180)
        ),
    )
    for title, done in [
        ("Map districts with cut hours", 9),
        ("Ask each district's board for a hearing", None),
        ("Gather families' stories of closed libraries", None),
    ]:
        objective = goals.add_objective(
            session, root, libraries["id"], ObjectiveCreate(title=title)
        )
        if done is not None:
            goals.update_objective(session, root, objective["id"], ObjectiveUpdate(done=True))
        _age_objective(session, objective["id"], 21, done)
    _age_goal(session, libraries["id"], started=21, due_in=160)

    meals = coalitions.create_coalition(
        session,
        root,
        CoalitionCreate(
            name="Healthy School Meals Alliance",
            unifying_issue="No child learns hungry.",
            policy_goal="Universal free school meals in the next state budget.",
            issue_area_ids=[areas["nutrition"].id],
            status="active",
            decision_rule="consensus",
            convener_organization_id=orgs["food_bank"].id,
        ),
    )
    _join(session, root, meals.id, orgs["faith"].id, "core", ["spokesperson"], 6, "case_by_case")
    _join(session, root, meals.id, orgs["state_pta"].id, "supporter", [], 2, "escalate")
    coalitions.invite(
        session, root, meals.id, MembershipCreate(organization_id=orgs["maple_pta"].id)
    )
    budget = goals.create_goal(
        session,
        root,
        meals.id,
        GoalCreate(
            title="Universal meals in the state budget", due_date=today + timedelta(days=120)
        ),
    )
    for title, done in [
        ("Gather school meal debt figures from districts", 12),
        ("Testify at the budget hearing", None),
    ]:
        objective = goals.add_objective(session, root, budget["id"], ObjectiveCreate(title=title))
        if done is not None:
            goals.update_objective(session, root, objective["id"], ObjectiveUpdate(done=True))
        _age_objective(session, objective["id"], 30, done)
    _age_goal(session, budget["id"], started=30, due_in=120)
    return literacy.id, meals.id


def _age_goal(session: Session, goal_id: str, *, started: int, due_in: int) -> None:
    goal = session.get(Goal, goal_id)
    assert goal is not None
    goal.created_at = clock.now() - timedelta(days=started)
    goal.due_date = clock.now().date() + timedelta(days=due_in)
    session.add(goal)
    session.flush()


def _age_objective(session: Session, objective_id: str, added: int, done: int | None) -> None:
    objective = session.get(Objective, objective_id)
    assert objective is not None
    objective.created_at = clock.now() - timedelta(days=added)
    if done is not None:
        objective.done_at = clock.now() - timedelta(days=done)
    session.add(objective)
    session.flush()


def _join(
    session: Session,
    root: Principal,
    coalition_id: str,
    organization_id: str,
    engagement: str,
    roles: list[str],
    hours: float,
    game_plan: str,
) -> None:
    coalitions.invite(
        session, root, coalition_id, MembershipCreate(organization_id=organization_id)
    )
    coalitions.update_member(
        session,
        root,
        coalition_id=coalition_id,
        organization_id=organization_id,
        changes=MembershipUpdate(
            status="joined",
            engagement=engagement,
            roles=roles,
            commitment_hours_per_month=hours,
            game_plan=game_plan,
        ),
    )


def _seed_list(session: Session, literacy: str) -> None:
    """A thread on the literacy coalition's list, started by its lead, with a reply."""
    dana = _principal(session, "dana@statepta.example.org")
    thread = messages.post_message(
        session,
        dana,
        literacy,
        MessageCreate(
            subject="Testimony sign-up for the HB 210 hearing",
            body="The education committee hears HB 210 on the 14th. Who can testify for "
            "three minutes? Parents with a child in tutoring are the strongest voices.\n\nDana",
        ),
    )
    messages.post_message(
        session,
        _principal(session, "lena@readtogether.example.org"),
        literacy,
        MessageCreate(
            reply_to=thread["id"],
            body="Two of our tutoring families can come, and I can bring the reading scores "
            "from our 40 schools.",
        ),
    )


def _seed_report_upward(session: Session, state_pta: Organization) -> None:
    """Riverside State PTA reports to the national PTA, and has sent this year's report."""
    dana = _principal(session, "dana@statepta.example.org")
    service.update_organization(
        session,
        dana,
        state_pta.id,
        OrganizationUpdate(reports_to="advocacy@nationalpta.example.org"),
    )
    reports.send_organization_report(
        session,
        dana,
        state_pta.id,
        ReportSend(
            note="Leading the literacy coalition taught us to ask partners early: the union's "
            "board needs two weeks, so letters now open with three."
        ),
    )


def _principal(session: Session, email: str) -> Principal:
    user = accounts.find_user(session, email)
    assert user is not None
    return accounts.principal_for(session, user)
