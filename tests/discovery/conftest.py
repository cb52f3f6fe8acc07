from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Membership, Organization
from discovery.services import achievement_index_refresh, demand_create, demand_review
from tests.factories import AchievementFactory, OrganizationFactory, make_listing, member_of


@pytest.fixture
def tea(university):
    """A university's published negotiated listing about tea quality detection."""
    achievement = AchievementFactory(
        holder=university,
        title="一种基于人工智能的茶叶品质快速检测方法",
        summary="利用近红外光谱与深度学习模型，对龙井茶的品质等级进行无损快速检测，检测时间小于一分钟。",
        field="agriculture",
        maturity=7,
    )
    return make_listing(achievement=achievement, mode="negotiated", asking_price="300000.00")


@pytest.fixture
def battery(db):
    institute = OrganizationFactory(name="中科院宁波材料所", kind=Organization.Kind.INSTITUTE)
    return AchievementFactory(
        holder=institute,
        title="高安全性固态锂电池复合电解质",
        summary="复合固态电解质提高锂电池安全性与能量密度。",
        field="new_energy",
        maturity=5,
    )


def post_demand(user, **overrides):
    data = {
        "title": "茶叶品质快速检测技术需求",
        "description": "我公司是茶叶加工企业，需要一种快速无损的茶叶品质检测方法，用于收购环节分级。",
        "field": "agriculture",
        "rights": "transfer",
        "deadline": dt.date.today() + dt.timedelta(days=60),
        "budget_min": "100000.00",
        "budget_max": "500000.00",
        "public_name": True,
    }
    data.update(overrides)
    from decimal import Decimal

    for key in ("budget_min", "budget_max"):
        if isinstance(data.get(key), str):
            data[key] = Decimal(data[key])
    return demand_create(actor=user, **data)


@pytest.fixture
def published_demand(buyer, operator):
    demand = post_demand(buyer)
    return demand_review(demand=demand, actor=operator, decision="approve")


@pytest.fixture
def indexed():
    def run():
        return achievement_index_refresh()

    return run


@pytest.fixture
def expert_user(db):
    return member_of(OrganizationFactory(name="浙江工业大学", kind="university"), Membership.Role.MEMBER)


def closed_deal(
    *,
    title: str,
    summary: str = "",
    field: str = "agriculture",
    rights: str = "transfer",
    price: str = "300000.00",
    days_ago: int = 30,
    buyer=None,
):
    """A concluded, paid deal with its published result, ``days_ago`` days back (the deal and its
    result are made by the marketplace's own services; only the dates are moved back)."""
    from decimal import Decimal

    from django.utils import timezone

    from marketplace.models import Deal, Result
    from marketplace.services import deal_conclude, result_publish

    achievement = AchievementFactory(title=title, summary=summary or title, field=field)
    listing = make_listing(achievement=achievement, mode="negotiated", rights=rights)
    buyer = buyer or OrganizationFactory(kind="enterprise")
    deal = deal_conclude(listing=listing, buyer=buyer, price=Decimal(price), mode="negotiated")
    when = timezone.now() - dt.timedelta(days=days_ago)
    Deal.objects.filter(pk=deal.pk).update(
        concluded_at=when, payment_due_at=when + dt.timedelta(days=14), status=Deal.Status.PAID
    )
    result = result_publish(deal=Deal.objects.get(pk=deal.pk))
    Result.objects.filter(pk=result.pk).update(concluded_at=when)
    deal.refresh_from_db()
    return deal
