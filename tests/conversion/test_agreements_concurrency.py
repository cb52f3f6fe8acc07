"""Two holders' members accept two companies' applications for one entry at the same moment:
trial use is exclusive, so exactly one agreement is made (real threads on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.models import Membership, Organization
from conversion.models import UseFirstAgreement, UseFirstEntry
from conversion.services import use_first_application_accept, use_first_apply, use_first_run
from core.errors import Conflict
from tests.factories import OrganizationFactory, member_of

from .helpers import make_achievement


@pytest.mark.django_db(transaction=True)
def test_one_trial_per_entry_under_concurrent_accepts():
    holder = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    make_achievement(holder, dt.date(2024, 1, 10))
    use_first_run()
    entry = UseFirstEntry.objects.get()
    applications = [
        use_first_apply(entry=entry, actor=member_of(OrganizationFactory(kind="enterprise")), plan="试用")
        for _ in range(2)
    ]
    deciders = [member_of(holder, Membership.Role.MEMBER) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(application, actor):
        try:
            barrier.wait()
            use_first_application_accept(
                application=application,
                actor=actor,
                trial_ends_on=dt.date(2099, 1, 1),
                conversion_price="100000.00",
            )
            outcomes.append("accepted")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=pair) for pair in zip(applications, deciders, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["accepted", "trial_in_progress"]
    assert UseFirstAgreement.objects.filter(status="in_trial").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_justification_filings_at_once_leave_one_pending():
    """#12 hole 11: both passed the "no pending one" check and both were written; now the
    database's one-pending constraint decides."""
    from conversion.models import Justification
    from conversion.services import justification_file

    holder = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    achievement = make_achievement(holder, dt.date(2024, 1, 10))
    filers = [member_of(holder, Membership.Role.MEMBER) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def file(actor):
        try:
            barrier.wait()
            justification_file(
                achievement=achievement, actor=actor, reason="中试中", valid_until=dt.date(2099, 1, 1)
            )
            outcomes.append("filed")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(a,)) for a in filers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["filed", "justification_pending"]
    assert Justification.objects.filter(achievement=achievement, status="pending").count() == 1
