"""Every write of the listings app (achievements, listings, their moderation).

Other apps call these names; the modules behind them may move. The conversion duty (the
use-first list) is the ``conversion`` app's, above this one; it calls the bulk services here.
"""

from .achievements import (
    CONVERSION_TRANSITIONS,
    achievement_create,
    achievement_refresh_search,
    achievement_set_conversion,
    achievement_update,
)
from .attachments import ATTACHMENT_KINDS, attachment_add, attachment_remove
from .bulk import listings_close_bulk, listings_index_missing, listings_publish_bulk
from .listings import (
    LISTING_TRANSITIONS,
    listing_close,
    listing_create,
    listing_internal_decide,
    listing_lock,
    listing_mark_engaged,
    listing_publish_by_platform,
    listing_review,
    listing_submit,
    listing_take_down,
    listing_update,
    listing_withdraw,
)
from .terms import TERMS_BY_MODE, terms_of, terms_validate

__all__ = [
    "ATTACHMENT_KINDS",
    "attachment_add",
    "attachment_remove",
    "CONVERSION_TRANSITIONS",
    "LISTING_TRANSITIONS",
    "TERMS_BY_MODE",
    "achievement_create",
    "achievement_refresh_search",
    "achievement_set_conversion",
    "achievement_update",
    "listing_close",
    "listings_close_bulk",
    "listings_index_missing",
    "listings_publish_bulk",
    "listing_lock",
    "listing_create",
    "listing_internal_decide",
    "listing_mark_engaged",
    "listing_publish_by_platform",
    "listing_review",
    "listing_submit",
    "listing_take_down",
    "listing_update",
    "listing_withdraw",
    "terms_of",
    "terms_validate",
]
