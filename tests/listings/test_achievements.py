"""Achievements: who may record them, patent numbers, inventors' shares, the conversion status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Membership, Organization
from core.errors import Conflict, Forbidden, InvalidInput
from listings.models import Achievement, AchievementConversionChange, IntellectualProperty
from listings.services import achievement_create, achievement_set_conversion, achievement_update
from listings.validators import patent_check_char, patent_no_normalize
from tests.factories import OrganizationFactory, make_listing, make_patent_no, member_of

pytestmark = pytest.mark.django_db


def data(**overrides):
    base = {
        "title": "一种基于人工智能的茶叶品质检测方法",
        "summary": "利用深度学习对茶叶图像与近红外光谱进行融合分析，快速判定茶叶等级。",
        "field": "agriculture",
        "kind": "applied",
        "maturity": 6,
        "valuation": Decimal("800000.00"),
        "fiscally_funded": True,
        "is_service_invention": True,
        "inventors": [{"name": "张三", "share": Decimal("60")}, {"name": "李四", "share": Decimal("40")}],
        "ip": [
            {"patent_no": "ZL202110123456.7", "ip_type": "invention", "granted_on": dt.date(2022, 3, 1)},
            {
                "patent_no": make_patent_no("2", 2020),
                "ip_type": "utility_model",
                "granted_on": dt.date(2021, 5, 10),
            },
        ],
    }
    base.update(overrides)
    return base


# Patent numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["202110123456.7", "ZL202110123456.7", "CN202110123456.7", "2021101234567", "zl 2021 1012 3456.7"],
)
def test_patent_numbers_are_accepted_in_every_usual_spelling_and_stored_plain(raw):
    assert patent_no_normalize(raw, ip_type="invention") == ("202110123456.7", None)


def test_check_digit_follows_the_cnipa_weights_and_ten_is_x():
    # 2*2+0*3+2*4+1*5+1*6+0*7+1*8+2*9+3*2+4*3+5*4+6*5 = 117, 117 mod 11 = 7
    assert patent_check_char("202110123456") == "7"
    # the old 8-digit numbers use the first eight weights
    assert patent_check_char("98123456") == str(
        (9 * 2 + 8 * 3 + 1 * 4 + 2 * 5 + 3 * 6 + 4 * 7 + 5 * 8 + 6 * 9) % 11
    )
    ten = next(f"20211{n:07d}" for n in range(1000) if patent_check_char(f"20211{n:07d}") == "X")
    assert patent_no_normalize(f"{ten}.X")[1] is None
    assert patent_no_normalize(f"{ten}.x")[1] is None


@pytest.mark.parametrize(
    "raw",
    ["202110123456.8", "20211012345.7", "2021101234567890", "ZX202110123456.7", "", "abc", "199810123456.5"],
)
def test_wrong_patent_numbers_are_refused(raw):
    assert patent_no_normalize(raw)[1] is not None


def test_type_digit_must_fit_the_ip_type():
    design = make_patent_no("3")
    assert patent_no_normalize(design, ip_type="design")[1] is None
    assert patent_no_normalize(design, ip_type="invention")[1] == "申请号的类型位与知识产权类型不符。"


# Creating -------------------------------------------------------------------------------------


def test_holder_member_records_an_achievement_with_patents(holder_member, university):
    achievement = achievement_create(actor=holder_member, **data())
    assert achievement.holder == university
    assert [i.patent_no for i in achievement.ip.all()] == [
        "202110123456.7",
        achievement.ip.all()[1].patent_no,
    ]
    assert achievement.first_granted_on == dt.date(2021, 5, 10)
    assert achievement.conversion_deadline == dt.date(2023, 5, 10)
    assert [(i.name, i.share) for i in achievement.inventors.all()] == [
        ("张三", Decimal("60.00")),
        ("李四", Decimal("40.00")),
    ]


def test_conversion_deadline_of_a_29_february_grant_is_28_february(holder_member):
    # The rule itself is conversion.rules' (tests/conversion/test_clock.py); the achievement stores
    # what the conversion app computes when its grant date is set (the achievement_granted seam).
    spec = data()
    spec["ip"] = [{**spec["ip"][0], "granted_on": dt.date(2024, 2, 29)}]
    achievement = achievement_create(actor=holder_member, **spec)
    assert achievement.conversion_deadline == dt.date(2026, 2, 28)
    assert achievement.free_license_date == dt.date(2027, 3, 1)
    assert Achievement(first_granted_on=None).conversion_deadline is None


def test_an_explicit_organization_must_be_the_callers(holder_member, company):
    with pytest.raises(Forbidden) as exc:
        achievement_create(actor=holder_member, organization=company, **data())
    assert exc.value.code == "not_a_member"
    assert not Achievement.objects.exists()


def test_unverified_organization_may_not_record(db):
    org = OrganizationFactory(status=Organization.Status.PENDING, kind="university")
    user = member_of(org, Membership.Role.MEMBER)
    with pytest.raises(Forbidden) as exc:
        achievement_create(actor=user, **data())
    assert exc.value.code == "organization_not_verified"


def test_approver_prepares_nothing(university):
    approver = member_of(university, Membership.Role.APPROVER)
    with pytest.raises(Forbidden) as exc:
        achievement_create(actor=approver, **data())
    assert exc.value.code == "role_not_allowed"


def test_wrong_check_digit_is_invalid_patent_no_with_the_field(holder_member):
    with pytest.raises(InvalidInput) as exc:
        achievement_create(
            actor=holder_member,
            **data(ip=[{"patent_no": "202110123456.8", "ip_type": "invention", "granted_on": None}]),
        )
    assert exc.value.code == "invalid_patent_no"
    assert exc.value.fields == {"ip": [{"patent_no": ["申请号校验位不正确。"]}]}
    assert not Achievement.objects.exists() and not IntellectualProperty.objects.exists()


@pytest.mark.parametrize(
    "inventors, message",
    [
        ([{"name": "张三", "share": Decimal("60")}, {"name": "李四", "share": Decimal("41")}], "合计"),
        ([{"name": "张三", "share": Decimal("0")}], "大于零"),
        ([{"name": "张三", "share": Decimal("-5")}], "大于零"),
        ([{"name": "张三", "share": Decimal("10.005")}], "两位小数"),
        ([{"name": "", "share": Decimal("10")}], "必填"),
    ],
)
def test_inventor_shares_are_positive_and_total_at_most_100(holder_member, inventors, message):
    with pytest.raises(InvalidInput) as exc:
        achievement_create(actor=holder_member, **data(inventors=inventors))
    assert exc.value.code == "invalid_achievement"
    assert message in str(exc.value.fields["inventors"])
    assert not Achievement.objects.exists()


def test_a_patent_belongs_to_one_achievement(holder_member):
    achievement_create(actor=holder_member, **data())
    with pytest.raises(Conflict) as exc:
        achievement_create(actor=holder_member, **data(title="另一个成果"))
    assert exc.value.code == "patent_already_registered"
    assert Achievement.objects.count() == 1


def test_update_replaces_rights_and_moves_the_clock(holder_member):
    achievement = achievement_create(actor=holder_member, **data())
    number = make_patent_no("1", 2019)
    achievement = achievement_update(
        achievement=achievement,
        actor=holder_member,
        title="新的标题",
        ip=[{"patent_no": number, "ip_type": "invention", "granted_on": dt.date(2020, 1, 2)}],
    )
    achievement.refresh_from_db()
    assert achievement.title == "新的标题"
    assert list(achievement.ip.values_list("patent_no", flat=True)) == [number]
    assert achievement.first_granted_on == dt.date(2020, 1, 2)


def test_update_by_another_organization_is_refused(holder_member, buyer):
    achievement = achievement_create(actor=holder_member, **data())
    with pytest.raises(Forbidden):
        achievement_update(achievement=achievement, actor=buyer, title="抢占")
    achievement.refresh_from_db()
    assert achievement.title == "一种基于人工智能的茶叶品质检测方法"


def test_update_while_listed_is_refused(holder_member, university):
    achievement = achievement_create(actor=holder_member, **data(fiscally_funded=False))
    make_listing(achievement=achievement)
    with pytest.raises(Conflict) as exc:
        achievement_update(achievement=achievement, actor=holder_member, title="改名")
    assert exc.value.code == "achievement_listed"


# Conversion status ----------------------------------------------------------------------------


def test_conversion_moves_are_recorded_and_repeats_are_harmless(holder_member):
    achievement = achievement_create(actor=holder_member, **data())
    achievement_set_conversion(achievement=achievement, status="converting")
    achievement = achievement_set_conversion(achievement=achievement, status="converted", method="transfer")
    assert achievement.conversion_status == "converted" and achievement.converted_at is not None
    achievement_set_conversion(achievement=achievement, status="converted", method="transfer")
    achievement = achievement_set_conversion(achievement=achievement, status="unconverted", reason="买方违约")
    assert (achievement.conversion_status, achievement.conversion_method, achievement.converted_at) == (
        "unconverted",
        "",
        None,
    )
    moves = list(
        AchievementConversionChange.objects.values_list("from_status", "to_status", "method", "reason")
    )
    assert moves == [
        ("unconverted", "converting", "", ""),
        ("converting", "converted", "transfer", ""),
        ("converted", "unconverted", "", "买方违约"),
    ]


def test_converted_needs_a_method_and_the_table_refuses_the_rest(holder_member):
    achievement = achievement_create(actor=holder_member, **data())
    with pytest.raises(InvalidInput):
        achievement_set_conversion(achievement=achievement, status="converted")
    achievement_set_conversion(achievement=achievement, status="converted", method="license_general")
    with pytest.raises(Conflict):
        achievement_set_conversion(achievement=achievement, status="converting")
    assert AchievementConversionChange.objects.count() == 1


def test_a_refused_update_changes_nothing(holder_member):
    achievement = achievement_create(actor=holder_member, **data())
    before = list(achievement.ip.values_list("patent_no", "granted_on"))
    with pytest.raises(InvalidInput) as exc:
        achievement_update(
            achievement=achievement,
            actor=holder_member,
            title="新标题",
            ip=[{"patent_no": "202110123456.8", "ip_type": "invention", "granted_on": None}],
        )
    assert exc.value.code == "invalid_patent_no"
    achievement.refresh_from_db()
    assert achievement.title == "一种基于人工智能的茶叶品质检测方法"
    assert list(achievement.ip.values_list("patent_no", "granted_on")) == before
