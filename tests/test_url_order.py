"""An API request is matched against the API's patterns only (#17.1): the pages' two hundred
patterns came first and each was tried, and failed, on every API request."""

from __future__ import annotations

from django.urls import resolve


def test_an_api_path_is_not_tried_against_the_pages_patterns():
    match = resolve("/api/v1/auctions/1/bids/")
    assert match.url_name == "auction-bids"
    assert match.tried, "Django records the patterns it tried before the match"
    assert all(str(tried[0].pattern) == "api/v1/" for tried in match.tried), [
        str(t[0].pattern) for t in match.tried[:5]
    ]
