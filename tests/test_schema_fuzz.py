"""The whole OpenAPI schema, fuzzed (#12): schemathesis generates requests for every operation from
the schema itself and sends them as a buyer, a holder and an operator (API tokens), through the
real Django application against the test database. Every response must be no server error and
must match the schema (its status's body and content type).

The README's test command runs it bounded: a fixed seed (``FUZZ_SEED``, default below) and
``FUZZ_EXAMPLES`` generated cases per operation. A run with a random seed and a bigger budget is a
README command too: ``FUZZ_SEED=random FUZZ_EXAMPLES=50 .venv/bin/pytest tests/test_schema_fuzz.py``.

Most of the requests are not those: schemathesis's coverage phase (on by default, run as explicit
examples, not bounded by ``FUZZ_EXAMPLES``) adds every case the schema defines -- each body field
of the wrong type, missing, too long or short, outside its enum or pattern, unexpected methods and
content types -- about 8,500 cases over the ~150 operations (up to ~530 for one), against ~450
generated ones. These rules make them reach the code they are about (``_as_its_roles``):

- a coverage case about the body, the query or the headers, and every generated case, is sent to
  the market's own object of the path's kind (``Market.ids``), not to the ``0`` the coverage phase
  puts in every ``{id}`` or the random id a generated case has, which answer 404 before the body is
  read (the coverage cases about the path keep their ids: those 404s are what they test);
- it goes out as one role the operation admits, the admitted roles taking turns case by case: a
  role answered 401, 403 or 404 is answered so before its body is read, so the case goes on to the
  next role and that role is not sent the rest of the operation's coverage cases. Every coverage
  case thus reaches the code it is about once, and every admitted role sends its share of each
  operation's. Generated cases go out as every role;
- a case answered by the sign-in lockout goes again after a reset (``_send``).

About 10,000 requests in all. Until #17 each coverage case went out as every admitted role (about
18,500 requests, the fuzz a third of the test command's CPU); of the 9,584 repeats for a second or
third role, 9,331 got the status the first role got: the same input refused by the same code.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from axes.utils import reset as axes_reset
from django.core.wsgi import get_wsgi_application
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from schemathesis.core.failures import FailureGroup, as_reported_failure
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.meta import TestPhase
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source
from schemathesis.schemas import APIOperation

from accounts.models import Membership
from tests.auctions.fair_helpers import end_now, overdue
from tests.conftest import client_for
from tests.conversion.helpers import make_achievement
from tests.discovery.conftest import post_demand
from tests.factories import (
    AchievementFactory,
    OrganizationFactory,
    UserFactory,
    broker_mandate,
    make_listing,
    member_of,
    open_auction,
    pay_deposit,
    registered_bidder,
)

SEED = os.environ.get("FUZZ_SEED", "20261206")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _schema() -> schemathesis.BaseSchema:
    """The schema the API serves at /api/schema/, generated here (no request, no database)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = get_wsgi_application()
    loaded.location = "/api/schema/"
    return loaded


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Called as a WSGI application, Django closes the database connection at the end of every
    request (``close_old_connections``); the test's transaction lives on it. Django's own test
    client disconnects the same handlers."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@dataclass(frozen=True)
class Market:
    """The fuzz's market as its requests see it: each role's token header, in the order roles are
    asked, and the id each path parameter takes, by the path's first two segments, else its first
    (``/use-first/agreements/{id}/`` -> ``ids["use-first/agreements"]["id"]``, ``/listings/{id}/...``
    -> ``ids["listings"]["id"]``)."""

    headers: dict[str, dict[str, str]]
    ids: dict[str, dict[str, int]]


@pytest.fixture(scope="module")
def _fuzz_market(django_db_setup, django_db_blocker) -> Iterator[Market]:
    """A small market: a verified university with listings in every mode (one with a broker's
    mandate and a data room the company asked into) and a live auction, a verified company with an open offer on one listing, a deal on
    another, a registration for the auction, a demand and a saved search, a notice of an accepted
    offer, use-first entries (one applied for, one under an agreement), the company's admin declared
    an expert, the company's best offer on an auction that missed its reserve and the lot offered to
    it as the runner-up of a defaulted deal, a question, an objection, a response to the demand, the
    holder's justification and self-implementation filings, an operator; each person's token header. Made once for the module in a
    transaction that is rolled back at its end; each test runs in a savepoint inside it
    (pytest-django's ``db``), so what one operation's requests write is gone before the next."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.test import override_settings

    from accounts.services import api_token_create, expert_declare, membership_invite
    from auctions.services import auction_close, bid_place
    from auctions.services.registration import registration_create
    from auctions.services.rescue import best_offer_make, best_offer_window_open, runner_up_offer_make
    from conversion.models import UseFirstEntry
    from conversion.services import use_first_run
    from conversion.services.agreements import use_first_application_accept, use_first_apply
    from conversion.services.filings import justification_file, self_implementation_declare
    from discovery.services.demands import demand_create, demand_review, response_create
    from discovery.services.inquiry import question_ask
    from discovery.services.push import publications_publish, subscription_create
    from marketplace.models import Deal
    from marketplace.services.data_room import data_room_access_request, data_room_set
    from marketplace.services.deals import deal_conclude
    from marketplace.services.defaults import deal_default
    from marketplace.services.negotiation import objection_raise, offer_accept, offer_make

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        holder = OrganizationFactory(kind="university", name="浙江模糊测试大学")
        holder_member = member_of(holder, Membership.Role.ADMIN)
        colleague = member_of(holder, Membership.Role.MEMBER)
        company = OrganizationFactory(name="模糊测试科技")
        buyer = member_of(company, Membership.Role.ADMIN)
        operator = UserFactory(username="fuzz_operator", is_staff=True)
        for name in ("平台审核", "平台财务"):
            operator.groups.add(Group.objects.get(name=name))
        listing = make_listing(achievement=AchievementFactory(holder=holder))
        offer = offer_make(listing=listing, actor=buyer, amount=Decimal("450000.00"))
        accepted = offer_make(
            listing=make_listing(achievement=AchievementFactory(holder=holder)),
            actor=buyer,
            amount=Decimal("420000.00"),
        )
        notice = offer_accept(offer=accepted, actor=holder_member)
        sold = make_listing(
            achievement=AchievementFactory(holder=holder), mode="fixed_price", price=Decimal("300000.00")
        )
        deal = deal_conclude(listing=sold, buyer=company, price=Decimal("300000.00"), mode="fixed_price")
        auction = open_auction(holder, started=True)
        registration_create(auction_id=auction.pk, actor=buyer)
        room = data_room_set(
            listing=listing, actor=holder_member, nda_text="保密协议：仅用于评估。", requires_approval=True
        )
        access = data_room_access_request(
            listing=listing, actor=buyer, nda_version=room.nda_version, accept=True, address="127.0.0.1"
        )
        mandate = broker_mandate(listing)
        demand = demand_create(
            actor=buyer,
            title="钙钛矿电池量产工艺需求",
            description="寻求可规模化的钙钛矿薄膜制备工艺，用于中试线。",
            field="new_energy",
            rights="transfer",
            deadline=datetime.date.today() + datetime.timedelta(days=60),
        )
        subscription = subscription_create(user=buyer, target="listings", q="钙钛矿")
        invitation = membership_invite(
            organization=holder, actor=holder_member, username=buyer.username, role=Membership.Role.MEMBER
        )
        [publication, *_] = publications_publish()
        spare_token, _key = api_token_create(user=holder_member, name="fuzz spare")
        # Three achievements left unconverted for over two years: the use-first job lists them; the
        # company applies to use one, and the holder accepts another's application (an agreement).
        unconverted = [
            make_achievement(holder, datetime.date.today() - datetime.timedelta(days=800), title=title)
            for title in ("一种土壤重金属钝化剂", "一种茶叶保鲜工艺", "一种秸秆还田腐熟菌剂")
        ]
        use_first_run()
        entry, applied, agreed = (UseFirstEntry.objects.get(achievement=a) for a in unconverted)
        application = use_first_apply(entry=applied, actor=buyer, plan="在本公司两条产线试用")
        agreement = use_first_application_accept(
            application=use_first_apply(entry=agreed, actor=buyer, plan="中试线试用"),
            actor=holder_member,
            trial_ends_on=datetime.date.today() + datetime.timedelta(days=180),
            conversion_price=Decimal("200000.00"),
        )
        expert_declare(user=buyer, fields=["agriculture"], organization=company, title="高级工程师")
        # What waits for an answer or a decision: the company's question on a listing, an objection
        # to the accepted offer's notice, the holder's answer to the company's demand, and two of the
        # holder's filings on its conversion duty (a justification, a self-implementation).
        question = question_ask(listing=listing, actor=buyer, body="请问该技术是否已完成中试？")
        objection = objection_raise(notice=notice, actor=colleague, reason="公示价格明显低于评估值。")
        published_demand = demand_review(demand=post_demand(buyer), actor=operator, decision="approve")
        response = response_create(
            demand=published_demand, actor=holder_member, achievement=listing.achievement, listing=listing
        )
        justification = justification_file(
            achievement=entry.achievement,
            actor=holder_member,
            reason="产业化合作方正在办理环评手续。",
            valid_until=datetime.date.today() + datetime.timedelta(days=90),
        )
        self_implementation = self_implementation_declare(
            achievement=applied.achievement,
            actor=holder_member,
            description="本校附属企业已在中试基地自行实施。",
            started_on=datetime.date.today() - datetime.timedelta(days=30),
        )
        # Two auctions the rescue rules act on. One ended under its reserve: in its best-offer
        # window the company's sealed offer waits, its deposit paid. The other's winner defaulted,
        # and the lot is offered to the company, the runner-up, its deposit paid too.
        unsold = open_auction(holder, started=True, deposit="500.00", reserve_price="5000.00")
        registered_bidder(unsold, company)
        bid_place(auction_id=unsold.pk, user=registered_bidder(unsold)[0], amount="1000.00")
        end_now(unsold)
        auction_close(auction_id=unsold.pk)
        best_offer_window_open(auction_id=unsold.pk, actor=holder_member)
        best_offer = best_offer_make(auction_id=unsold.pk, actor=buyer, amount="3000.00")
        pay_deposit(best_offer)
        defaulted = open_auction(holder, started=True, deposit="500.00")
        company_bidder, _ = registered_bidder(defaulted, company)
        winner, _ = registered_bidder(defaulted)
        for user, amount in ((company_bidder, "1000.00"), (winner, "1100.00")):
            bid_place(auction_id=defaulted.pk, user=user, amount=amount)
        end_now(defaulted)
        auction_close(auction_id=defaulted.pk)
        defaulted_deal = Deal.objects.get(listing=defaulted.listing)
        overdue(defaulted_deal)
        deal_default(deal=defaulted_deal)
        runner_up_offer = runner_up_offer_make(deal_id=defaulted_deal.pk, actor=holder_member)
        pay_deposit(runner_up_offer)
        headers = {}
        for role, user in (("buyer", buyer), ("holder", holder_member), ("operator", operator)):
            client = client_for(user)
            headers[role] = {"Authorization": client._credentials["HTTP_AUTHORIZATION"]}
        ids = {
            "achievements": {"id": listing.achievement_id},
            "listings": {"id": listing.pk},
            "offers": {"id": offer.pk},
            "notices": {"id": notice.pk},
            "deals": {"id": deal.pk},
            "payments": {"id": deal.payment.pk},
            "auctions": {"id": auction.pk},
            "organizations": {"id": holder.pk, "user_id": colleague.pk},
            "settlement-policies": {"id": holder.pk},
            "brokers": {"id": mandate.broker_id},
            "mandates": {"id": mandate.pk},
            "demands": {"id": demand.pk},
            "subscriptions": {"id": subscription.pk},
            "data-room": {"id": access.pk},
            "invitations": {"id": invitation.pk},
            "publications": {"id": publication.pk},
            "auth": {"id": spare_token.pk},
            "use-first": {"id": entry.pk},
            "use-first/applications": {"id": application.pk},
            "use-first/agreements": {"id": agreement.pk},
            "questions": {"id": question.pk},
            "objections": {"id": objection.pk},
            "demand-responses": {"id": response.pk},
            "justifications": {"id": justification.pk},
            "self-implementations": {"id": self_implementation.pk},
            "best-offers": {"id": best_offer.pk},
            "runner-up-offers": {"id": runner_up_offer.pk},
        }
        yield Market(headers=headers, ids=ids)
        transaction.set_rollback(True)


@pytest.fixture
def _fuzz_world(_fuzz_market, db) -> Market:
    """The market, in this test's savepoint."""
    return _fuzz_market


fuzzed = _schema()
_seed = (lambda f: f) if SEED == "random" else hypothesis.seed(int(SEED))
# Every operation's label, in the schema's order: cheap to list, so every xdist worker can collect
# them all. The cases are built in the test that runs the operation (``_cases``), not here.
OPERATIONS = {result.ok().label: result.ok() for result in fuzzed.get_all_operations()}


def _point_at_the_market(case: schemathesis.Case, market: Market) -> None:
    """A case that is not about its path reaches the view with real objects: its path parameters
    (schemathesis's coverage phase puts ``0`` in every ``{id}``, a generated case a random number,
    and either answers 404 before the body is read) become the ids of the market's own objects where
    it has one of that kind."""
    segments = case.operation.path.removeprefix("/api/v1/").split("/")
    ids = market.ids.get("/".join(segments[:2])) or market.ids.get(segments[0], {})
    if case.path_parameters and set(case.path_parameters) <= set(ids):
        case.path_parameters = {name: ids[name] for name in case.path_parameters}


@dataclass
class Turns:
    """Whose turn it is to send an operation's next coverage case, and which roles it has shut out."""

    shut_out: set[str] = field(default_factory=set)
    sent: int = 0

    def next_role(self, roles: list[str]) -> tuple[str, bool]:
        """The next admitted role, and whether it is admitted; the first role when none is (a case
        every role is shut out of still goes out, once)."""
        admitted = [role for role in roles if role not in self.shut_out]
        if not admitted:
            return roles[0], False
        self.sent += 1
        return admitted[(self.sent - 1) % len(admitted)], True


@_seed
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SEED != "random",
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
def _as_its_roles(case: schemathesis.Case, world: Market, turns: Turns) -> None:
    """A generated case as every role; a coverage case as the admitted role whose turn it is, passed
    on to the next while the role it went to answers that it is shut out."""
    roles = list(world.headers)
    coverage = case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE
    about_the_path = coverage and case.meta.phase.data.parameter_location is ParameterLocation.PATH
    if not about_the_path:
        _point_at_the_market(case, world)
    if not coverage:
        for role in roles:
            _send(case, world.headers[role])
        return
    while True:
        role, admitted = turns.next_role(roles)
        response = _send(case, world.headers[role])
        shut = admitted and not about_the_path and response.status_code in (401, 403, 404)
        if shut:
            turns.shut_out.add(role)
        if not shut or turns.shut_out >= set(roles):
            return


def _locked_out(response: schemathesis.Response) -> bool:
    return response.status_code == 429 and '"too_many_attempts"' in response.text


def _send(case: schemathesis.Case, headers: dict[str, str]) -> schemathesis.Response:
    """Send the case and check its answer. A case the sign-in lockout stopped (django-axes: 429
    ``too_many_attempts``, earned by the fuzz's own failed sign-ins from one address, ten a second)
    never reached the code it is about: its answer is checked too, then the lockout is reset
    (``axes.utils.reset``, the library's own) and the case sent again. Before, 29 of the sign-in
    operation's cases were answered by the lockout alone."""
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
    if _locked_out(response):
        axes_reset()
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        assert not _locked_out(response), "the case was stopped by the lockout again after a reset"
    return response


@functools.cache
def _feedback() -> FeedbackSources:
    """The constants schemathesis reads out of the application's code, once a process."""
    return FeedbackSources(constants_value_source=make_constants_value_source(fuzzed))


def _cases(operation: APIOperation) -> Callable[..., None]:
    """The Hypothesis test of one operation as schemathesis's pytest plugin builds it (its own
    builder, with the schema's configuration): the coverage phase's cases as explicit examples,
    then ``EXAMPLES`` generated ones. ``@fuzzed.parametrize()`` built every operation's test while
    collecting, so each xdist worker made the ~8,500 coverage cases of all ~150 operations (7 s of
    CPU each) to run a quarter of them; built here, each is made once, by the worker that sends it."""
    return build_operation_test(
        config=fuzzed.config,
        operation=operation,
        test_func=_as_its_roles,
        given_kwargs={},
        feedback=_feedback(),
    )


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_server_error_and_every_response_as_the_schema_says(operation, _fuzz_world):
    try:
        _cases(OPERATIONS[operation])(world=_fuzz_world, turns=Turns())
    except FailureGroup as failures:  # the checks' failures, as schemathesis's plugin reports them
        raise as_reported_failure(failures) from None
