"""Every write of the conversion duty. Other modules call these names; the modules behind them
(entries, filings, registration, the daily job, agreements) may move."""

from .agreements import (
    AGREEMENT_TRANSITIONS,
    APPLICATION_TRANSITIONS,
    use_first_agreement_convert,
    use_first_agreement_return,
    use_first_agreements_remind,
    use_first_agreements_report_lapsed,
    use_first_application_accept,
    use_first_application_decline,
    use_first_applications_escalate,
    use_first_apply,
    use_first_apply_check,
    use_first_decline_review,
)
from .entries import (
    achievement_clock_set,
    achievement_converted,
    entries_listings_open,
    use_first_entries_close,
    use_first_volunteer,
)
from .filings import (
    JUSTIFICATION_TRANSITIONS,
    SELF_IMPLEMENTATION_TRANSITIONS,
    justification_decide,
    justification_file,
    self_implementation_decide,
    self_implementation_declare,
)
from .job import UseFirstRunSummary, use_first_run
from .registration import (
    RegistrationRunSummary,
    achievement_registration_record,
    registration_overdue_run,
)

__all__ = [
    "AGREEMENT_TRANSITIONS",
    "APPLICATION_TRANSITIONS",
    "JUSTIFICATION_TRANSITIONS",
    "SELF_IMPLEMENTATION_TRANSITIONS",
    "RegistrationRunSummary",
    "UseFirstRunSummary",
    "achievement_clock_set",
    "achievement_converted",
    "achievement_registration_record",
    "entries_listings_open",
    "justification_decide",
    "justification_file",
    "registration_overdue_run",
    "self_implementation_decide",
    "self_implementation_declare",
    "use_first_agreement_convert",
    "use_first_agreement_return",
    "use_first_agreements_remind",
    "use_first_agreements_report_lapsed",
    "use_first_application_accept",
    "use_first_application_decline",
    "use_first_applications_escalate",
    "use_first_apply",
    "use_first_apply_check",
    "use_first_decline_review",
    "use_first_entries_close",
    "use_first_run",
    "use_first_volunteer",
]
