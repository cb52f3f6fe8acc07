"""风险预警 in the browser (#16 part 6): two bidders register from one address; the scan raises an
alert; the operator finds it from the console's tile, reads the rule and its evidence, puts it under
investigation with a reason, then records what was done."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from auctions.services import registration_create
from portal.risk import risk_scan
from tests.factories import OrganizationFactory, member_of, open_auction

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_decides_on_a_risk_alert(browsing, operator):
    auction = open_auction(started=True)
    for name in ("杭州甲科技有限公司", "杭州乙科技有限公司"):
        registration_create(
            auction_id=auction.pk, actor=member_of(OrganizationFactory(name=name)), address="198.51.100.23"
        )
    assert [a.rule for a in risk_scan()] == ["shared_address"]

    ops = browsing.page(operator)
    ops.goto("/console/")
    ops.get_by_role("link", name="风险预警").first.click()
    table = ops.get_by_test_id("risk-alerts")
    expect(table).to_contain_text("竞买人从同一地址登记")
    expect(table).to_contain_text("198.51.100.23")
    expect(table).to_contain_text("杭州乙科技有限公司")
    ops.get_by_label("结论").select_option("investigate")
    ops.get_by_role("button", name="记录结论").click()
    expect(ops.locator(".messages")).to_contain_text("请填写理由")
    ops.goto("/console/risk-alerts/?status=open")
    ops.get_by_label("结论").select_option("investigate")
    ops.get_by_label("理由").fill("核查两家机构的登记记录")
    ops.get_by_role("button", name="记录结论").click()
    expect(ops.locator(".messages")).to_contain_text("已记录处理结论")
    ops.goto("/console/risk-alerts/?status=investigating")
    expect(ops.get_by_test_id("risk-alerts")).to_contain_text("核查两家机构的登记记录")
    ops.get_by_label("结论").select_option("act")
    ops.get_by_label("理由").fill("两家为同一实际控制人，已暂停竞买资格")
    ops.get_by_role("button", name="记录结论").click()
    ops.goto("/console/risk-alerts/?status=actioned")
    expect(ops.get_by_test_id("risk-alerts")).to_contain_text("已处置")
    expect(ops.get_by_test_id("risk-alerts")).to_contain_text("已暂停竞买资格")
    browsing.shot(ops, "risk-alert-actioned")
