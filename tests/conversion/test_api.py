"""GET /api/v1/use-first/ and the justification, self-implementation and registration endpoints."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import Membership
from conversion.models import UseFirstEntry
from conversion.services import use_first_run
from listings.models import ConversionStatus
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of

from .helpers import at_noon, make_achievement

pytestmark = pytest.mark.django_db
D = dt.date


def run_on(day):
    with time_machine.travel(at_noon(day), tick=False):
        return use_first_run()


@pytest.mark.django_db(transaction=True)  # each run commits on its own: updated_since is per transaction
def test_public_list_fields_filters_and_history(api, university, holder_member, operator):
    a1 = make_achievement(university, D(2021, 1, 5), title="甲")
    a2 = make_achievement(university, D(2022, 1, 5), title="乙")
    run_on(D(2024, 3, 11))
    r = api.get("/api/v1/use-first/")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["achievement"] for row in rows] == [a1.pk, a2.pk]
    first = rows[0]
    for key in ("achievement", "holder", "listed_on", "reason", "free_license_eligible", "listing"):
        assert key in first
    assert first["holder"] == university.pk and first["listed_on"] == "2024-03-11"
    assert first["free_license_eligible"] is True and rows[1]["free_license_eligible"] is False
    assert first["listing"] is not None and r.json()["next"] is None
    assert first["free_license_date"] == "2024-01-06"

    eligible = api.get("/api/v1/use-first/", {"free_license_eligible": "true"}).json()["results"]
    assert [row["achievement"] for row in eligible] == [a1.pk]

    # A read-only token reads it too.
    reader = client_for(member_of(OrganizationFactory()), read_only=True)
    assert reader.get("/api/v1/use-first/").status_code == 200

    # Converted: gone from the active list, kept in the history, and seen by updated_since.
    mark = rows[1]["updated_at"]
    a1.conversion_status = ConversionStatus.CONVERTED
    a1.save(update_fields=["conversion_status"])
    run_on(D(2024, 3, 12))
    assert [row["achievement"] for row in api.get("/api/v1/use-first/").json()["results"]] == [a2.pk]
    history = api.get("/api/v1/use-first/", {"status": "closed"}).json()["results"]
    assert [(h["achievement"], h["close_cause"]) for h in history] == [(a1.pk, "converted")]
    changed = api.get("/api/v1/use-first/", {"status": "all", "updated_since": mark}).json()["results"]
    assert [row["achievement"] for row in changed] == [a1.pk]
    assert api.get("/api/v1/use-first/", {"status": "bogus"}).status_code == 400


def test_cursor_pages_by_updated_at(api, university):
    for i in range(5):
        make_achievement(university, D(2021, 1, 5) + dt.timedelta(days=i))
    run_on(D(2024, 3, 11))
    seen, url = [], "/api/v1/use-first/?page_size=2"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(UseFirstEntry.objects.values_list("id", flat=True)) and len(seen) == 5


def test_justification_file_and_decide_over_http(university, holder_member, operator, buyer):
    achievement = make_achievement(university, D(2022, 3, 10))
    run_on(D(2024, 3, 11))
    holder = client_for(holder_member)
    body = {
        "reason": "成果正在申请医疗器械注册证，注册前无法转化。",
        "valid_until": "2099-12-31",
        "attachments": [{"name": "受理通知书.pdf", "url": "https://files.example.cn/n.pdf"}],
    }
    # A stranger may not file for someone else's achievement.
    assert (
        client_for(buyer).post(f"/api/v1/achievements/{achievement.pk}/justifications/", body).status_code
        == 403
    )
    r = holder.post(f"/api/v1/achievements/{achievement.pk}/justifications/", body)
    assert r.status_code == 201, r.json()
    jid = r.json()["id"]
    assert r.json()["status"] == "pending" and r.json()["attachments"][0]["name"] == "受理通知书.pdf"
    again = holder.post(f"/api/v1/achievements/{achievement.pk}/justifications/", body)
    assert again.status_code == 409 and again.json()["code"] == "justification_pending"
    # Only operators decide, and a reason is required.
    assert (
        holder.post(
            f"/api/v1/justifications/{jid}/decide/", {"decision": "accept", "reason": "x"}
        ).status_code
        == 403
    )
    op = client_for(operator)
    assert op.post(f"/api/v1/justifications/{jid}/decide/", {"decision": "accept"}).status_code == 400
    assert [j["id"] for j in op.get("/api/v1/justifications/?status=pending").json()["results"]] == [jid]
    r = op.post(f"/api/v1/justifications/{jid}/decide/", {"decision": "accept", "reason": "材料属实。"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["decision_reason"] == "材料属实。"
    assert not UseFirstEntry.objects.filter(achievement=achievement, closed_on__isnull=True).exists()
    repeat = op.post(f"/api/v1/justifications/{jid}/decide/", {"decision": "reject", "reason": "x"})
    assert repeat.status_code == 409 and repeat.json()["code"] == "already_decided"
    assert holder.get("/api/v1/justifications/").json()["results"][0]["id"] == jid


def test_self_implementation_accepted_converts_and_takes_off(university, holder_member, operator):
    achievement = make_achievement(university, D(2022, 3, 10))
    run_on(D(2024, 3, 11))
    r = client_for(holder_member).post(
        f"/api/v1/achievements/{achievement.pk}/self-implementation/",
        {"description": "本校附属工厂已投产。", "started_on": "2024-01-02"},
    )
    assert r.status_code == 201, r.json()
    op = client_for(operator)
    r = op.post(
        f"/api/v1/self-implementations/{r.json()['id']}/decide/",
        {"decision": "accept", "reason": "现场核实。"},
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    achievement.refresh_from_db()
    assert achievement.conversion_status == ConversionStatus.CONVERTED
    entry = UseFirstEntry.objects.get(achievement=achievement)
    assert entry.closed_on is not None and entry.close_cause == "converted"


def test_holder_volunteers_a_basic_achievement(university, holder_member, api):
    achievement = make_achievement(university, D(2025, 1, 1), kind="basic")
    r = client_for(holder_member).post(
        f"/api/v1/achievements/{achievement.pk}/use-first/", {"reason": "企业有需求"}
    )
    assert r.status_code == 201, r.json()
    assert r.json()["origin"] == "voluntary" and r.json()["listing"] is not None
    assert (
        client_for(holder_member).post(f"/api/v1/achievements/{achievement.pk}/use-first/", {}).status_code
        == 409
    )
    assert [row["achievement"] for row in api.get("/api/v1/use-first/").json()["results"]] == [achievement.pk]


def test_registration_overdue_list_and_job(university, holder_member, operator):
    from accounts.models import Notification
    from conversion.services import registration_overdue_run

    admin = member_of(university, Membership.Role.ADMIN)
    late = make_achievement(university, None, fiscally_funded=True, funding_project_ended_on=D(2024, 1, 1))
    make_achievement(university, None, fiscally_funded=True, funding_project_ended_on=D(2024, 2, 1))  # day 30
    make_achievement(university, None, fiscally_funded=False, funding_project_ended_on=D(2023, 1, 1))
    with time_machine.travel(at_noon(D(2024, 3, 2)), tick=False):
        assert registration_overdue_run().newly_overdue == 1
        assert registration_overdue_run().newly_overdue == 0  # told once
        rows = client_for(operator).get("/api/v1/registrations/overdue/").json()["results"]
        assert [(r["id"], r["due_on"]) for r in rows] == [(late.pk, "2024-01-31")]
        assert (
            client_for(holder_member).get("/api/v1/registrations/overdue/").json()["results"][0]["id"]
            == late.pk
        )
        r = client_for(holder_member).post(
            f"/api/v1/achievements/{late.pk}/registration/",
            {"registration_no": "33012024Y0001", "registered_on": "2024-03-02"},
        )
        assert r.status_code == 201
        assert client_for(operator).get("/api/v1/registrations/overdue/").json()["results"] == []
    assert Notification.objects.filter(kind="registration_overdue", user=admin).count() == 1
    assert Notification.objects.filter(kind="registration_overdue", user=operator).count() == 1
