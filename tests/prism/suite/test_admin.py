"""The admin API: admin keys, projects, service accounts and their keys, users, invites, audit logs."""

import pytest

pytestmark = pytest.mark.convreplay


def test_admin_api_keys_are_created_listed_read_and_deleted(client):
    org = client.admin.organization
    key = org.admin_api_keys.create(name="ci-key")
    assert key.object == "organization.admin_api_key"
    assert org.admin_api_keys.list(limit=5, order="desc").data
    assert org.admin_api_keys.retrieve(key.id).id == key.id
    assert org.admin_api_keys.delete(key.id).deleted


def test_a_project_is_created_updated_listed_and_archived(client):
    org = client.admin.organization
    project = org.projects.create(name="Support bot")
    assert project.object == "organization.project"
    assert org.projects.retrieve(project.id).name
    assert org.projects.update(project.id, name="Support bot v2").id
    assert org.projects.list(limit=10, include_archived=True).data
    assert org.projects.archive(project.id).status


def test_a_service_account_is_created_with_its_key(client):
    accounts = client.admin.organization.projects.service_accounts
    account = accounts.create("proj_abc", name="deploy-bot")
    assert account.api_key.object == "organization.project.service_account.api_key"
    assert accounts.list("proj_abc", limit=5).data
    assert accounts.retrieve(account.id, project_id="proj_abc").role
    assert accounts.delete(account.id, project_id="proj_abc").deleted


def test_project_keys_and_users_are_listed(client):
    projects = client.admin.organization.projects
    keys = projects.api_keys.list("proj_abc", limit=5)
    assert keys.data
    assert projects.api_keys.retrieve(keys.data[0].id, project_id="proj_abc").id
    users = projects.users.list("proj_abc", limit=5)
    assert users.data


def test_organization_users_and_invites(client):
    org = client.admin.organization
    users = org.users.list(limit=5)
    assert users.data
    assert org.users.retrieve(users.data[0].id).email
    invite = org.invites.create(email="new@example.com", role="reader")
    assert invite.object == "organization.invite"
    assert org.invites.list(limit=3).data
    assert org.invites.delete(invite.id).deleted


def test_audit_logs_are_read_by_type_and_time(client):
    logs = client.admin.organization.audit_logs.list(
        limit=10, event_types=["api_key.created", "project.created"], effective_at={"gte": 1700000000}
    )
    assert logs.data
    assert logs.data[0].actor.api_key.type


def test_admin_first_pages_from_a_dynamic_mock(dynamic):
    org = dynamic.admin.organization
    assert isinstance(org.projects.list(limit=2).data, list)
    assert isinstance(org.admin_api_keys.list(limit=2).data, list)
    assert isinstance(org.projects.service_accounts.list("proj_dyn", limit=2).data, list)


@pytest.mark.anyio
async def test_async_admin(aclient):
    org = aclient.admin.organization
    key = await org.admin_api_keys.create(name="async-key")
    assert (await org.admin_api_keys.retrieve(key.id)).id
    project = await org.projects.create(name="async project")
    account = await org.projects.service_accounts.create(project.id, name="async-bot")
    assert account.api_key.id
    logs = await org.audit_logs.list(limit=3)
    assert logs.data
    await org.projects.archive(project.id)
