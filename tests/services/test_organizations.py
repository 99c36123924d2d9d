"""Organization rules through the service: roles, positions, research and visibility."""

import pytest

from app.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from app.models.organizations import OrgRole
from app.schemas.organizations import (
    OrganizationUpdate,
    OrganizationUserCreate,
    PositionPut,
    ResearchNoteCreate,
)
from app.services import organizations as service


def test_creator_becomes_admin(world):
    creator = world.user("dana")
    organization = world.organization(creator)
    assert world.principal(creator).roles == {organization.id: "admin"}


def test_update_bumps_version_and_refuses_stale_writes(session, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    principal = world.principal(admin)

    updated = service.update_organization(
        session, principal, organization.id, OrganizationUpdate(staff_count=3), expected_version=1
    )
    assert (updated.version, updated.staff_count) == (2, 3)

    with pytest.raises(PreconditionFailed):
        service.update_organization(
            session,
            principal,
            organization.id,
            OrganizationUpdate(staff_count=4),
            expected_version=1,
        )
    assert session.get(type(organization), organization.id).staff_count == 3


def test_the_last_admin_cannot_leave_or_step_down(session, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    principal = world.principal(admin)

    with pytest.raises(Conflict):
        service.remove_user(session, principal, organization_id=organization.id, user_id=admin.id)
    with pytest.raises(Conflict):
        service.change_role(
            session,
            principal,
            organization_id=organization.id,
            user_id=admin.id,
            role=OrgRole.member,
        )

    second = world.member(organization, "admin")
    service.change_role(
        session, principal, organization_id=organization.id, user_id=admin.id, role=OrgRole.member
    )
    assert {
        row["user_id"]: row["role"]
        for row in service.list_users(session, world.principal(second), organization.id).items
    }[admin.id] == "member"


def test_adding_a_person_twice_conflicts_and_new_people_get_accounts(session, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    principal = world.principal(admin)
    row = service.add_user(
        session, principal, organization.id,
        OrganizationUserCreate(email="new.person@example.org", role=OrgRole.approver),
    )  # fmt: skip
    assert row["role"] == "approver" and row["email"] == "new.person@example.org"
    with pytest.raises(Conflict):
        service.add_user(
            session, principal, organization.id,
            OrganizationUserCreate(email="NEW.person@example.org", role=OrgRole.member),
        )  # fmt: skip


def test_positions_are_upserted_with_versions(session, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    area = world.issue_area("Early literacy")
    principal = world.principal(admin)

    first = service.put_position(
        session, principal, organization_id=organization.id, issue_area_id=area.id,
        position_in=PositionPut(stance="support", priority="main", statement="Read by grade three."),
    )  # fmt: skip
    assert first.version == 1
    second = service.put_position(
        session, principal, organization_id=organization.id, issue_area_id=area.id,
        position_in=PositionPut(stance="support", priority="secondary"), expected_version=1,
    )  # fmt: skip
    assert second.id == first.id and second.version == 2 and second.statement is None
    with pytest.raises(PreconditionFailed):
        service.put_position(
            session, principal, organization_id=organization.id, issue_area_id=area.id,
            position_in=PositionPut(stance="oppose", priority="main"), expected_version=1,
        )  # fmt: skip


def test_positions_are_private_and_only_admins_write_them(session, world):
    organization = world.organization()
    area = world.issue_area()
    member = world.principal(world.member(organization, "member"))
    outsider = world.principal(world.user("outsider"))
    world.organization(world.user("other admin"))  # the outsider's world is elsewhere

    with pytest.raises(Forbidden):
        service.put_position(
            session,
            member,
            organization_id=organization.id,
            issue_area_id=area.id,
            position_in=PositionPut(stance="support", priority="main"),
        )
    assert service.list_positions(session, member, organization.id).items == []
    with pytest.raises(NotFound):
        service.list_positions(session, outsider, organization.id)


def test_research_notes_are_about_others_and_private_to_the_author(session, world):
    admin = world.user("dana")
    author = world.organization(admin)
    subject = world.organization()
    principal = world.principal(admin)

    with pytest.raises(Invalid):
        service.create_research_note(
            session, principal, author.id, ResearchNoteCreate(subject_organization_id=author.id)
        )
    with pytest.raises(Invalid):
        service.create_research_note(
            session, principal, author.id, ResearchNoteCreate(subject_organization_id="org_nope")
        )
    note = service.create_research_note(
        session, principal, author.id,
        ResearchNoteCreate(subject_organization_id=subject.id, reputable=True),
    )  # fmt: skip
    assert [n.id for n in service.list_research_notes(session, principal, author.id).items] == [
        note.id
    ]
    subject_admin = world.principal(world.member(subject, "admin"))
    with pytest.raises(NotFound):
        service.list_research_notes(session, subject_admin, author.id)


def test_deleted_organizations_vanish(session, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    service.delete_organization(session, world.principal(admin), organization.id)
    with pytest.raises(NotFound):
        service.get_organization(session, world.principal(admin), organization.id)
    assert world.principal(admin).roles == {}
