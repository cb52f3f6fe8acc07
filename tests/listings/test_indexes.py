"""The listing tables' partial indexes: a listing or a status change that has nothing to put in
an index (a published listing in the queues' indexes, the platform's null ``created_by`` and
``actor``) is not written into it, and the reads those indexes serve still use them (#17.5: the
use-first job publishes hundreds of thousands of listings of the platform at once)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import User
from listings import selectors
from listings.models import Listing, ListingStatusChange

pytestmark = pytest.mark.django_db

PARTIAL = {
    "listing_review_queue": "pending_review",
    "listing_internal_queue": "pending_internal_approval",
    "listing_created_by": "created_by_id IS NOT NULL",
    "listing_change_actor": "actor_id IS NOT NULL",
}


def _predicates() -> dict[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = ANY(%s)",
            [list(PARTIAL)],
        )
        return dict(cursor.fetchall())


def _plan(queryset) -> str:
    """The plan of ``queryset`` where only an index can read the rows and give their order (with
    the tests' few rows, a scan and a sort would do)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for kind in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_queue_and_owner_indexes_hold_only_the_rows_that_have_something_to_index():
    predicates = _predicates()
    assert set(predicates) == set(PARTIAL)
    for name, condition in PARTIAL.items():
        assert predicates[name] is not None and condition in predicates[name], (name, predicates[name])
    # No full index of the same columns beside them (Django's own index of a foreign key).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename IN ('listings_listing', 'listings_listingstatuschange')"
            " AND (indexdef LIKE '%%(created_by_id)' OR indexdef LIKE '%%(actor_id)'"
            " OR indexdef LIKE '%%(status, submitted_at, id)' OR indexdef LIKE '%%(status, updated_at, id)')"
        )
        assert cursor.fetchall() == []


def test_the_reads_of_those_indexes_use_them():
    user = User.objects.create(username="index_reader")
    assert "listing_review_queue" in _plan(selectors.listings_review_queue())
    assert "listing_internal_queue" in _plan(selectors.listings_internal_queue(user=user))
    assert "listing_created_by" in _plan(Listing.objects.filter(created_by=user))
    assert "listing_change_actor" in _plan(ListingStatusChange.objects.filter(actor=user))
