"""成员管理: an organization's admins invite people by username, who join only by accepting; any
member may leave (the last admin after naming another); admins remove members. API and page share
``membership_invite`` / ``invitation_accept`` / ``membership_leave`` / ``membership_remove``."""

from __future__ import annotations

import pytest

from accounts.models import Membership
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def test_an_invited_person_joins_only_by_accepting_and_can_be_removed():
    org = OrganizationFactory()
    admin = member_of(org)
    newcomer = UserFactory(username="li_approver")
    api = client_for(admin)
    r = api.post(f"/api/v1/organizations/{org.pk}/members/", {"username": "li_approver", "role": "approver"})
    assert r.status_code == 201 and r.json()["status"] == "invited" and r.json()["role"] == "approver"
    invitation = r.json()["id"]
    assert not Membership.objects.filter(user=newcomer, organization=org).exists()  # no consent yet
    r = api.post(f"/api/v1/organizations/{org.pk}/members/", {"username": "li_approver"})
    assert (r.status_code, r.json()["code"]) == (409, "already_invited")
    assert (
        api.post(f"/api/v1/invitations/{invitation}/accept/").status_code == 404
    )  # not the admin's to accept
    mine = client_for(newcomer)
    assert [i["id"] for i in mine.get("/api/v1/invitations/").json()["results"]] == [invitation]
    r = mine.post(f"/api/v1/invitations/{invitation}/accept/")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert Membership.objects.get(user=newcomer, organization=org).role == "approver"
    assert mine.post(f"/api/v1/invitations/{invitation}/decline/").status_code == 409
    r = api.post(f"/api/v1/organizations/{org.pk}/members/", {"username": "li_approver"})
    assert (r.status_code, r.json()["code"]) == (409, "already_member")
    r = api.delete(f"/api/v1/organizations/{org.pk}/members/{newcomer.pk}/")
    assert r.status_code == 204 and not Membership.objects.filter(user=newcomer, organization=org).exists()


def test_a_declined_invitation_makes_no_member():
    org = OrganizationFactory()
    newcomer = UserFactory()
    r = client_for(member_of(org)).post(
        f"/api/v1/organizations/{org.pk}/members/", {"username": newcomer.username}
    )
    r = client_for(newcomer).post(f"/api/v1/invitations/{r.json()['id']}/decline/")
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert not Membership.objects.filter(user=newcomer, organization=org).exists()


def test_any_member_may_leave_and_the_last_admin_names_a_successor_first():
    org = OrganizationFactory()
    admin = member_of(org)
    plain = member_of(org, Membership.Role.MEMBER)
    staying = member_of(org, Membership.Role.MEMBER)
    assert client_for(plain).post(f"/api/v1/organizations/{org.pk}/leave/").status_code == 204
    assert not Membership.objects.filter(user=plain, organization=org).exists()
    r = client_for(admin).post(f"/api/v1/organizations/{org.pk}/leave/")
    assert (r.status_code, r.json()["code"]) == (409, "last_admin")
    r = client_for(admin).post(f"/api/v1/organizations/{org.pk}/leave/", {"successor": plain.username})
    assert (r.status_code, r.json()["code"]) == (409, "last_admin")  # no longer a member
    r = client_for(admin).post(f"/api/v1/organizations/{org.pk}/leave/", {"successor": staying.username})
    assert r.status_code == 204
    assert Membership.objects.get(organization=org).user == staying
    assert Membership.objects.get(organization=org).role == "admin"
    r = client_for(admin).post(f"/api/v1/organizations/{org.pk}/leave/")
    assert (r.status_code, r.json()["code"]) == (409, "not_a_member")


def test_unknown_username_is_400_next_to_the_field():
    org = OrganizationFactory()
    r = client_for(member_of(org)).post(f"/api/v1/organizations/{org.pk}/members/", {"username": "nobody"})
    assert r.status_code == 400
    assert r.json()["code"] == "unknown_user" and r.json()["fields"]["username"]


def test_only_admins_manage_members_and_names_are_not_probed():
    org = OrganizationFactory()
    plain = member_of(org, Membership.Role.MEMBER)
    UserFactory(username="exists")
    for username in ("exists", "nobody"):  # the same refusal whether or not the name exists
        r = client_for(plain).post(f"/api/v1/organizations/{org.pk}/members/", {"username": username})
        assert (r.status_code, r.json()["code"]) == (403, "admin_only")


def test_the_last_admin_cannot_be_removed():
    org = OrganizationFactory()
    admin = member_of(org)
    other_admin = member_of(org)
    api = client_for(admin)
    assert api.delete(f"/api/v1/organizations/{org.pk}/members/{other_admin.pk}/").status_code == 204
    r = api.delete(f"/api/v1/organizations/{org.pk}/members/{admin.pk}/")
    assert (r.status_code, r.json()["code"]) == (409, "last_admin")


@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one_admin():
    import threading

    from django.db import connection

    from accounts.services import membership_remove
    from core.errors import DomainError

    org = OrganizationFactory()
    first, second = member_of(org), member_of(org)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(actor, user):
        try:
            barrier.wait()
            membership_remove(organization=org, actor=actor, user=user)
            outcomes.append("removed")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=pair) for pair in ((first, second), (second, first))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Membership.objects.filter(organization=org, role="admin").count() == 1
    assert sorted(outcomes) in (["last_admin", "removed"], ["admin_only", "removed"])
