"""申请先用后转 is offered only where the application can succeed, and says why not elsewhere (#14 item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Membership
from conversion.models import UseFirstEntry
from conversion.services import use_first_apply, use_first_run
from tests.factories import member_of

from .helpers import at_noon, make_achievement

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def entries(university):
    member_of(university, Membership.Role.ADMIN)
    listed = make_achievement(university, D(2024, 6, 1), title="一种土壤重金属钝化剂")
    unlisted = make_achievement(university, D(2024, 6, 1), title="一种茶树扦插育苗方法")
    with time_machine.travel(at_noon(D(2026, 6, 2)), tick=False):
        use_first_run()
    with_listing = UseFirstEntry.objects.get(achievement=listed)
    without = UseFirstEntry.objects.get(achievement=unlisted)
    # Its use-first listing has ended (e.g. withdrawn): the entry stays, the service refuses.
    UseFirstEntry.objects.filter(pk=without.pk).update(listing=None)
    assert with_listing.listing_id is not None
    return with_listing, without


def _apply_links(body: str, entry: UseFirstEntry) -> int:
    return body.count(reverse("marketplace:use_first_apply", args=[entry.pk]))


def test_the_list_offers_apply_only_where_it_can_succeed(client, entries, buyer):
    with_listing, without = entries
    client.force_login(buyer)
    body = client.get(reverse("listings:use_first")).content.decode()
    assert _apply_links(body, with_listing) == 1
    assert _apply_links(body, without) == 0
    assert "该成果当前没有先用后转挂牌，请通过其现有挂牌洽谈。" in body

    use_first_apply(entry=with_listing, actor=buyer, plan="两条产线试用")
    body = client.get(reverse("listings:use_first")).content.decode()
    assert _apply_links(body, with_listing) == 0 and "贵单位对该成果已有未处理的申请。" in body


def test_a_visitor_is_asked_to_sign_in_and_a_holder_told_why_not(client, entries, holder_member):
    with_listing, _ = entries
    body = client.get(reverse("listings:use_first")).content.decode()
    assert "登录后申请" in body and _apply_links(body, with_listing) == 0
    client.force_login(holder_member)
    body = client.get(reverse("listings:use_first")).content.decode()
    assert _apply_links(body, with_listing) == 0 and "只有经认证的企业可以申请先用后转。" in body


def test_the_apply_page_explains_instead_of_offering_a_form_that_will_be_refused(client, entries, buyer):
    _, without = entries
    client.force_login(buyer)
    page = client.get(reverse("marketplace:use_first_apply", args=[without.pk])).content.decode()
    assert "暂不能申请" in page and "没有先用后转挂牌" in page and 'name="plan"' not in page
