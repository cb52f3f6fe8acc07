from .demands import (
    AchievementIndex,
    Demand,
    DemandResponse,
    DemandResponseStatusChange,
    DemandStatusChange,
    FeedbackReason,
)
from .disclosure import AchievementProfile, UseReport, UseReportStatusChange
from .inquiry import Question, QuestionStatusChange
from .push import Publication, Subscription
from .review import PeerReview, PeerReviewStatusChange

__all__ = [
    "AchievementIndex",
    "AchievementProfile",
    "Demand",
    "DemandResponse",
    "DemandResponseStatusChange",
    "DemandStatusChange",
    "FeedbackReason",
    "PeerReview",
    "PeerReviewStatusChange",
    "Publication",
    "Question",
    "QuestionStatusChange",
    "Subscription",
    "UseReport",
    "UseReportStatusChange",
]
