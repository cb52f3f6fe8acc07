"""The 2- and 3-year clock, the 29 February rule and who is obliged."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Organization
from conversion.rules import (
    conversion_deadline,
    free_license_date,
    free_license_granted_through,
    is_free_license_due,
    is_overdue,
    listable_on,
    overdue_granted_through,
)
from conversion.selectors.duty import achievement_is_obliged
from listings.models import Achievement
from tests.factories import OrganizationFactory

D = dt.date


def test_deadline_is_the_second_anniversary_and_listing_starts_the_day_after():
    assert conversion_deadline(D(2022, 3, 10)) == D(2024, 3, 10)
    assert listable_on(D(2022, 3, 10)) == D(2024, 3, 11)
    assert not is_overdue(D(2022, 3, 10), D(2024, 3, 9))
    assert not is_overdue(D(2022, 3, 10), D(2024, 3, 10))  # the deadline itself: still in time
    assert is_overdue(D(2022, 3, 10), D(2024, 3, 11))


def test_free_license_from_the_day_after_the_third_anniversary():
    assert free_license_date(D(2022, 3, 10)) == D(2025, 3, 11)
    assert not is_free_license_due(D(2022, 3, 10), D(2025, 3, 10))
    assert is_free_license_due(D(2022, 3, 10), D(2025, 3, 11))


def test_leap_day_grant_ends_on_28_february():
    assert conversion_deadline(D(2020, 2, 29)) == D(2022, 2, 28)
    assert listable_on(D(2020, 2, 29)) == D(2022, 3, 1)
    assert free_license_date(D(2020, 2, 29)) == D(2023, 3, 1)
    # Four years on, 29 February exists again.
    assert add_four(D(2020, 2, 29)) == D(2024, 2, 29)


def add_four(day):
    from conversion.rules import add_years

    return add_years(day, 4)


def test_no_grant_no_clock():
    assert conversion_deadline(None) is None
    assert free_license_date(None) is None
    assert not is_overdue(None, D(2030, 1, 1))


@pytest.mark.parametrize(
    "today", [D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 1), D(2025, 2, 28), D(2025, 3, 1), D(2026, 11, 21)]
)
def test_the_jobs_cutoffs_agree_with_the_rule_on_every_grant_day(today):
    """The job compares ``first_granted_on <= cutoff``; that must be exactly the rule's set."""
    through = overdue_granted_through(today)
    free_through = free_license_granted_through(today)
    day = today - dt.timedelta(days=5 * 366)
    while day <= today:
        assert is_overdue(day, today) == (day <= through), day
        assert is_free_license_due(day, today) == (day <= free_through), day
        day += dt.timedelta(days=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("holder_kind", "kind", "obliged"),
    [
        (Organization.Kind.UNIVERSITY, Achievement.Kind.APPLIED, True),
        (Organization.Kind.INSTITUTE, Achievement.Kind.APPLIED, True),
        (Organization.Kind.HOSPITAL, Achievement.Kind.APPLIED, True),
        (Organization.Kind.STATE_ENTERPRISE, Achievement.Kind.APPLIED, True),
        (Organization.Kind.ENTERPRISE, Achievement.Kind.APPLIED, False),
        (Organization.Kind.AGENCY, Achievement.Kind.APPLIED, False),
        (Organization.Kind.UNIVERSITY, Achievement.Kind.BASIC, False),
    ],
)
def test_who_is_obliged(holder_kind, kind, obliged):
    holder = OrganizationFactory(kind=holder_kind)
    assert achievement_is_obliged(Achievement(holder=holder, kind=kind)) is obliged
