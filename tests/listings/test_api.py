"""The Listings part of API.md through HTTP: paths, fields, codes; bad input; the reserve price."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Membership
from listings.models import Achievement, IntellectualProperty, Listing
from tests.conftest import client_for
from tests.factories import AchievementFactory, listing_terms, make_listing, make_patent_no, member_of

pytestmark = pytest.mark.django_db


def achievement_body(**overrides):
    body = {
        "title": "一种基于人工智能的茶叶品质检测方法",
        "summary": "融合茶叶图像与近红外光谱，用深度学习判定茶叶等级，检测一次不到一分钟。",
        "field": "agriculture",
        "kind": "applied",
        "maturity": 6,
        "valuation": "1200000.00",
        "fiscally_funded": True,
        "is_service_invention": True,
        "inventors": [{"name": "张三", "share": "70"}, {"name": "李四", "share": "30"}],
        "ip": [{"patent_no": "ZL202110123456.7", "ip_type": "invention", "granted_on": "2022-06-15"}],
    }
    body.update(overrides)
    return body


def json_terms(mode, **overrides):
    terms = listing_terms(mode, **overrides)
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else (None if v is None else str(v)))
        for k, v in terms.items()
    }


def test_a_university_member_takes_an_auction_listing_through_to_the_catalogue(
    university, holder_member, operator
):
    university.requires_internal_approval = True
    university.save()
    approver = member_of(university, Membership.Role.APPROVER)
    holder = client_for(holder_member)

    r = holder.post("/api/v1/achievements/", achievement_body(), format="json")
    assert r.status_code == 201, r.content
    achievement = r.json()
    assert achievement["ip"] == [
        {
            "patent_no": "202110123456.7",
            "ip_type": "invention",
            "granted_on": "2022-06-15",
            "status": "granted",
        }
    ]
    public = client_for(member_of(university, Membership.Role.BROKER)).get(
        f"/api/v1/achievements/{achievement['id']}/"
    )
    assert public.status_code == 200
    assert public.json()["conversion_status"] == "unconverted"
    assert public.json()["conversion_deadline"] == "2024-06-15"

    r = holder.post(
        "/api/v1/listings/",
        {"achievement": achievement["id"], "mode": "auction", "rights": "transfer", **json_terms("auction")},
        format="json",
    )
    assert r.status_code == 201, r.content
    listing = r.json()
    assert (listing["status"], listing["reserve_price"], listing["extension_seconds"]) == (
        "draft",
        "150000.00",
        300,
    )

    r = holder.post(f"/api/v1/listings/{listing['id']}/submit/")
    assert r.json()["status"] == "pending_internal_approval"
    r = client_for(approver).post(
        f"/api/v1/listings/{listing['id']}/internal-approval/",
        {"decision": "approve", "comment": "同意挂牌"},
        format="json",
    )
    assert r.json()["status"] == "pending_review"
    ops = client_for(operator)
    queue = ops.get("/api/v1/listings/review-queue/").json()["results"]
    assert [row["id"] for row in queue] == [listing["id"]]
    r = ops.post(
        f"/api/v1/listings/{listing['id']}/review/", {"decision": "approve", "reason": "同意"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "published"
    # the auctions side answers the listing_published seam with the listing's auction
    assert r.json()["auction"] == Listing.objects.get(pk=listing["id"]).auction.pk

    history = holder.get(f"/api/v1/listings/{listing['id']}/history/").json()
    assert [c["to_status"] for c in history["status_changes"]] == [
        "draft",
        "pending_internal_approval",
        "pending_review",
        "published",
    ]
    assert history["internal_approvals"][0]["approver"] == approver.username
    assert history["internal_approvals"][0]["terms_snapshot"]["terms"]["reserve_price"] == "150000.00"

    anonymous = client_for(member_of(university, Membership.Role.BROKER))
    anonymous.credentials()
    for row in [
        *anonymous.get("/api/v1/listings/?q=茶叶").json()["results"],
        anonymous.get(f"/api/v1/listings/{listing['id']}/").json(),
    ]:
        assert row["id"] == listing["id"]
        assert "reserve_price" not in row
        assert row["start_price"] == "100000.00" and row["title"] == "一种基于人工智能的茶叶品质检测方法"
        assert row["auction"] is not None
    assert "150000" not in anonymous.get(f"/api/v1/listings/{listing['id']}/").content.decode()


def test_reserve_price_is_hidden_from_bidders_but_not_from_the_holder(
    university, holder_member, buyer, operator
):
    listing = make_listing(achievement=AchievementFactory(holder=university), mode="auction")
    for user, sees in ((buyer, False), (holder_member, True), (operator, True)):
        body = client_for(user).get(f"/api/v1/listings/{listing.pk}/").json()
        assert ("reserve_price" in body) is sees
        catalogue = client_for(user).get("/api/v1/listings/").json()["results"]
        assert all("reserve_price" not in row for row in catalogue)


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, code, field",
    [
        ({"ip": [{"patent_no": "202110123456.8", "ip_type": "invention"}]}, "invalid_patent_no", "ip"),
        ({"ip": [{"patent_no": "CN12345", "ip_type": "invention"}]}, "invalid_patent_no", "ip"),
        ({"field": "astrology"}, "invalid_input", "field"),
        ({"maturity": 10}, "invalid_input", "maturity"),
        ({"maturity": "six"}, "invalid_input", "maturity"),
        ({"title": "长" * 10000}, "invalid_input", "title"),
        ({"valuation": "-1.00"}, "invalid_amount", "valuation"),  # money has no sign (#12)
        ({"valuation": "1.001"}, "invalid_amount", "valuation"),
        ({"inventors": [{"name": "张三", "share": "101"}]}, "invalid_achievement", "inventors"),
        ({"inventors": "张三"}, "invalid_input", "inventors"),
        ({"secret": 1}, "invalid_input", "secret"),
        (
            {"ip": [{"patent_no": "202110123456.7", "ip_type": "invention", "granted_on": "2999-01-01"}]},
            "invalid_achievement",
            "ip",
        ),
        ({"ip": [{"patent_no": make_patent_no("3"), "ip_type": "invention"}]}, "invalid_patent_no", "ip"),
    ],
)
def test_bad_achievements_are_400_with_field_errors_and_nothing_saved(holder_member, overrides, code, field):
    r = client_for(holder_member).post("/api/v1/achievements/", achievement_body(**overrides), format="json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == code
    assert field in r.json()["fields"]
    assert not Achievement.objects.exists() and not IntellectualProperty.objects.exists()


def test_patent_number_taken_by_another_achievement_is_409(holder_member):
    client = client_for(holder_member)
    assert client.post("/api/v1/achievements/", achievement_body(), format="json").status_code == 201
    r = client.post("/api/v1/achievements/", achievement_body(title="另一个"), format="json")
    assert r.status_code == 409 and r.json()["code"] == "patent_already_registered"


@pytest.mark.parametrize(
    "mode, overrides, field",
    [
        ("fixed_price", {"price": "100.123"}, "price"),
        ("fixed_price", {"price": "-5.00"}, "price"),
        ("fixed_price", {"price": {"amount": 1}}, "price"),
        ("fixed_price", {"price": "1" * 40}, "price"),
        ("fixed_price", {"listing_ends_at": "next tuesday"}, "listing_ends_at"),
        ("fixed_price", {"listing_ends_at": "2020-01-01T00:00:00+08:00"}, "listing_ends_at"),
        ("fixed_price", {"asking_price": "10.00"}, "asking_price"),
        ("auction", {"increment": "0.00"}, "increment"),
        ("auction", {"reserve_price": "1.00"}, "reserve_price"),
        ("auction", {"deposit": "-1.00"}, "deposit"),
        ("auction", {"extension_seconds": 30}, "extension_seconds"),
        ("auction", {"extension_seconds": "many"}, "extension_seconds"),
        ("auction", {"start_price": None}, "start_price"),
        ("auction", {"bogus_term": "1"}, "bogus_term"),
        ("negotiated", {"notice_days": 10}, "notice_days"),
    ],
)
def test_bad_terms_are_400_with_field_errors_and_nothing_saved(
    university, holder_member, mode, overrides, field
):
    achievement = AchievementFactory(holder=university, fiscally_funded=True)
    body = {"achievement": achievement.pk, "mode": mode, "rights": "transfer", **json_terms(mode)}
    body.update(overrides)
    r = client_for(holder_member).post("/api/v1/listings/", body, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()["fields"], r.json()
    assert not Listing.objects.exists()


def test_wrong_mode_and_missing_achievement(university, holder_member):
    client = client_for(holder_member)
    r = client.post(
        "/api/v1/listings/", {"achievement": 999999, "mode": "barter", "rights": "transfer"}, format="json"
    )
    assert r.status_code == 400 and "mode" in r.json()["fields"]
    r = client.post(
        "/api/v1/listings/",
        {"achievement": 999999, "mode": "negotiated", "rights": "transfer"},
        format="json",
    )
    assert r.status_code == 400 and "achievement" in r.json()["fields"]


def test_withdraw_after_an_offer_is_409_listing_engaged(university, holder_member):
    from listings.services import listing_mark_engaged

    listing = make_listing(achievement=AchievementFactory(holder=university))
    listing_mark_engaged(listing=listing)
    r = client_for(holder_member).post(f"/api/v1/listings/{listing.pk}/withdraw/")
    assert r.status_code == 409 and r.json()["code"] == "listing_engaged"


def test_review_reject_needs_a_reason_and_the_holder_sees_it(university, holder_member, operator):
    listing = make_listing(achievement=AchievementFactory(holder=university), status="pending_review")
    ops = client_for(operator)
    r = ops.post(f"/api/v1/listings/{listing.pk}/review/", {"decision": "reject"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = ops.post(
        f"/api/v1/listings/{listing.pk}/review/",
        {"decision": "reject", "reason": "缺少权属证明"},
        format="json",
    )
    assert r.json()["status"] == "rejected"
    history = client_for(holder_member).get(f"/api/v1/listings/{listing.pk}/history/").json()
    assert history["status_changes"][-1]["reason"] == "缺少权属证明"
    assert history["status_changes"][-1]["actor"] == operator.username
    r = ops.post(f"/api/v1/listings/{listing.pk}/review/", {"decision": "approve"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_status_transition"


def test_patch_of_a_published_listing_is_409(university, holder_member):
    listing = make_listing(achievement=AchievementFactory(holder=university))
    r = client_for(holder_member).patch(
        f"/api/v1/listings/{listing.pk}/", {"asking_price": "1.00"}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "listing_not_editable"


def test_achievement_detail_of_missing_is_404(api):
    assert api.get("/api/v1/achievements/424242/").status_code == 404


def test_conversion_deadline_is_null_without_a_grant(holder_member):
    r = client_for(holder_member).post(
        "/api/v1/achievements/",
        achievement_body(ip=[{"patent_no": make_patent_no(), "ip_type": "invention", "granted_on": None}]),
        format="json",
    )
    assert r.json()["conversion_deadline"] is None and r.json()["ip"][0]["status"] == "pending"


def test_times_are_iso_with_offset(university):
    listing = make_listing(
        achievement=AchievementFactory(holder=university),
        mode="fixed_price",
        listing_ends_at=timezone.now() + timedelta(days=3),
    )
    from rest_framework.test import APIClient

    body = APIClient().get(f"/api/v1/listings/{listing.pk}/").json()
    assert dt.datetime.fromisoformat(body["listing_ends_at"]).tzinfo is not None
    assert body["price"] == "300000.00"
