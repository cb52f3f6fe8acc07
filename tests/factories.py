"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import itertools

import factory

from accounts.models import Membership, Organization, User
from accounts.validators import credit_code_check_char

_serial = itertools.count(1)


def make_credit_code() -> str:
    """A fresh, valid unified social credit code."""
    first17 = f"91330100MA{next(_serial):07d}"
    return first17 + credit_code_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = Organization.Kind.ENTERPRISE
    credit_code = factory.LazyFunction(make_credit_code)
    status = Organization.Status.VERIFIED
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.ADMIN


def member_of(organization: Organization, role: str = Membership.Role.ADMIN, **user_kwargs) -> User:
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


# Listings -------------------------------------------------------------------------------------

_patent_serial = itertools.count(1)


def make_patent_no(type_digit: str = "1", year: int = 2021) -> str:
    """A fresh, valid Chinese application number (check digit computed), e.g. ``202110000001.4``."""
    from listings.validators import patent_check_char

    digits = f"{year}{type_digit}{next(_patent_serial):07d}"
    return f"{digits}.{patent_check_char(digits)}"


class AchievementFactory(factory.django.DjangoModelFactory):
    """An achievement row without going through the service (for reads); use
    ``achievement_create`` when the rules themselves are under test."""

    class Meta:
        model = "listings.Achievement"

    holder = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.UNIVERSITY)
    title = factory.Sequence(lambda n: f"一种高效稳定的钙钛矿太阳能电池制备方法（{n}）")
    summary = "本成果提出一种低温溶液法制备钙钛矿薄膜的工艺，光电转换效率达到23%，适合规模化生产。"
    field = "new_energy"
    kind = "applied"
    maturity = 6
    fiscally_funded = False
    is_service_invention = True
    created_by = factory.SubFactory(UserFactory)


def listing_terms(mode: str, **overrides):
    """Valid terms for ``mode``, with times in the future."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    now = timezone.now()
    terms = {
        "negotiated": {"asking_price": Decimal("500000.00"), "notice_days": 15},
        "fixed_price": {"price": Decimal("300000.00"), "listing_ends_at": now + timedelta(days=30)},
        "auction": {
            "start_price": Decimal("100000.00"),
            "increment": Decimal("5000.00"),
            "reserve_price": Decimal("150000.00"),
            "deposit": Decimal("20000.00"),
            "starts_at": now + timedelta(days=1),
            "ends_at": now + timedelta(days=1, hours=2),
        },
    }[mode]
    terms.update(overrides)
    return terms


def make_listing(
    *,
    achievement=None,
    mode: str = "negotiated",
    rights: str = "transfer",
    status: str = "published",
    **terms,
):
    """A listing brought to ``status`` (draft, pending_internal_approval, pending_review, published)
    through the real listing services, by a holder member and, where needed, an approver and an
    operator made for the purpose. Other apps' tests use this to get a published listing."""
    from listings import services

    if achievement is None:
        achievement = AchievementFactory()
    editor = member_of(achievement.holder, Membership.Role.MEMBER)
    listing = services.listing_create(
        actor=editor, achievement=achievement, mode=mode, rights=rights, **listing_terms(mode, **terms)
    )
    if status == "draft":
        return listing
    listing = services.listing_submit(listing=listing, actor=editor)
    if listing.status == "pending_internal_approval" and status != "pending_internal_approval":
        approver = member_of(achievement.holder, Membership.Role.APPROVER)
        listing = services.listing_internal_decide(
            listing=listing, actor=approver, decision="approve", comment="同意"
        )
    if status in ("pending_review", "pending_internal_approval"):
        return listing
    operator = UserFactory(is_staff=True, is_superuser=True)
    return services.listing_review(listing=listing, actor=operator, decision="approve", reason="")


# --- auctions ---------------------------------------------------------------------------------


def open_auction(
    holder: Organization | None = None,
    *,
    start_price: str = "1000.00",
    increment: str = "100.00",
    reserve_price: str | None = None,
    deposit: str = "0.00",
    starts_in: float = -60,
    ends_in: float = 3600,
    extension_seconds: int = 300,
    started: bool = False,
):
    """An auction opened the real way: an auction listing published by an operator, which the
    ``listing_published`` seam turns into an auction. Listings must start in the future, so the
    times (seconds from now; by default started a minute ago) are then set on the rows, as if the
    clock had moved on. It stays ``scheduled`` as if its start task were late (the engine starts it
    at the first bid), unless ``started``: then the start task has run."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from auctions.models import Auction
    from listings.models import Listing

    achievement = AchievementFactory(**({"holder": holder} if holder is not None else {}))
    listing = make_listing(
        achievement=achievement,
        mode="auction",
        start_price=Decimal(start_price),
        increment=Decimal(increment),
        reserve_price=Decimal(reserve_price) if reserve_price else None,
        deposit=Decimal(deposit),
        extension_seconds=extension_seconds,
    )
    now = timezone.now()
    times = {"starts_at": now + timedelta(seconds=starts_in), "ends_at": now + timedelta(seconds=ends_in)}
    Listing.objects.filter(pk=listing.pk).update(**times)
    Auction.objects.filter(listing=listing).update(scheduled_ends_at=times["ends_at"], **times)
    auction = Auction.objects.get(listing=listing)
    if started:
        from auctions.services import auction_start

        auction = auction_start(auction_id=auction.pk)
    return auction


def registered_bidder(auction, organization: Organization | None = None, *, frozen: bool = True):
    """A verified company's member, registered for ``auction``; with ``frozen`` its deposit is paid
    the real way (a finance operator confirms the bank transfer), so it is frozen in escrow."""
    from auctions.services import registration_create

    organization = organization or OrganizationFactory()
    user = member_of(organization)
    registration = registration_create(auction_id=auction.pk, actor=user)
    if frozen and registration.payment.deposit_status != "frozen":
        pay_deposit(registration)
    return user, registration


def pay_deposit(registration) -> None:
    """A finance operator confirms the deposit transfer of a registration (or of anything else that
    holds its deposit as ``payment``: a best offer, a runner-up offer): it is frozen in escrow."""
    from django.contrib.auth.models import Permission

    from marketplace.services import payable_confirm

    finance = UserFactory(is_staff=True)
    finance.user_permissions.add(
        Permission.objects.get(content_type__app_label="accounts", codename="finance")
    )
    payable_confirm(
        payable=registration.payment,
        actor=finance,
        note="银行到账确认",
        bank_transaction_id=f"BANK-{registration.payment.payment_reference}",
    )
    registration.payment.refresh_from_db()


# --- brokers ----------------------------------------------------------------------------------

_certificate_serial = itertools.count(1)


def broker_profile(
    organization: Organization | None = None, *, name: str = "李经理", fields=("electronics",)
):
    """A broker (技术经理人) acting for ``organization`` (a new service agency by default), through
    the real service."""
    from marketplace.services.brokers import broker_profile_save

    organization = organization or OrganizationFactory(kind=Organization.Kind.AGENCY)
    user = member_of(organization, Membership.Role.BROKER, first_name=name)
    profile, _created = broker_profile_save(
        actor=user,
        organization=organization,
        name=name,
        certificate_no=f"JSJLR{next(_certificate_serial):06d}",
        fields=list(fields),
    )
    return profile


def broker_mandate(listing, broker=None, *, rate: str = "0.0800", days: int = 30):
    """The listing's holder mandates ``broker`` (a new one by default) through the real service."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from marketplace.services.brokers import mandate_give

    broker = broker or broker_profile()
    holder_member = member_of(listing.achievement.holder, Membership.Role.MEMBER)
    return mandate_give(
        listing=listing,
        actor=holder_member,
        broker=broker,
        commission_rate=Decimal(rate),
        ends_on=timezone.localdate() + timedelta(days=days),
    )
