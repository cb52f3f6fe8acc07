"""Every write of discovery. Modules: ``demands`` (供需荟, responses, feedback), ``inquiry``
(在线询价), ``review`` (同行评议), ``disclosure`` (profile, use reports), ``push`` (subscriptions),
``publications`` (periodic reports), ``index`` (the achievement index matching reads)."""

from .common import (
    DEMAND_TRANSITIONS,
    PEER_REVIEW_TRANSITIONS,
    QUESTION_TRANSITIONS,
    RESPONSE_TRANSITIONS,
    USE_REPORT_TRANSITIONS,
)
from .demands import demand_close, demand_create, demand_review, response_create, response_feedback
from .disclosure import achievement_profile_update, use_report_file, use_reports_open
from .index import achievement_index_refresh
from .inquiry import question_answer, question_ask
from .push import publications_publish, subscription_create, subscription_delete, subscriptions_send
from .review import expert_conflict, review_invite, review_submit

__all__ = [
    "DEMAND_TRANSITIONS",
    "PEER_REVIEW_TRANSITIONS",
    "QUESTION_TRANSITIONS",
    "RESPONSE_TRANSITIONS",
    "USE_REPORT_TRANSITIONS",
    "achievement_index_refresh",
    "achievement_profile_update",
    "use_report_file",
    "use_reports_open",
    "demand_close",
    "demand_create",
    "demand_review",
    "expert_conflict",
    "review_invite",
    "review_submit",
    "subscription_create",
    "subscription_delete",
    "subscriptions_send",
    "publications_publish",
    "question_answer",
    "question_ask",
    "response_create",
    "response_feedback",
]
