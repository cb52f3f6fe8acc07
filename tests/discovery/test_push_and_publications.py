"""Push (信息推送): saved searches batched at most once a day; periodic publications, immutable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import Notification
from discovery.models import Publication, Subscription
from discovery.services import demand_review, publications_publish, subscriptions_send
from tests.conftest import client_for
from tests.factories import AchievementFactory, UserFactory, make_listing

from .conftest import closed_deal, post_demand

pytestmark = pytest.mark.django_db


def _batches(user):
    return list(Notification.objects.filter(user=user, kind="subscription_batch"))


def test_a_saved_search_gets_new_listings_batched_at_most_once_a_day(university, api):
    user = UserFactory()
    client = client_for(user)
    made = client.post(
        "/api/v1/subscriptions/", {"target": "listings", "q": "茶叶", "field": "agriculture"}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert (
        client.post(
            "/api/v1/subscriptions/", {"target": "demands", "mode": "auction"}, format="json"
        ).status_code
        == 400
    )
    assert api.post("/api/v1/subscriptions/", {"target": "listings"}, format="json").status_code == 401
    assert subscriptions_send() == 0  # nothing new yet
    for title in ("一种茶叶加工设备", "茶叶品质检测仪"):
        make_listing(achievement=AchievementFactory(holder=university, title=title, field="agriculture"))
    make_listing(achievement=AchievementFactory(holder=university, title="锂电池隔膜", field="new_energy"))
    assert subscriptions_send() == 1
    [batch] = _batches(user)
    assert "一种茶叶加工设备" in batch.body and "茶叶品质检测仪" in batch.body and "锂电池" not in batch.body
    make_listing(achievement=AchievementFactory(holder=university, title="茶叶冷链保鲜", field="agriculture"))
    assert subscriptions_send() == 0  # within the day: waits
    Subscription.objects.update(last_sent_at=timezone.now() - dt.timedelta(hours=25))
    assert subscriptions_send() == 1
    second = _batches(user)[0]
    assert "茶叶冷链保鲜" in second.body and "茶叶品质检测仪" not in second.body  # nothing twice
    sub_id = made.json()["id"]
    assert client_for(UserFactory()).delete(f"/api/v1/subscriptions/{sub_id}/").status_code == 404
    assert client.delete(f"/api/v1/subscriptions/{sub_id}/").status_code == 204


def test_demand_alerts(buyer, operator):
    user = UserFactory()
    client_for(user).post(
        "/api/v1/subscriptions/", {"target": "demands", "q": "茶叶", "email": False}, format="json"
    )
    demand_review(demand=post_demand(buyer), actor=operator, decision="approve")
    assert subscriptions_send() == 1
    assert "茶叶品质快速检测技术需求" in _batches(user)[0].body


def test_publications_are_published_once_and_never_change(api):
    closed_deal(title="茶叶品质检测成交", price="300000.00", days_ago=40)
    today = timezone.localdate()
    made = publications_publish(today=today)
    assert {p.period for p in made} == {"month", "quarter", "year"}
    assert publications_publish(today=today) == []  # once per period
    month = Publication.objects.get(period="month")
    listed = api.get("/api/v1/publications/").json()["results"]
    assert {p["period"] for p in listed} == {"month", "quarter", "year"}
    body = api.get(f"/api/v1/publications/{month.pk}/").json()
    assert set(body["figures"]) >= {
        "listings_published",
        "deals",
        "amount",
        "by_field",
        "by_mode",
        "by_institution",
        "top_results",
        "conversion_rate",
    }
    csv = api.get(f"/api/v1/publications/{month.pk}/", {"format": "csv"})
    assert csv.status_code == 200 and "技术领域" in csv.content.decode("utf-8-sig")
    with pytest.raises(DatabaseError), transaction.atomic():
        Publication.objects.filter(pk=month.pk).update(figures={})
    with pytest.raises(DatabaseError), transaction.atomic():
        Publication.objects.filter(pk=month.pk).delete()
    page = api.get(f"/publications/{month.pk}/")
    assert (
        page.status_code == 200
        and "<svg" in page.content.decode()
        and "<script" not in page.content.decode().split("</main>")[0]
    )


def test_the_year_figures_count_deals_by_field_and_institution():
    from discovery.selectors.publications import publication_figures

    deal = closed_deal(title="茶叶品质检测成交", price="300000.00", days_ago=1)
    day = timezone.localdate(deal.concluded_at)
    figures = publication_figures(starts_on=day, ends_on=day + dt.timedelta(days=1))
    assert figures["deals"] == 1 and figures["amount"] == "300000.00"
    agriculture = next(r for r in figures["by_field"] if r["field"] == "agriculture")
    assert agriculture["deals"] == 1
    assert figures["by_institution"][0]["deals"] == 1
    assert figures["top_results"][0]["title"] == "茶叶品质检测成交"
