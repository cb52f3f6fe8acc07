"""The achievement page shows the use-first duty; operators hear once when a use-first agreement's
decision date passes with no decision."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import Membership, Notification
from conversion.models import UseFirstEntry
from conversion.services import use_first_agreements_report_lapsed, use_first_run
from conversion.tasks import use_first_agreements_report_lapsed_task
from tests.conftest import client_for
from tests.conversion.helpers import at_noon, make_achievement
from tests.factories import member_of

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_achievement_shows_its_use_first_duty(university):
    overdue = make_achievement(university, D(2022, 3, 1), title="一种茶叶保鲜工艺")
    fresh = make_achievement(university, D(2026, 1, 10), title="一种新型电池隔膜")
    with time_machine.travel(at_noon(D(2026, 11, 21)), tick=False):
        body = APIClient().get(f"/api/v1/achievements/{overdue.pk}/").json()
        other = APIClient().get(f"/api/v1/achievements/{fresh.pk}/").json()
    assert body["conversion_deadline"] == "2024-03-01" and body["free_license_date"] == "2025-03-02"
    duty = body["use_first_duty"]
    assert duty["obliged"] and duty["overdue"] and duty["free_license_due"] and not duty["converted"]
    assert duty["justified_until"] is None
    assert other["free_license_date"] == "2029-01-11"
    assert other["use_first_duty"]["obliged"] and not other["use_first_duty"]["overdue"]


def test_operators_hear_once_when_a_decision_date_passes_undecided(
    university, buyer, holder_member, operator
):
    member_of(university, Membership.Role.ADMIN)
    achievement = make_achievement(university, D(2024, 6, 1), title="一种土壤重金属钝化剂")
    with time_machine.travel(at_noon(D(2026, 6, 2)), tick=False):
        use_first_run()
    entry = UseFirstEntry.objects.get(achievement=achievement)
    app = client_for(buyer).post(f"/api/v1/use-first/{entry.pk}/applications/", {"plan": "试用"}).json()
    r = client_for(holder_member).post(
        f"/api/v1/use-first/applications/{app['id']}/accept/",
        {"trial_ends_on": "2099-01-31", "conversion_price": "90000.00"},
    )
    assert r.status_code in (200, 201), r.json()
    assert use_first_agreements_report_lapsed(today=D(2099, 1, 31)) == 0  # the decision day itself
    assert use_first_agreements_report_lapsed(today=D(2099, 2, 1)) == 1
    assert use_first_agreements_report_lapsed(today=D(2099, 2, 2)) == 0  # once
    with time_machine.travel(at_noon(D(2099, 2, 3)), tick=False):
        assert use_first_agreements_report_lapsed_task() == 0
    notes = Notification.objects.filter(user=operator, kind="use_first_decision_lapsed")
    assert notes.count() == 1 and "2099-01-31" in notes.get().body


def test_the_achievement_page_shows_a_justification_only_to_the_holder_and_operators(operator):
    """#12 hole 7: any signed-in user read the justification's status and the operator's reason
    on /my/achievements/<id>/ while the API hid them; both read the same selector now."""
    from django.test import Client

    from conversion.services import justification_decide, justification_file
    from tests.conversion.helpers import make_achievement
    from tests.factories import OrganizationFactory, UserFactory, member_of

    holder = OrganizationFactory(kind="university")
    member = member_of(holder)
    achievement = make_achievement(holder, dt.date(2021, 3, 1))
    j = justification_file(
        achievement=achievement, actor=member, reason="中试进行中", valid_until=dt.date(2099, 1, 1)
    )
    justification_decide(justification=j, actor=operator, decision="reject", reason="中试合同已于去年终止")
    url = f"/my/achievements/{achievement.pk}/"
    for who, sees in ((member, True), (operator, True), (UserFactory(), False)):
        browser = Client()
        browser.force_login(who)
        page = browser.get(url).content.decode()
        assert ("中试合同已于去年终止" in page) is sees, who
