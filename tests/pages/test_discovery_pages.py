"""Value discovery in the browser (#15): a company posts a demand (供需荟), an operator approves it,
the company sees its matches, a university holder finds the demand among those matching its
achievement and responds, the company gives structured feedback that the holder then reads; a
company asks about a listing (在线询价) and the holder answers in public; the valuation band on the
listing; a periodic publication; a saved search. Each page is clicked through as its user would,
shot at 1366x900 and on a 390x844 phone, where nothing may scroll sideways."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from discovery.services import achievement_index_refresh, publications_publish
from marketplace.working_days import SHANGHAI
from tests.discovery.conftest import closed_deal
from tests.factories import AchievementFactory, OrganizationFactory, make_listing, member_of

pytestmark = pytest.mark.django_db(transaction=True)

TEA_TITLE = "一种基于人工智能的茶叶品质快速检测方法"


@pytest.fixture
def market(db):
    """A university's negotiated listing about tea quality, a battery achievement that must not
    match, a verified company, and closed tea deals (comparables for the band, figures for the
    publication of their month)."""
    university = OrganizationFactory(name="浙江农林大学", kind="university")
    holder = member_of(university, Membership.Role.ADMIN, username="holder", first_name="陈老师")
    tea = AchievementFactory(
        holder=university,
        title=TEA_TITLE,
        summary="利用近红外光谱与深度学习模型，对龙井茶的品质等级进行无损快速检测，检测时间小于一分钟。",
        field="agriculture",
        maturity=7,
    )
    listing = make_listing(achievement=tea, mode="negotiated", asking_price="300000.00")
    institute = OrganizationFactory(name="中科院宁波材料所", kind="institute")
    AchievementFactory(holder=institute, title="高安全性固态锂电池复合电解质", field="new_energy")
    company = OrganizationFactory(name="杭州茶香科技有限公司", kind="enterprise")
    buyer = member_of(company, Membership.Role.ADMIN, username="buyer", first_name="孙总")
    for i, price in enumerate([150000, 220000, 280000, 350000, 420000]):
        closed_deal(title=f"一种茶叶品质检测装置（{i + 1}）", price=f"{price}.00", days_ago=10 + i)
    achievement_index_refresh()  # as the beat job does every minute
    return {"holder": holder, "buyer": buyer, "listing": listing, "tea": tea}


def _on_phone(browsing: Any, user: Any, path: str, name: str) -> Any:
    """The same page on a 390 px phone: shot, and nothing wider than the screen."""
    page = browsing.page(user, phone=True)
    page.goto(path)
    page.wait_for_load_state("load")
    browsing.shot(page, f"phone-{name}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"{path} scrolls sideways on a phone ({width}px wide)"
    return page


def _path(page: Any) -> str:
    return urlsplit(page.url).path


def test_a_demand_is_posted_approved_matched_answered_and_given_feedback(browsing, market, operator):
    buyer, holder_user = market["buyer"], market["holder"]
    deadline = (dt.date.today() + dt.timedelta(days=60)).isoformat()

    # The company posts its problem.
    company = browsing.page(buyer)
    company.goto("/")
    company.get_by_role("link", name="供需荟").first.click()
    company.get_by_role("link", name="发布需求").click()
    company.get_by_label("需求名称").fill("茶叶收购分级需要快速检测茶叶品质")
    company.get_by_label("需要解决的问题").fill(
        "我们是绿茶加工企业，收购鲜叶和毛茶时靠人工评审，希望用仪器快速无损判断茶叶品质等级。"
    )
    company.get_by_label("技术领域").select_option(label="现代农业")
    company.get_by_label("期望转化方式").select_option(value="transfer")
    company.get_by_label("预算下限（元）").fill("100000")
    company.get_by_label("预算上限（元）").fill("50000")  # below the floor: refused, clearly
    company.get_by_label("截止日期").fill(deadline)
    company.get_by_label("公开企业名称").uncheck()
    company.get_by_role("button", name="提交审核").click()
    expect(company.locator(".field-error")).to_contain_text("预算上限不能低于下限")
    browsing.shot(company, "desktop-demand-form-error")
    company.get_by_label("预算上限（元）").fill("500000")
    company.get_by_role("button", name="提交审核").click()
    expect(company.locator(".messages")).to_contain_text("需求已提交，等待平台审核。")
    expect(company.locator("h1")).to_contain_text("待平台审核")
    demand_path = _path(company)
    browsing.shot(company, "desktop-demand-pending")
    _on_phone(browsing, buyer, "/demands/new/", "demand-form")

    # Not public before review.
    visitor = browsing.page()
    visitor.goto("/demands/")
    expect(visitor.get_by_text("茶叶收购分级需要快速检测茶叶品质")).to_have_count(0)

    # The operator approves it from the console.
    op = browsing.page(operator)
    op.goto("/console/")
    op.get_by_role("link", name="需求审核").first.click()
    card = op.locator("section.card", has_text="茶叶收购分级需要快速检测茶叶品质")
    expect(card).to_contain_text("杭州茶香科技有限公司")  # operators see who asks
    browsing.shot(op, "desktop-console-demand-queue")
    _on_phone(browsing, operator, "/console/demands/", "console-demand-queue")
    card.get_by_label("通过").check()
    card.get_by_role("button", name="提交结论").click()
    expect(op.locator(".messages")).to_contain_text("审核结论已提交。")
    expect(op.get_by_text("没有待审核的需求。")).to_be_visible()
    browsing.shot(op, "desktop-console-demands")

    # Public now, under an anonymous name; the company sees the matches with their reasons.
    visitor.goto("/demands/")
    visitor.get_by_label("关键词").fill("茶叶 检测")
    visitor.get_by_role("button", name="搜索").click()
    visitor.get_by_role("link", name="茶叶收购分级需要快速检测茶叶品质").click()
    expect(visitor.locator("dl.terms")).to_contain_text("匿名企业")
    expect(visitor.locator("dl.terms")).to_contain_text("¥100,000.00 – ¥500,000.00")
    expect(visitor.get_by_test_id("matches")).to_have_count(0)  # matches are the company's
    assert "杭州茶香科技有限公司" not in visitor.content()
    browsing.shot(visitor, "desktop-demand-public")

    company.reload()
    expect(company.locator("h1")).to_contain_text("已发布")
    expect(company.locator("dl.terms")).to_contain_text("其他用户看到“匿名企业”")  # told it is hidden
    matches = company.get_by_test_id("matches")
    first = matches.locator("tbody tr").first
    expect(first).to_contain_text(TEA_TITLE)
    expect(first).to_contain_text("领域相同")
    expect(first).to_contain_text("在预算内")
    expect(matches).not_to_contain_text("固态锂电池")
    browsing.shot(company, "desktop-demand-matches")
    _on_phone(browsing, buyer, demand_path, "demand-matches")

    # The holder finds the demand among those matching its achievement and responds.
    holder = browsing.page(holder_user)
    holder.goto("/")
    holder.get_by_role("link", name="需求对接").click()
    section = holder.locator("section.card", has_text=TEA_TITLE)
    expect(section).to_contain_text("匿名企业")
    browsing.shot(holder, "desktop-holder-matching-demands")
    _on_phone(browsing, holder_user, "/my/demand-responses/", "holder-matching-demands")
    section.get_by_role("link", name="茶叶收购分级需要快速检测茶叶品质").click()
    holder.get_by_label("响应成果").select_option(label=TEA_TITLE)
    holder.get_by_label("留言").fill("本成果已在三家茶企中试，欢迎来校现场考察。")
    holder.get_by_role("button", name="提交响应").click()
    expect(holder.locator(".messages")).to_contain_text("已响应该需求。")
    browsing.shot(holder, "desktop-holder-responded")

    # The company answers with structured feedback: interested, with an offer on the listing.
    company.reload()
    response = company.locator("article.card", has_text=TEA_TITLE)
    expect(response).to_contain_text("本成果已在三家茶企中试")
    response.get_by_role("button", name="发送反馈").click()  # nothing chosen: told what is missing
    response = company.locator("article.card", has_text=TEA_TITLE)
    expect(response.locator(".field-error").first).to_be_visible()
    response.get_by_label("有意向").check()
    response.get_by_label("原因").select_option(label="价格")
    response.get_by_label("说明").fill("价格合适，希望尽快洽谈。")
    response.get_by_label("报价（协议定价挂牌，可选）").fill("280000")
    browsing.shot(company, "desktop-feedback-form")
    response.get_by_role("button", name="发送反馈").click()
    expect(company.locator(".messages")).to_contain_text("反馈已发送给持有单位。")
    expect(company.locator("article.card", has_text=TEA_TITLE)).to_contain_text("价格合适")
    _on_phone(browsing, buyer, demand_path, "demand-feedback")

    # The holder reads the feedback.
    holder.goto("/my/demand-responses/")
    row = holder.locator("tbody tr", has_text="茶叶收购分级需要快速检测茶叶品质")
    expect(row).to_contain_text("有意向")
    expect(row).to_contain_text("价格")
    expect(row).to_contain_text("价格合适，希望尽快洽谈。")
    browsing.shot(holder, "desktop-holder-feedback")
    _on_phone(browsing, holder_user, "/my/demand-responses/", "holder-feedback")
    row.get_by_role("link", name="企业已报价，查看并答复").click()  # the negotiation it opened
    expect(holder.locator("main")).to_contain_text("280,000.00")
    browsing.shot(holder, "desktop-holder-offer")


def test_a_question_on_a_listing_its_answer_and_the_valuation_band(browsing, market):
    listing, buyer, holder_user = market["listing"], market["buyer"], market["holder"]

    company = browsing.page(buyer)
    company.goto(f"/listings/{listing.pk}/")
    company.get_by_role("link", name="询价与估值").click()
    band = company.get_by_test_id("valuation")
    expect(band.locator(".price")).to_contain_text(re.compile(r"¥\d{3},\d{3}\.00 – ¥\d{3},\d{3}\.00"))
    company.get_by_role("button", name="提交", exact=True).click()  # empty: told what is missing
    expect(company.locator(".field-error").first).to_be_visible()
    company.get_by_label("问题或询价").fill("该方法能否用于红茶的品质分级？检测设备的价格大约是多少？")
    company.get_by_label("类型").select_option(label="提问")
    company.get_by_role("button", name="提交", exact=True).click()
    expect(company.locator(".messages")).to_contain_text("问题已发送给持有单位。")
    expect(company.get_by_text("等待持有单位答复")).to_be_visible()
    browsing.shot(company, "desktop-question-asked")

    holder = browsing.page(holder_user)
    holder.goto(f"/listings/{listing.pk}/inquiry/")
    question = holder.locator("article.card", has_text="红茶")
    question.get_by_label("回答").fill("可以，红茶模型已完成标定；检测设备约 8 万元。")
    question.get_by_role("button", name="回答").click()
    expect(holder.locator(".messages")).to_contain_text("回答已发布。")
    expect(holder.get_by_test_id("completeness")).to_contain_text("/100")
    expect(holder.get_by_role("link", name="完善成果信息")).to_be_visible()
    browsing.shot(holder, "desktop-holder-answered")
    _on_phone(browsing, holder_user, f"/listings/{listing.pk}/inquiry/", "holder-inquiry")

    # Everyone sees the public answer, the holder's responsiveness and the band with its method.
    visitor = browsing.page()
    visitor.goto(f"/listings/{listing.pk}/inquiry/")
    expect(visitor.locator("article.card", has_text="红茶")).to_contain_text("检测设备约 8 万元")
    expect(visitor.get_by_text("后可提问或询价")).to_be_visible()  # how a visitor gets to ask
    expect(visitor.get_by_test_id("responsiveness")).to_contain_text("答复率 100")
    band = visitor.get_by_test_id("valuation")
    band.get_by_text("估值方法与可比案例").click()
    expect(band).to_contain_text("可比成交法")
    expect(band.locator("tbody tr")).to_have_count(5)
    expect(band.locator("tbody")).to_contain_text("现代农业")  # the field's name, not its code
    expect(visitor.get_by_test_id("completeness")).to_have_count(0)  # the holder's only
    browsing.shot(visitor, "desktop-valuation-band")
    _on_phone(browsing, None, f"/listings/{listing.pk}/inquiry/", "valuation-band").get_by_text(
        "估值方法与可比案例"
    ).click()


def test_a_publication_page_and_a_saved_search(browsing, market):
    buyer = market["buyer"]
    month = (dt.datetime.now(SHANGHAI) - dt.timedelta(days=10)).date().replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    publications_publish(today=following)  # the scheduled job, the month after the deals

    visitor = browsing.page()
    visitor.goto("/")
    visitor.get_by_role("link", name="成果月报").first.click()
    visitor.get_by_role("link", name=f"成果月报 {month:%Y-%m}").click()
    expect(visitor.locator("h1")).to_contain_text(f"{month:%Y-%m-%d}")
    expect(visitor.get_by_test_id("bar-chart").first).to_be_visible()
    expect(visitor.get_by_test_id("bar-chart").first).to_have_attribute("aria-label", "各领域新增挂牌")
    expect(visitor.locator("ol")).to_contain_text("一种茶叶品质检测装置")
    csv = visitor.request.get(visitor.get_by_role("link", name="CSV").get_attribute("href"))
    assert csv.status == 200
    path = _path(visitor)
    browsing.shot(visitor, "desktop-publication")
    _on_phone(browsing, None, path, "publication")
    _on_phone(browsing, None, "/publications/", "publications")

    # A company saves a search of the demands, from the demands' page.
    company = browsing.page(buyer)
    company.goto("/demands/")
    company.get_by_role("link", name="订阅需求推送").click()
    company.get_by_label("订阅对象").select_option(value="demands")
    company.get_by_label("关键词").fill("茶叶 检测")
    company.get_by_label("技术领域").select_option(label="现代农业")
    company.get_by_label("交易方式").select_option(value="auction")  # not for demands: refused
    company.get_by_role("button", name="订阅").click()
    expect(company.locator(".field-error")).to_contain_text("技术需求没有交易方式")
    browsing.shot(company, "desktop-subscription-error")
    company.get_by_label("交易方式").select_option(value="")
    company.get_by_role("button", name="订阅").click()
    expect(company.locator(".messages")).to_contain_text("订阅成功")
    saved = company.get_by_test_id("subscriptions")
    expect(saved).to_contain_text("关键词：茶叶 检测")
    expect(saved).to_contain_text("领域：现代农业")
    browsing.shot(company, "desktop-subscriptions")
    _on_phone(browsing, buyer, "/my/subscriptions/", "subscriptions")
    _on_phone(browsing, buyer, "/demands/", "demands")
    saved.get_by_role("button", name="取消订阅").click()
    expect(company.locator(".messages")).to_contain_text("订阅已取消。")
    expect(company.get_by_test_id("subscriptions")).to_contain_text("暂无订阅")
