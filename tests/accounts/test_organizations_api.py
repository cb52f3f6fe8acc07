import pytest

from accounts.models import Organization, OrganizationStatusChange
from tests.conftest import client_for
from tests.factories import OrganizationFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db


def test_register_then_token_then_create_organization(api):
    r = api.post(
        "/api/v1/accounts/register/",
        {"username": "chen", "password": "Tea-leaf-2026", "email": "c@zju.edu.cn"},
    )
    assert r.status_code == 201 and r.json()["username"] == "chen" and "id" in r.json()
    r = api.post("/api/v1/auth/token/", {"username": "chen", "password": "Tea-leaf-2026"})
    assert r.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    code = make_credit_code()
    r = api.post("/api/v1/organizations/", {"name": "浙江大学", "kind": "university", "credit_code": code})
    assert r.status_code == 201
    body = r.json()
    assert body["status"] == "pending" and body["credit_code"] == code and body["id"]
    assert api.get("/api/v1/me/").json()["memberships"][0]["role"] == "admin"


def test_wrong_check_character_is_400_invalid_credit_code(api):
    client = client_for(UserFactory())
    code = make_credit_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    r = client.post("/api/v1/organizations/", {"name": "某公司", "kind": "enterprise", "credit_code": wrong})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_credit_code"
    assert "校验位" in r.json()["fields"]["credit_code"][0]
    assert not Organization.objects.exists()


def test_operator_approves_and_rejects_with_reason(operator):
    applicant = UserFactory()
    client = client_for(applicant)
    org_id = client.post(
        "/api/v1/organizations/", {"name": "甲公司", "kind": "enterprise", "credit_code": make_credit_code()}
    ).json()["id"]
    op = client_for(operator)
    r = op.post(f"/api/v1/organizations/{org_id}/review/", {"decision": "approve", "reason": "资料齐全"})
    assert r.status_code == 200 and r.json()["status"] == "verified"
    assert r.json()["reviews"][-1] == {
        **r.json()["reviews"][-1],
        "to_status": "verified",
        "reason": "资料齐全",
        "actor": "op",
    }

    other_id = client.post(
        "/api/v1/organizations/", {"name": "乙公司", "kind": "enterprise", "credit_code": make_credit_code()}
    ).json()["id"]
    r = op.post(f"/api/v1/organizations/{other_id}/review/", {"decision": "reject"})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = op.post(f"/api/v1/organizations/{other_id}/review/", {"decision": "reject", "reason": "营业执照模糊"})
    assert r.json()["status"] == "rejected"
    # The applicant sees the decision and its reason.
    seen = client.get(f"/api/v1/organizations/{other_id}/").json()
    assert seen["status"] == "rejected" and seen["reviews"][-1]["reason"] == "营业执照模糊"
    # A decided organization cannot be decided again.
    r = op.post(f"/api/v1/organizations/{org_id}/review/", {"decision": "reject", "reason": "x"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_status_transition"


def test_non_operator_review_is_403_and_changes_nothing():
    org = OrganizationFactory(status=Organization.Status.PENDING)
    staff_without_permission = UserFactory(is_staff=True)
    for user in (UserFactory(), staff_without_permission):
        r = client_for(user).post(f"/api/v1/organizations/{org.pk}/review/", {"decision": "approve"})
        assert r.status_code == 403
        assert r.json()["code"] == "operator_only"
    org.refresh_from_db()
    assert org.status == "pending"
    assert not OrganizationStatusChange.objects.filter(organization=org).exists()


def test_organization_detail_is_private_to_members_and_operators(operator):
    org = OrganizationFactory()
    assert client_for(UserFactory()).get(f"/api/v1/organizations/{org.pk}/").status_code == 404
    assert client_for(operator).get(f"/api/v1/organizations/{org.pk}/").status_code == 200
