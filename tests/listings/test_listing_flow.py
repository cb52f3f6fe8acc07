"""A listing's life: terms per mode, internal approval (安心屋), operator review, withdraw, close."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from accounts.models import Membership, Notification
from core.errors import Conflict, DomainError, Forbidden, InvalidInput
from listings.models import InternalApproval, Listing, ListingStatusChange
from listings.selectors import listings_review_queue
from listings.services import (
    listing_close,
    listing_create,
    listing_internal_decide,
    listing_mark_engaged,
    listing_publish_by_platform,
    listing_review,
    listing_submit,
    listing_take_down,
    listing_update,
    listing_withdraw,
)
from tests.factories import AchievementFactory, OrganizationFactory, listing_terms, make_listing, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def achievement(university):
    return AchievementFactory(holder=university)


@pytest.fixture
def approver(university):
    return member_of(university, Membership.Role.APPROVER)


def statuses(listing):
    return list(ListingStatusChange.objects.filter(listing=listing).values_list("from_status", "to_status"))


# Terms per mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["negotiated", "fixed_price", "auction"])
def test_each_mode_drafts_with_valid_terms(holder_member, achievement, mode):
    listing = listing_create(
        actor=holder_member, achievement=achievement, mode=mode, rights="transfer", **listing_terms(mode)
    )
    assert listing.status == "draft"
    assert statuses(listing) == [("", "draft")]


def test_auction_extension_defaults_to_the_setting(holder_member, achievement):
    listing = listing_create(
        actor=holder_member,
        achievement=achievement,
        mode="auction",
        rights="transfer",
        **listing_terms("auction"),
    )
    assert listing.extension_seconds == 300


now = timezone.now


@pytest.mark.parametrize(
    "mode, terms, field",
    [
        ("negotiated", {"asking_price": Decimal("-1")}, "asking_price"),
        ("negotiated", {"asking_price": Decimal("100.123")}, "asking_price"),
        ("negotiated", {"asking_price": "abc"}, "asking_price"),
        ("negotiated", {"asking_price": 1.5}, "asking_price"),
        ("negotiated", {"notice_days": 0}, "notice_days"),
        ("negotiated", {"price": Decimal("10")}, "price"),
        ("negotiated", {"colour": "red"}, "colour"),
        ("fixed_price", {"price": Decimal("0")}, "price"),
        ("fixed_price", {"price": None}, "price"),
        ("fixed_price", {"price": Decimal("1000000000000.00")}, "price"),
        ("fixed_price", {"listing_ends_at": "lambda: past"}, "listing_ends_at"),
        ("auction", {"increment": Decimal("0")}, "increment"),
        ("auction", {"reserve_price": Decimal("99999.99")}, "reserve_price"),
        ("auction", {"deposit": Decimal("-0.01")}, "deposit"),
        ("auction", {"starts_at": "lambda: past"}, "starts_at"),
        ("auction", {"ends_at": "lambda: before start"}, "ends_at"),
        ("auction", {"extension_seconds": 59}, "extension_seconds"),
        ("auction", {"extension_seconds": 1801}, "extension_seconds"),
        ("auction", {"start_price": Decimal("1.001")}, "start_price"),
    ],
)
def test_bad_terms_are_400_with_the_field_and_nothing_saved(holder_member, achievement, mode, terms, field):
    resolved = {}
    for key, value in terms.items():
        if value == "lambda: past":
            value = now() - timedelta(minutes=1)
        elif value == "lambda: before start":
            value = now() + timedelta(hours=12)
        resolved[key] = value
    with pytest.raises(InvalidInput) as exc:
        listing_create(
            actor=holder_member,
            achievement=achievement,
            mode=mode,
            rights="transfer",
            **listing_terms(mode, **resolved),
        )
    assert exc.value.code == "invalid_terms"
    assert field in exc.value.fields
    assert not Listing.objects.exists()


def test_negotiated_listing_of_fiscally_funded_achievement_needs_15_days_notice(holder_member, university):
    funded = AchievementFactory(holder=university, fiscally_funded=True)
    with pytest.raises(InvalidInput) as exc:
        listing_create(
            actor=holder_member, achievement=funded, mode="negotiated", rights="transfer", notice_days=14
        )
    assert exc.value.fields == {"notice_days": ["财政资金支持的成果协议定价须公示至少 15 天。"]}
    listing = listing_create(actor=holder_member, achievement=funded, mode="negotiated", rights="transfer")
    assert listing.notice_days == 15
    unfunded = AchievementFactory(holder=university)
    assert (
        listing_create(
            actor=holder_member, achievement=unfunded, mode="negotiated", rights="transfer", notice_days=5
        ).notice_days
        == 5
    )


def test_only_editors_of_the_holder_draft(achievement, buyer, university):
    for outsider in (buyer, member_of(university, Membership.Role.APPROVER)):
        with pytest.raises(Forbidden):
            listing_create(actor=outsider, achievement=achievement, mode="negotiated", rights="transfer")
    assert not Listing.objects.exists()


# The flow -------------------------------------------------------------------------------------


def test_without_internal_approval_submit_goes_to_the_operators(holder_member, achievement, operator):
    listing = make_listing(achievement=achievement, status="draft")
    listing = listing_submit(listing=listing, actor=holder_member)
    assert listing.status == "pending_review" and listing.submitted_at is not None
    assert list(listings_review_queue()) == [listing]
    assert Notification.objects.filter(user=operator, kind="listing_review").exists()
    listing = listing_review(listing=listing, actor=operator, decision="approve", reason="资料齐全")
    assert listing.status == "published" and listing.published_at is not None
    assert statuses(listing) == [
        ("", "draft"),
        ("draft", "pending_review"),
        ("pending_review", "published"),
    ]
    assert Notification.objects.filter(user=holder_member, kind="listing_published").exists()


def test_internal_approval_comes_first_and_keeps_what_the_approver_saw(
    holder_member, achievement, approver, operator, university
):
    university.requires_internal_approval = True
    university.save()
    listing = listing_create(
        actor=holder_member,
        achievement=achievement,
        mode="fixed_price",
        rights="license_general",
        **listing_terms("fixed_price"),
    )
    listing = listing_submit(listing=listing, actor=holder_member)
    assert listing.status == "pending_internal_approval"
    assert Notification.objects.filter(user=approver, kind="listing_internal_approval").exists()
    assert list(listings_review_queue()) == []
    with pytest.raises(Forbidden):
        listing_internal_decide(listing=listing, actor=holder_member, decision="approve")
    with pytest.raises(Forbidden):
        listing_review(listing=listing, actor=holder_member, decision="approve")
    with pytest.raises(Conflict):
        listing_review(listing=listing, actor=operator, decision="approve")

    listing = listing_internal_decide(
        listing=listing, actor=approver, decision="approve", comment="价格经评估合理"
    )
    assert listing.status == "pending_review"
    record = InternalApproval.objects.get(listing=listing)
    assert (record.approver, record.decision, record.comment) == (approver, "approved", "价格经评估合理")
    assert record.terms_snapshot["terms"]["price"] == "300000.00"
    assert record.terms_snapshot["achievement"]["title"] == achievement.title


def test_rejections_carry_a_reason_and_the_holder_corrects_and_resubmits(
    holder_member, achievement, operator
):
    listing = make_listing(achievement=achievement, status="pending_review")
    with pytest.raises(InvalidInput) as exc:
        listing_review(listing=listing, actor=operator, decision="reject", reason="  ")
    assert exc.value.code == "reason_required"
    listing = listing_review(listing=listing, actor=operator, decision="reject", reason="意向价格明显偏低")
    assert listing.status == "rejected"
    assert Notification.objects.filter(kind="listing_rejected", body="意向价格明显偏低").exists()
    listing = listing_update(listing=listing, actor=holder_member, asking_price=Decimal("900000.00"))
    assert listing.asking_price == Decimal("900000.00")
    listing = listing_submit(listing=listing, actor=holder_member)
    assert listing.status == "pending_review"
    assert ListingStatusChange.objects.get(listing=listing, to_status="rejected").reason == "意向价格明显偏低"


def test_internal_rejection_needs_a_comment_and_sends_it_back(
    holder_member, achievement, approver, university
):
    university.requires_internal_approval = True
    university.save()
    listing = make_listing(achievement=achievement, status="pending_internal_approval")
    with pytest.raises(InvalidInput):
        listing_internal_decide(listing=listing, actor=approver, decision="reject", comment="")
    listing = listing_internal_decide(
        listing=listing, actor=approver, decision="reject", comment="估值依据不足"
    )
    assert listing.status == "rejected"
    assert InternalApproval.objects.get(listing=listing).decision == "rejected"
    assert listing_submit(listing=listing, actor=holder_member).status == "pending_internal_approval"


def test_published_terms_never_change(holder_member, achievement):
    listing = make_listing(achievement=achievement)
    with pytest.raises(Conflict) as exc:
        listing_update(listing=listing, actor=holder_member, asking_price=Decimal("1.00"))
    assert exc.value.code == "listing_not_editable"


def test_changing_mode_starts_from_empty_terms(holder_member, achievement):
    listing = make_listing(achievement=achievement, status="draft")
    listing = listing_update(
        listing=listing, actor=holder_member, mode="fixed_price", **listing_terms("fixed_price")
    )
    listing.refresh_from_db()
    assert (listing.mode, listing.asking_price, listing.notice_days, listing.price) == (
        "fixed_price",
        None,
        None,
        Decimal("300000.00"),
    )


def test_review_refuses_an_auction_whose_start_has_passed(achievement, operator):
    listing = make_listing(achievement=achievement, mode="auction", status="pending_review")
    Listing.objects.filter(pk=listing.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(DomainError) as exc:
        listing_review(listing=listing, actor=operator, decision="approve")
    assert exc.value.code == "terms_expired" and "starts_at" in exc.value.fields
    listing.refresh_from_db()
    assert listing.status == "pending_review"


def test_one_active_listing_per_achievement(holder_member, achievement):
    make_listing(achievement=achievement)
    second = listing_create(
        actor=holder_member, achievement=achievement, mode="negotiated", rights="transfer"
    )
    with pytest.raises(Conflict) as exc:
        listing_submit(listing=second, actor=holder_member)
    assert exc.value.code == "achievement_already_listed"


# Seams towards the trade modes ----------------------------------------------------------------

PUBLISHED_SEAM_CALLS: list[int] = []


def record_published(*, listing):
    PUBLISHED_SEAM_CALLS.append(listing.pk)
    assert connection.in_atomic_block  # told inside the publishing transaction


@override_settings(MARKET_SEAMS={"listing_published": "tests.listings.test_listing_flow.record_published"})
def test_publishing_an_auction_listing_calls_the_seam(achievement):
    PUBLISHED_SEAM_CALLS.clear()
    other = make_listing(mode="negotiated")
    listing = make_listing(achievement=achievement, mode="auction")
    assert [listing.pk] == PUBLISHED_SEAM_CALLS
    assert other.pk not in PUBLISHED_SEAM_CALLS


def test_withdraw_before_engagement_and_not_after(holder_member, achievement, university):
    listing = make_listing(achievement=achievement)
    engaged = make_listing(achievement=AchievementFactory(holder=university))
    listing_mark_engaged(listing=engaged)
    with pytest.raises(Conflict) as exc:
        listing_withdraw(listing=engaged, actor=holder_member)
    assert exc.value.code == "listing_engaged"
    assert listing_withdraw(listing=listing, actor=holder_member, reason="另行转让").status == "withdrawn"
    with pytest.raises(Conflict) as exc:
        listing_mark_engaged(listing=listing)
    assert exc.value.code == "listing_not_published"


def test_take_down_is_the_operators_with_a_reason(achievement, operator, holder_member):
    listing = make_listing(achievement=achievement)
    with pytest.raises(Forbidden):
        listing_take_down(listing=listing, actor=holder_member, reason="x")
    with pytest.raises(InvalidInput):
        listing_take_down(listing=listing, actor=operator, reason="")
    listing = listing_take_down(listing=listing, actor=operator, reason="权属存在争议")
    assert listing.status == "taken_down"
    assert Notification.objects.filter(
        user=holder_member, kind="listing_taken_down", body="权属存在争议"
    ).exists()


def test_close_is_idempotent_and_only_from_published(achievement):
    listing = make_listing(achievement=achievement)
    listing_close(listing=listing, reason="成交")
    listing_close(listing=listing, reason="成交")
    assert statuses(listing)[-1] == ("published", "closed")
    assert ListingStatusChange.objects.filter(listing=listing, to_status="closed").count() == 1
    draft = make_listing(status="draft")
    with pytest.raises(Conflict):
        listing_close(listing=draft, reason="成交")


def test_platform_publishes_use_first_listing_without_actor(achievement):
    listing = listing_publish_by_platform(
        achievement=achievement,
        mode="negotiated",
        rights="use_first",
        reason="超过两年未转化，列入先用后转清单",
    )
    assert listing.status == "published" and listing.created_by is None
    changes = list(
        ListingStatusChange.objects.filter(listing=listing).values_list("to_status", "actor", "reason")
    )
    assert changes == [
        ("draft", None, "超过两年未转化，列入先用后转清单"),
        ("published", None, "超过两年未转化，列入先用后转清单"),
    ]
    with pytest.raises(Conflict):
        listing_publish_by_platform(
            achievement=achievement, mode="negotiated", rights="use_first", reason="again"
        )


@pytest.mark.django_db(transaction=True)
def test_withdraw_and_first_offer_race_one_wins(db):
    org = OrganizationFactory(kind="university")
    editor = member_of(org, Membership.Role.MEMBER)
    for _round in range(3):
        listing = make_listing(achievement=AchievementFactory(holder=org))
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def withdraw(listing=listing, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                listing_withdraw(listing=listing, actor=editor)
                outcomes["withdraw"] = "ok"
            except Conflict as exc:
                outcomes["withdraw"] = exc.code
            finally:
                connection.close()

        def engage(listing=listing, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                listing_mark_engaged(listing=listing)
                outcomes["engage"] = "ok"
            except Conflict as exc:
                outcomes["engage"] = exc.code
            finally:
                connection.close()

        threads = [threading.Thread(target=withdraw), threading.Thread(target=engage)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        listing.refresh_from_db()
        assert sorted(outcomes.values()) in (["listing_engaged", "ok"], ["listing_not_published", "ok"])
        assert (listing.status == "withdrawn") == (outcomes["withdraw"] == "ok")
        assert (listing.engaged_at is not None) == (outcomes["engage"] == "ok")


def test_review_queue_is_ordered_by_waiting_time(university, holder_member):
    drafted_first = make_listing(achievement=AchievementFactory(holder=university), status="draft")
    drafted_second = make_listing(achievement=AchievementFactory(holder=university), status="draft")
    listing_submit(listing=drafted_second, actor=holder_member)
    listing_submit(listing=drafted_first, actor=holder_member)
    assert list(listings_review_queue()) == [drafted_second, drafted_first]


def test_jieba_dictionary_is_loaded_once_per_process():
    from listings.search import tokenizer

    assert tokenizer() is tokenizer()
    assert tokenizer().initialized
