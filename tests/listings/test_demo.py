"""The listings demo: realistic, valid, loaded through the services, and idempotent."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from listings.models import Achievement, IntellectualProperty, Listing
from listings.validators import patent_no_normalize

pytestmark = pytest.mark.django_db


def test_demo_listings_load_twice_and_show_every_stage(api):
    call_command("load_demo")
    counts = (Achievement.objects.count(), Listing.objects.count(), IntellectualProperty.objects.count())
    call_command("load_demo")
    assert (
        Achievement.objects.count(),
        Listing.objects.count(),
        IntellectualProperty.objects.count(),
    ) == counts

    statuses = set(Listing.objects.values_list("status", flat=True))
    assert {"published", "pending_internal_approval", "pending_review"} <= statuses
    published_modes = set(Listing.objects.filter(status="published").values_list("mode", flat=True))
    assert {"negotiated", "fixed_price"} <= published_modes
    assert Listing.objects.get(status="pending_internal_approval").achievement.holder.name == "浙江大学"

    for ip in IntellectualProperty.objects.filter(ip_type__in=["invention", "utility_model", "design"]):
        assert patent_no_normalize(ip.patent_no, ip_type=ip.ip_type) == (ip.patent_no, None)

    today = timezone.localdate()
    # The use-first candidates: the demo runs the use-first job, so they carry its listings now.
    candidates = Achievement.objects.filter(kind="applied", use_first_entries__isnull=False)
    grants = [a.first_granted_on for a in candidates if a.first_granted_on]
    assert any(g < today.replace(year=today.year - 3) for g in grants)
    assert any(today.replace(year=today.year - 3) < g < today.replace(year=today.year - 2) for g in grants)

    for q in ("人工智能", "茶叶"):
        titles = [row["title"] for row in api.get("/api/v1/listings/", {"q": q}).json()["results"]]
        assert "一种基于人工智能的茶叶品质检测方法" in titles
    assert isinstance(
        Achievement.objects.get(title="一种基于人工智能的茶叶品质检测方法").conversion_deadline, dt.date
    )


def test_admin_shows_listings_and_achievements_read_only(client, django_user_model):
    call_command("load_demo")
    admin_user = django_user_model.objects.get(username="admin")
    client.force_login(admin_user)
    listing = Listing.objects.filter(status="published").first()
    for url in (
        "/admin/listings/listing/",
        f"/admin/listings/listing/{listing.pk}/change/",
        "/admin/listings/achievement/",
        f"/admin/listings/achievement/{listing.achievement_id}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert (
        client.post(f"/admin/listings/listing/{listing.pk}/change/", {"status": "closed"}).status_code == 403
    )
    listing.refresh_from_db()
    assert listing.status == "published"
