"""Demo achievements and listings of 浙江大学, 浙江工业大学 and 浙江省农业科学院, made through the real
services. Found again by patent number or (holder, title), so loading twice adds nothing.

For the apps above: ``context["achievements"][key]`` holds every demo achievement, and
``publish(context, achievement=..., mode=..., rights=..., **terms)`` takes a listing through
submission, internal approval and review to ``published`` (the auctions demo uses it for its
auction listings of the ``*_auction`` achievements, which this module leaves unlisted).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Membership, Organization, User

from .models import Achievement, Listing
from .selectors import ACTIVE_LISTING_STATUSES, HOLDER_APPROVER_ROLES, HOLDER_EDITOR_ROLES
from .services import (
    achievement_create,
    listing_create,
    listing_internal_decide,
    listing_review,
    listing_submit,
)
from .validators import patent_check_char


def patent(year: int, type_digit: str, serial: int) -> str:
    digits = f"{year}{type_digit}{serial:07d}"
    return f"{digits}.{patent_check_char(digits)}"


def _ago(years: int, days: int) -> dt.date:
    """``years`` whole years and ``days`` days before today (29 February lands on 28 February)."""
    today = timezone.localdate()
    year = today.year - years
    day = today.replace(year=year) if (today.month, today.day) != (2, 29) else dt.date(year, 2, 28)
    return day - dt.timedelta(days=days)


def achievements_spec() -> list[dict[str, Any]]:
    """The demo achievements; ``granted`` dates of the use-first ones are relative to today so the
    2- and 3-year rules always have something to show."""
    return [
        {
            "key": "zju_tea_ai",
            "org": "zju",
            "title": "一种基于人工智能的茶叶品质检测方法",
            "summary": "融合茶叶外形图像与近红外光谱特征，利用深度卷积网络对龙井、碧螺春等绿茶进行等级判定，"
            "单样检测时间小于1分钟，与专家感官审评一致率达94%。适用于茶企收购、质检机构与电商品控。",
            "field": "agriculture",
            "maturity": 6,
            "valuation": "1200000.00",
            "fiscally_funded": True,
            "funding_project_no": "2022C02SA00123",
            "inventors": [("何勇", "40"), ("刘飞", "30"), ("张初", "30")],
            "ip": [(patent(2023, "1", 1052331), "invention", dt.date(2025, 4, 8))],
        },
        {
            "key": "zju_vision",
            "org": "zju",
            "title": "基于深度学习的工业视觉缺陷检测系统",
            "summary": "面向电子元器件与汽车零部件产线的表面缺陷在线检测系统，小样本训练即可上线，"
            "漏检率低于0.1%，已在3家企业完成中试。",
            "field": "electronics",
            "maturity": 7,
            "valuation": "3000000.00",
            "fiscally_funded": False,
            "inventors": [("陈刚", "60"), ("王敏", "40")],
            "ip": [
                (patent(2022, "1", 1187604), "invention", dt.date(2025, 1, 17)),
                ("2024SR0567890", "software", dt.date(2024, 6, 3)),
            ],
        },
        {
            "key": "zju_liver_biopsy",
            "org": "zju",
            "title": "面向肝癌早筛的多组学液体活检试剂盒",
            "summary": "联合检测游离DNA甲基化与蛋白标志物，早期肝癌检出灵敏度达88%，特异性95%，"
            "已完成多中心临床样本验证。",
            "field": "biomedicine",
            "maturity": 5,
            "valuation": "8000000.00",
            "fiscally_funded": True,
            "funding_project_no": "2021YFC2500400",
            "inventors": [("梁廷波", "50"), ("白雪莉", "50")],
            "ip": [(patent(2022, "1", 1342875), "invention", dt.date(2025, 7, 22))],
        },
        {
            "key": "zju_battery_auction",
            "org": "zju",
            "title": "高安全性固态锂电池复合电解质及其制备方法",
            "summary": "以硫化物与聚合物复合构建固态电解质，室温离子电导率达3 mS/cm，针刺不起火，"
            "可与现有卷绕产线兼容。",
            "field": "new_energy",
            "maturity": 5,
            "valuation": "5000000.00",
            "fiscally_funded": True,
            "funding_project_no": "2023C01SA00456",
            "inventors": [("陆俊", "50"), ("范修林", "30"), ("姜银珠", "20")],
            "ip": [(patent(2023, "1", 1298811), "invention", dt.date(2025, 9, 12))],
        },
        {
            "key": "zju_plasma_old",
            "org": "zju",
            "title": "一种低温等离子体协同催化处理VOCs废气的装置",
            "summary": "介质阻挡放电与锰基催化剂协同，甲苯去除率达95%以上，能耗较传统催化燃烧降低40%。",
            "field": "environment",
            "maturity": 6,
            "valuation": "900000.00",
            "fiscally_funded": True,
            "funding_project_no": "2019C03G1234",
            "inventors": [("严建华", "60"), ("李晓东", "40")],
            "ip": [(patent(2020, "2", 1456702), "utility_model", _ago(3, 120))],
        },
        {
            "key": "zjut_reducer",
            "org": "zjut",
            "title": "一种高精度谐波减速器柔轮加工方法",
            "summary": "采用旋压成形与低温时效复合工艺，柔轮疲劳寿命提升2倍，传动精度优于20角秒，"
            "适用于工业机器人关节。",
            "field": "advanced_manufacturing",
            "maturity": 7,
            "valuation": "2000000.00",
            "fiscally_funded": False,
            "inventors": [("计时鸣", "50"), ("谭大鹏", "50")],
            "ip": [(patent(2022, "1", 1610459), "invention", dt.date(2024, 12, 6))],
        },
        {
            "key": "zjut_dye_water",
            "org": "zjut",
            "title": "印染废水高效脱色的催化臭氧化技术",
            "summary": "负载型铈锰催化剂强化臭氧氧化，印染废水色度去除率大于98%，COD去除率提高30%，"
            "已在绍兴柯桥印染园区示范运行。",
            "field": "environment",
            "maturity": 7,
            "valuation": "1500000.00",
            "fiscally_funded": True,
            "funding_project_no": "2022C03073",
            "inventors": [("王建国", "70"), ("郑晓玲", "30")],
            "ip": [(patent(2023, "1", 1077215), "invention", dt.date(2025, 2, 14))],
        },
        {
            "key": "zjut_weld_auction",
            "org": "zjut",
            "title": "工业机器人焊缝跟踪激光视觉传感器",
            "summary": "结构光与抗弧光滤波设计，焊缝跟踪精度0.1 mm，适配主流六轴机器人，已小批量试产。",
            "field": "advanced_manufacturing",
            "maturity": 8,
            "valuation": "2600000.00",
            "fiscally_funded": False,
            "inventors": [("张立彬", "60"), ("胥芳", "40")],
            "ip": [(patent(2021, "1", 1893340), "invention", dt.date(2024, 3, 19))],
        },
        {
            "key": "zjut_bamboo_old",
            "org": "zjut",
            "title": "一种竹纤维增强聚乳酸复合材料的制备方法",
            "summary": "以改性竹纤维增强聚乳酸，拉伸强度提高35%，可完全生物降解，适用于一次性餐具与包装。",
            "field": "new_materials",
            "maturity": 6,
            "valuation": "600000.00",
            "fiscally_funded": True,
            "funding_project_no": "LY20E030007",
            "inventors": [("郭宝华", "100")],
            "ip": [(patent(2021, "1", 1204418), "invention", _ago(2, 45))],
        },
        {
            "key": "zaas_bayberry",
            "org": "zaas",
            "title": "一种杨梅采后保鲜与冷链运输方法",
            "summary": "预冷、气调包装与壳聚糖涂膜结合，杨梅货架期由3天延长至10天，腐烂率低于5%，"
            "已在仙居、余姚产区推广。",
            "field": "agriculture",
            "maturity": 8,
            "valuation": "800000.00",
            "fiscally_funded": True,
            "funding_project_no": "2021C02001",
            "inventors": [("郜海燕", "60"), ("陈杭君", "40")],
            "ip": [(patent(2022, "1", 1005562), "invention", dt.date(2024, 10, 25))],
        },
        {
            "key": "zaas_tea_variety",
            "org": "zaas",
            "title": "高氨基酸白化茶树新品种“中黄3号”",
            "summary": "春季新梢呈金黄色，氨基酸含量达6.5%以上，适制绿茶，鲜爽度高，适宜浙江全省种植。",
            "field": "agriculture",
            "maturity": 9,
            "valuation": "1000000.00",
            "fiscally_funded": True,
            "funding_project_no": "2020C02015",
            "inventors": [("王开荣", "50"), ("李明", "50")],
            "ip": [("CNA20191004.2", "plant_variety", dt.date(2024, 8, 1))],
        },
        {
            "key": "zaas_rice_old",
            "org": "zaas",
            "title": "一种稻田甲烷减排的水肥协同管理方法",
            "summary": "干湿交替灌溉配合缓释氮肥，稻田甲烷排放减少30%，产量不降，已在嘉兴示范1万亩。",
            "field": "agriculture",
            "maturity": 7,
            "valuation": "500000.00",
            "fiscally_funded": True,
            "funding_project_no": "2018C02030",
            "inventors": [("马军伟", "50"), ("孙万春", "50")],
            "ip": [(patent(2019, "1", 1337240), "invention", _ago(3, 30))],
        },
        {
            "key": "zaas_silkworm_old",
            "org": "zaas",
            "title": "一种蚕蛹蛋白肽的酶解提取工艺",
            "summary": "复合酶分步酶解，蛋白肽得率达72%，具有降血压活性，可用于功能食品。",
            "field": "biomedicine",
            "maturity": 5,
            "valuation": "400000.00",
            "fiscally_funded": False,
            "inventors": [("吴祥庭", "100")],
            "ip": [(patent(2020, "1", 1550126), "invention", _ago(2, 200))],
        },
    ]


def _editor(org: Organization) -> User:
    membership = (
        Membership.objects.filter(organization=org, role__in=HOLDER_EDITOR_ROLES)
        .select_related("user")
        .order_by("id")
        .first()
    )
    assert membership is not None, f"demo organization {org} has no admin or member"
    return membership.user


def _approver(org: Organization) -> User | None:
    membership = (
        Membership.objects.filter(organization=org, role__in=HOLDER_APPROVER_ROLES)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def _achievement(spec: dict[str, Any], org: Organization) -> Achievement:
    numbers = [number for number, _type, _granted in spec["ip"]]
    found = (
        Achievement.objects.filter(ip__patent_no__in=numbers).first()
        or Achievement.objects.filter(holder=org, title=spec["title"]).first()
    )
    if found is not None:
        return found
    return achievement_create(
        actor=_editor(org),
        organization=org,
        title=spec["title"],
        summary=spec["summary"],
        field=spec["field"],
        kind=spec.get("kind", "applied"),
        maturity=spec["maturity"],
        valuation=Decimal(spec["valuation"]),
        fiscally_funded=spec["fiscally_funded"],
        funding_project_no=spec.get("funding_project_no", ""),
        is_service_invention=True,
        inventors=[{"name": name, "share": Decimal(share)} for name, share in spec["inventors"]],
        ip=[{"patent_no": n, "ip_type": t, "granted_on": g} for n, t, g in spec["ip"]],
    )


def _bring(listing: Listing, *, until: str, operator: User) -> Listing:
    org = listing.achievement.holder
    if listing.status == Listing.Status.DRAFT and until != Listing.Status.DRAFT:
        listing = listing_submit(listing=listing, actor=_editor(org))
    if listing.status == Listing.Status.PENDING_INTERNAL_APPROVAL and until not in (
        Listing.Status.PENDING_INTERNAL_APPROVAL,
    ):
        approver = _approver(org)
        assert approver is not None, f"{org} requires internal approval but has no approver"
        listing = listing_internal_decide(
            listing=listing,
            actor=approver,
            decision="approve",
            comment="经学校技术转移中心评估，价格合理，同意挂牌。",
        )
    if listing.status == Listing.Status.PENDING_REVIEW and until == Listing.Status.PUBLISHED:
        listing = listing_review(
            listing=listing, actor=operator, decision="approve", reason="权属清晰，材料齐全。"
        )
    return listing


def publish(
    context: dict[str, Any],
    *,
    achievement: Achievement,
    mode: str,
    rights: str,
    until: str = Listing.Status.PUBLISHED,
    **terms: Any,
) -> Listing:
    """A listing of ``achievement`` brought to ``until`` (default ``published``) through the real
    services; when the achievement already has an active listing, that one is returned unchanged."""
    existing = achievement.listings.filter(status__in=ACTIVE_LISTING_STATUSES).order_by("id").first()
    if existing is not None:
        return existing
    listing = listing_create(
        actor=_editor(achievement.holder), achievement=achievement, mode=mode, rights=rights, **terms
    )
    return _bring(listing, until=until, operator=context["operator"])


def load(context: dict[str, Any]) -> None:
    orgs: dict[str, Organization] = context["orgs"]
    achievements = {spec["key"]: _achievement(spec, orgs[spec["org"]]) for spec in achievements_spec()}
    context["achievements"] = achievements
    now = timezone.now()
    plans = [
        # key, mode, rights, terms, status to reach
        (
            "zju_tea_ai",
            "negotiated",
            "license_exclusive",
            {"asking_price": Decimal("1200000.00"), "notice_days": 15},
            "published",
        ),
        (
            "zju_vision",
            "fixed_price",
            "transfer",
            {"price": Decimal("2800000.00"), "listing_ends_at": now + dt.timedelta(days=45)},
            "published",
        ),
        (
            "zju_liver_biopsy",
            "negotiated",
            "license_exclusive",
            {"asking_price": Decimal("8000000.00"), "notice_days": 20},
            "pending_internal_approval",
        ),
        (
            "zjut_reducer",
            "fixed_price",
            "license_general",
            {"price": Decimal("500000.00"), "listing_ends_at": now + dt.timedelta(days=30)},
            "published",
        ),
        (
            "zjut_dye_water",
            "negotiated",
            "transfer",
            {"asking_price": Decimal("1500000.00"), "notice_days": 15},
            "pending_review",
        ),
        (
            "zaas_bayberry",
            "negotiated",
            "license_general",
            {"asking_price": Decimal("300000.00"), "notice_days": 20},
            "published",
        ),
        (
            "zaas_tea_variety",
            "fixed_price",
            "license_exclusive",
            {"price": Decimal("900000.00"), "listing_ends_at": now + dt.timedelta(days=60)},
            "published",
        ),
    ]
    listings: dict[str, Listing] = {}
    for key, mode, rights, terms, until in plans:
        achievement = achievements[key]
        if achievement.listings.exists():
            listings[key] = achievement.listings.order_by("-id").first()  # type: ignore[assignment]
            continue
        listings[key] = publish(
            context, achievement=achievement, mode=mode, rights=rights, until=until, **terms
        )
    context["listings"] = listings
