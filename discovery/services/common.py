"""What several discovery services share: the transition tables, who acts for a company."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, User
from accounts.selectors import ACTING_ROLES, membership_for_action
from core.errors import Forbidden
from core.transitions import transitions_register

from ..models import Demand, DemandResponse, PeerReview, Question, UseReport

# A company (企业): who posts demands and asks questions (the buyers' kinds).
COMPANY_KINDS = (Organization.Kind.ENTERPRISE, Organization.Kind.STATE_ENTERPRISE)

D = Demand.Status
DEMAND_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "discovery.Demand",
    record="discovery.DemandStatusChange",
    table={
        D.PENDING_REVIEW: {D.PUBLISHED, D.REJECTED, D.CLOSED},
        D.REJECTED: {D.PENDING_REVIEW, D.CLOSED},
        D.PUBLISHED: {D.CLOSED},
        D.CLOSED: set(),
    },
)
R = DemandResponse.Status
RESPONSE_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "discovery.DemandResponse",
    record="discovery.DemandResponseStatusChange",
    table={R.SENT: {R.INTERESTED, R.NOT_INTERESTED}, R.INTERESTED: set(), R.NOT_INTERESTED: set()},
)
Q = Question.Status
QUESTION_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "discovery.Question",
    record="discovery.QuestionStatusChange",
    table={Q.OPEN: {Q.ANSWERED}, Q.ANSWERED: set()},
)
P = PeerReview.Status
PEER_REVIEW_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "discovery.PeerReview",
    record="discovery.PeerReviewStatusChange",
    table={P.INVITED: {P.SUBMITTED, P.WITHDRAWN}, P.SUBMITTED: set(), P.WITHDRAWN: set()},
)
U = UseReport.Status
USE_REPORT_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "discovery.UseReport",
    record="discovery.UseReportStatusChange",
    table={U.DUE: {U.FILED}, U.FILED: set()},
)


def company_membership(*, user: User, organization: Organization | int | None = None) -> Membership:
    """The membership through which ``user`` acts for a verified company (403 otherwise)."""
    membership = membership_for_action(
        user=user, organization=organization, roles=ACTING_ROLES, verified=True
    )
    if membership.organization.kind not in COMPANY_KINDS:
        raise Forbidden("not_a_company", _("只有已认证的企业可以执行此操作。"))
    return membership
