"""Online inquiry (在线询价): questions on a listing, private ones never leak, answers show,
unanswered ones reach the console after 5 working days of the market's calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Membership
from discovery.models import Question
from discovery.selectors.inquiry import holder_responsiveness, questions_unanswered_late
from discovery.services import question_answer, question_ask
from marketplace.working_days import SHANGHAI, add_working_days
from tests.conftest import client_for
from tests.factories import OrganizationFactory, member_of

pytestmark = pytest.mark.django_db


def test_a_company_asks_publicly_and_the_answer_shows_on_the_listing(tea, buyer, holder_member, api):
    asked = client_for(buyer).post(
        f"/api/v1/listings/{tea.pk}/questions/", {"body": "是否支持绿茶以外的茶类？"}, format="json"
    )
    assert asked.status_code == 201, asked.json()
    question = asked.json()
    assert question["status"] == "open" and question["answer_due_at"]
    answered = client_for(holder_member).post(
        f"/api/v1/questions/{question['id']}/answer/", {"body": "红茶亦可，需重新标定。"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    public = api.get(f"/api/v1/listings/{tea.pk}/questions/").json()["results"]
    assert [q["answer"] for q in public] == ["红茶亦可，需重新标定。"]
    page = api.get(f"/listings/{tea.pk}/inquiry/").content.decode()
    assert "红茶亦可" in page
    twice = client_for(holder_member).post(
        f"/api/v1/questions/{question['id']}/answer/", {"body": "again"}, format="json"
    )
    assert twice.status_code == 409 and twice.json()["code"] == "already_answered"


def test_private_questions_never_leak(tea, buyer, holder_member, operator, api):
    secret = "我们愿出价 25 万，可否独占许可？"
    asked = client_for(buyer).post(
        f"/api/v1/listings/{tea.pk}/questions/",
        {"body": secret, "private": True, "kind": "price"},
        format="json",
    )
    assert asked.status_code == 201
    other_company = member_of(OrganizationFactory(), Membership.Role.ADMIN)
    for client in (api, client_for(other_company)):
        assert client.get(f"/api/v1/listings/{tea.pk}/questions/").json()["results"] == []
        assert secret not in client.get(f"/listings/{tea.pk}/inquiry/").content.decode()
    refused = client_for(other_company).post(
        f"/api/v1/questions/{asked.json()['id']}/answer/", {"body": "x"}, format="json"
    )
    assert refused.status_code == 404
    for who in (buyer, holder_member, operator):
        bodies = [
            q["body"] for q in client_for(who).get(f"/api/v1/listings/{tea.pk}/questions/").json()["results"]
        ]
        assert bodies == [secret]


def test_only_verified_companies_ask_and_only_on_published_listings(tea, holder_member, api):
    assert api.post(f"/api/v1/listings/{tea.pk}/questions/", {"body": "x"}, format="json").status_code == 401
    refused = client_for(holder_member).post(
        f"/api/v1/listings/{tea.pk}/questions/", {"body": "x"}, format="json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_company"
    pending = member_of(OrganizationFactory(status="pending"), Membership.Role.ADMIN)
    assert client_for(pending).post(f"/api/v1/listings/{tea.pk}/questions/", {"body": "x"}).status_code == 403
    assert Question.objects.count() == 0


def test_unanswered_after_five_working_days_reach_the_console_and_count_against_the_holder(
    tea, buyer, holder_member, operator, client
):
    question = question_ask(listing=tea, actor=buyer, body="交货周期多长？")
    assert question.answer_due_at == add_working_days(question.created_at, 5)
    # The market's calendar (settings.MARKET HOLIDAYS / MAKEUP_WORKDAYS): asked on 2026-09-25, the
    # Mid-Autumn and National Day holidays and the weekends do not count, make-up working days do.
    friday = dt.datetime(2026, 9, 25, 10, 0, tzinfo=SHANGHAI)
    assert add_working_days(friday, 5).date() == dt.date(2026, 10, 10)
    assert list(questions_unanswered_late()) == []
    # The due moment passes (the database's clock decides; move the row's due moment behind it).
    Question.objects.filter(pk=question.pk).update(answer_due_at=timezone.now() - dt.timedelta(hours=1))
    assert list(questions_unanswered_late()) == [question]
    assert holder_responsiveness(holder_id=tea.achievement.holder_id).late == 1
    client.force_login(operator)
    assert "交货周期多长" in client.get("/console/questions/").content.decode()
    question_answer(question=question, actor=holder_member, body="三个月")
    assert list(questions_unanswered_late()) == []
    late = holder_responsiveness(holder_id=tea.achievement.holder_id)
    assert (late.asked, late.answered_in_time, late.late, late.rate) == (1, 0, 1, 0)
