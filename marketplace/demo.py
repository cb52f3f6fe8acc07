"""Demo deals, money and results, made through the real services (loading twice adds nothing:
achievements are found by holder and title, deals by listing, payments by bank transaction id).

- 浙江工业大学's motor-control patent sold at the listed price to 杭州海康智能科技, paid through the
  bank, contract registered and settled (fee, inventors, broker, holder);
- 浙江大学's nanofiltration membrane agreed by negotiation with 浙江茶研科技 after its public
  notice, paid, waiting for the contract registration;
- 浙江省农业科学院's rice cultivation technique sold to 宁波医械创新, part paid;
- an offer with a counter-offer open on 浙江大学's tea-quality listing, and a public notice running
  on 浙江省农业科学院's bayberry listing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Organization, User
from listings.demo import patent, publish
from listings.models import Achievement, Listing
from listings.services import achievement_create

from .models import Deal, Offer, PublicNotice, SettlementPolicy
from .services import deal_conclude
from .services.confirmation import deal_confirmation_sign
from .services.negotiation import notice_conclude, offer_accept, offer_counter, offer_make
from .services.payments import payment_receive
from .services.settlement import deal_register_contract

SOLD = [
    {
        "key": "zjut_motor",
        "org": "zjut",
        "title": "一种永磁同步电机无位置传感器控制方法",
        "summary": "基于高频注入与滑模观测器的复合估算，实现零速至额定转速全范围无位置传感器运行，"
        "降低电机驱动系统成本约15%，已在空压机与电动叉车驱动器上完成样机验证。",
        "field": "advanced_manufacturing",
        "inventors": [("王建国", "50"), ("徐敏", "30"), ("陆晓东", "20")],
        "ip": [(patent(2022, "1", 1187342), "invention", dt.date(2024, 6, 18))],
        "mode": "fixed_price",
        "rights": "transfer",
        "price": "680000.00",
        "buyer": "hikon",
    },
    {
        "key": "zju_membrane",
        "org": "zju",
        "title": "一种用于印染废水处理的复合纳滤膜及其制备方法",
        "summary": "以界面聚合法制备聚酰胺/氧化石墨烯复合纳滤膜，对活性染料截留率大于99%，"
        "通量较商用膜提高40%，可用于绍兴、萧山印染园区的废水回用。",
        "field": "environment",
        "inventors": [("朱宝库", "60"), ("方立峰", "40")],
        "ip": [(patent(2021, "1", 1342875), "invention", dt.date(2023, 11, 3))],
        "mode": "negotiated",
        "rights": "license_exclusive",
        "price": "1650000.00",
        "buyer": "tea",
    },
    {
        "key": "zaas_rice",
        "org": "zaas",
        "title": "水稻“浙粳优1号”机插秧高产栽培技术",
        "summary": "集成机插秧壮秧培育、精准施肥与病虫害绿色防控，示范区亩产较常规栽培增产8.6%，"
        "适合杭嘉湖平原单季晚稻种植。",
        "field": "agriculture",
        "inventors": [("孙宗修", "60"), ("俞晓平", "40")],
        "ip": [(patent(2022, "1", 1295512), "invention", dt.date(2024, 3, 12))],
        "mode": "fixed_price",
        "rights": "license_general",
        "price": "260000.00",
        "buyer": "medi",
    },
]


def _achievement(spec: dict[str, Any], org: Organization, actor: User) -> Achievement:
    found = Achievement.objects.filter(holder=org, title=spec["title"]).first()
    if found is not None:
        return found
    return achievement_create(
        actor=actor,
        organization=org,
        title=spec["title"],
        summary=spec["summary"],
        field=spec["field"],
        kind="applied",
        maturity=7,
        valuation=Decimal(spec["price"]),
        fiscally_funded=True,
        funding_project_no="2021C03SA0" + spec["key"][-3:].upper(),
        is_service_invention=True,
        inventors=[{"name": n, "share": Decimal(s)} for n, s in spec["inventors"]],
        ip=[{"patent_no": n, "ip_type": t, "granted_on": g} for n, t, g in spec["ip"]],
    )


def _admin_of(context: dict[str, Any], org_key: str) -> User:
    return context["users"][f"{org_key}_admin"]


def _buyer_user(context: dict[str, Any], org_key: str) -> User:
    return context["users"][f"{org_key}_buyer"]


def _pay(deal: Deal, *, amount: Decimal | None = None, txn: str) -> None:
    payment = deal.payment
    assert payment is not None
    payment_receive(
        bank_transaction_id=txn,
        reference=payment.payment_reference,
        amount=amount if amount is not None else payment.amount,
        payer_name=deal.buyer.name,
        payer_account="3301 0400 0000 " + str(deal.buyer_id).zfill(4),
    )
    deal.refresh_from_db()


def _sold(context: dict[str, Any], spec: dict[str, Any]) -> Deal:
    orgs = context["orgs"]
    holder, buyer = orgs[spec["org"]], orgs[spec["buyer"]]
    achievement = _achievement(spec, holder, _admin_of(context, spec["org"]))
    deal = Deal.objects.filter(listing__achievement=achievement).exclude(status=Deal.Status.DEFAULTED).first()
    if deal is not None:
        return deal
    now = timezone.now()
    terms: dict[str, Any]
    if spec["mode"] == "fixed_price":
        terms = {"price": Decimal(spec["price"]), "listing_ends_at": now + dt.timedelta(days=30)}
    else:
        terms = {"asking_price": Decimal(spec["price"]), "notice_days": 15}
    listing = publish(context, achievement=achievement, mode=spec["mode"], rights=spec["rights"], **terms)
    if spec["mode"] == "negotiated":
        offer = offer_make(
            listing=listing,
            actor=_buyer_user(context, spec["buyer"]),
            amount=Decimal(spec["price"]),
            message="按挂牌意向价受让",
        )
        notice = offer_accept(offer=offer, actor=_admin_of(context, spec["org"]))
        # As if the fifteen days of notice had passed without objection.
        PublicNotice.objects.filter(pk=notice.pk).update(
            starts_at=notice.starts_at - dt.timedelta(days=16),
            ends_at=notice.starts_at - dt.timedelta(days=1),
        )
        notice = notice_conclude(notice=notice)
        assert notice.deal is not None
        return notice.deal
    return deal_conclude(listing=listing, buyer=buyer, price=Decimal(spec["price"]), mode=spec["mode"])


def load(context: dict[str, Any]) -> None:
    orgs: dict[str, Organization] = context["orgs"]
    SettlementPolicy.objects.get_or_create(
        organization=orgs["zjut"],
        defaults={"inventors_share": Decimal("0.7000"), "broker_share": Decimal("0.0500")},
    )
    motor, membrane, rice = (_sold(context, spec) for spec in SOLD)
    if motor.status == Deal.Status.AWAITING_PAYMENT:
        _pay(motor, txn="DEMO-ICBC-20261103-0001")
    if motor.status == Deal.Status.PAID:
        # Both sign the 成交确认书 first: the registration and the settlement wait for it.
        for side, actor in (
            ("buyer", _buyer_user(context, str(SOLD[0]["buyer"]))),
            ("seller", _admin_of(context, "zjut")),
        ):
            if getattr(motor.confirmation, f"{side}_signed_at") is None:
                deal_confirmation_sign(deal=motor, actor=actor)
        year = timezone.localtime(motor.concluded_at).year
        deal_register_contract(
            deal=motor, actor=_admin_of(context, "zjut"), contract_registration_no=f"{year}330105023561"
        )
    if membrane.status == Deal.Status.AWAITING_PAYMENT:
        _pay(membrane, txn="DEMO-ABC-20261110-0042")
    if rice.status == Deal.Status.AWAITING_PAYMENT and rice.payment and rice.payment.amount_paid == 0:
        _pay(rice, amount=Decimal("100000.00"), txn="DEMO-CCB-20261115-0007")

    listings: dict[str, Listing] = context.get("listings", {})
    tea = listings.get("zju_tea_ai")
    if (
        tea is not None
        and tea.status == Listing.Status.PUBLISHED
        and not Offer.objects.filter(listing=tea).exists()
    ):
        offer = offer_make(
            listing=tea,
            actor=_buyer_user(context, "tea"),
            amount=Decimal("950000.00"),
            message="希望获得独占许可，可一次性付款。",
        )
        offer_counter(
            offer=offer,
            actor=_admin_of(context, "zju"),
            amount=Decimal("1100000.00"),
            message="含一年技术服务与人员培训。",
        )
    bayberry = listings.get("zaas_bayberry")
    if (
        bayberry is not None
        and bayberry.status == Listing.Status.PUBLISHED
        and not PublicNotice.objects.filter(listing=bayberry).exists()
    ):
        offer = offer_make(
            listing=bayberry,
            actor=_buyer_user(context, "hikon"),
            amount=Decimal("280000.00"),
            message="用于杨梅保鲜冷链项目",
        )
        offer_accept(offer=offer, actor=_admin_of(context, "zaas"))
