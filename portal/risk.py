"""风险预警: the rules that raise alerts for operators, the scan that runs them, and the operators'
decision on an alert.

Each rule is a read of the apps' tables (plain SQL where it compares rows with rows) that returns
``Finding`` rows; ``risk_scan`` stores each finding once (``RiskAlert`` is unique per rule and key,
so a scan run twice, or two at once, raises nothing twice) and tells the operators. The numbers
of every rule are ``settings.MARKET["RISK_RULES"]``; a rule whose entry is missing or has
``"enabled": false`` does not run. The scan is a periodic job (``portal.schedule``) and a
management command; it looks at auctions that ended within ``SCAN_DAYS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_operator
from accounts.services import notify
from core.decisions import RISK_ALERT, Decision, decision_parse, require_reason
from core.errors import Forbidden
from core.locks import risk_alert_lock
from core.transitions import status_move, transitions_register
from discovery.selectors.inquiry import questions_unanswered_late

from .models import RiskAlert, RiskAlertStatusChange

R = RiskAlert.Rule
S = RiskAlert.Status

RISK_ALERT_TRANSITIONS: dict[str, set[str]] = transitions_register(
    "portal.RiskAlert",
    record="portal.RiskAlertStatusChange",
    table={
        S.OPEN: {S.INVESTIGATING, S.ACKNOWLEDGED, S.ACTIONED},
        S.INVESTIGATING: {S.ACKNOWLEDGED, S.ACTIONED},
        S.ACKNOWLEDGED: set(),
        S.ACTIONED: set(),
    },
)
# What each decision word moves an alert to.
DECISION_STATUS = {
    Decision.ACT: S.ACTIONED,
    Decision.ACKNOWLEDGE: S.ACKNOWLEDGED,
    Decision.INVESTIGATE: S.INVESTIGATING,
}


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str
    subject: str
    evidence: dict[str, Any]


def _rules() -> dict[str, Any]:
    return dict(settings.MARKET["RISK_RULES"])


def _rows(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# Registrations of auctions that ended within the window, with what each bidder is known by.
_RECENT = """
    SELECT r.id, r.auction_id, r.organization_id, r.bidder_no, r.client_address, r.client_device,
           o.name AS organization_name, a.holder_id
    FROM auctions_registration r
    JOIN auctions_auction a ON a.id = r.auction_id
    JOIN accounts_organization o ON o.id = r.organization_id
    WHERE a.ends_at >= clock_timestamp() - make_interval(days => %(days)s)
"""


def _pair_subject(row: dict[str, Any]) -> str:
    return _("拍卖 #%(a)s：竞买号 %(x)s 与 %(y)s") % {
        "a": row["auction_id"],
        "x": row["no1"],
        "y": row["no2"],
    }


def _bidder_or_holder_subject(row: dict[str, Any]) -> str:
    """Two bidders, or (``no2`` null) a bidder and the holder."""
    if row["no2"] is None:
        return _("拍卖 #%(a)s：竞买号 %(x)s 与持有单位") % {"a": row["auction_id"], "x": row["no1"]}
    return _pair_subject(row)


def _bidder_or_holder_organizations(
    row: dict[str, Any], first: dict[str, Any] | None = None, second: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The evidence's two organizations: two bidders, or a bidder and the holder (``no2`` null);
    ``first`` / ``second`` add what the rule compared."""
    return [
        {"organization": row["org1_id"], "name": row["org1"], "bidder_no": row["no1"], **(first or {})},
        {
            "organization": row["org2_id"],
            "name": row["org2"],
            "bidder_no": row["no2"],
            **(second or {}),
            "is_holder": row["no2"] is None,
        },
    ]


def _shared(column: str, rule: str, what: str) -> Callable[[dict[str, Any]], list[Finding]]:
    """Two bidders of one auction registered with the same ``column`` (address or device)."""

    def run(cfg: dict[str, Any]) -> list[Finding]:
        sql = f"""
            WITH r AS ({_RECENT})
            SELECT r1.auction_id, r1.bidder_no AS no1, r2.bidder_no AS no2,
                   r1.organization_name AS org1, r2.organization_name AS org2,
                   r1.organization_id AS org1_id, r2.organization_id AS org2_id, r1.{column} AS value
            FROM r r1 JOIN r r2 ON r1.auction_id = r2.auction_id AND r1.organization_id < r2.organization_id
            WHERE r1.{column} IS NOT NULL AND r1.{column}::text <> '' AND r1.{column} = r2.{column}
        """  # noqa: S608 - the column is one of two names in this module
        return [
            Finding(
                rule=rule,
                key=f"auction:{row['auction_id']}:{row['org1_id']}-{row['org2_id']}",
                subject=_pair_subject(row),
                evidence={
                    "auction": row["auction_id"],
                    "bidders": [
                        {"bidder_no": row["no1"], "organization": row["org1_id"], "name": row["org1"]},
                        {"bidder_no": row["no2"], "organization": row["org2_id"], "name": row["org2"]},
                    ],
                    what: str(row["value"]),
                },
            )
            for row in _rows(sql, {"days": int(cfg.get("SCAN_DAYS", 30))})
        ]

    return run


def _shared_member(cfg: dict[str, Any]) -> list[Finding]:
    """A person who is a member of two bidders of one auction, or of a bidder and the holder."""
    sql = f"""
        WITH r AS ({_RECENT})
        SELECT r1.auction_id, r1.bidder_no AS no1, r2.bidder_no AS no2, r1.organization_name AS org1,
               r2.organization_name AS org2, r1.organization_id AS org1_id, r2.organization_id AS org2_id,
               u.id AS user_id, u.username
        FROM r r1 JOIN r r2 ON r1.auction_id = r2.auction_id AND r1.organization_id < r2.organization_id
        JOIN accounts_membership m1 ON m1.organization_id = r1.organization_id
        JOIN accounts_membership m2 ON m2.organization_id = r2.organization_id AND m2.user_id = m1.user_id
        JOIN accounts_user u ON u.id = m1.user_id
        UNION ALL
        SELECT r1.auction_id, r1.bidder_no, NULL, r1.organization_name, h.name, r1.organization_id, h.id,
               u.id, u.username
        FROM r r1
        JOIN accounts_organization h ON h.id = r1.holder_id
        JOIN accounts_membership m1 ON m1.organization_id = r1.organization_id
        JOIN accounts_membership m2 ON m2.organization_id = r1.holder_id AND m2.user_id = m1.user_id
        JOIN accounts_user u ON u.id = m1.user_id
    """  # noqa: S608
    findings = []
    for row in _rows(sql, {"days": int(cfg.get("SCAN_DAYS", 30))}):
        findings.append(
            Finding(
                rule=R.SHARED_MEMBER,
                key=f"auction:{row['auction_id']}:{row['org1_id']}-{row['org2_id']}:user:{row['user_id']}",
                subject=_bidder_or_holder_subject(row),
                evidence={
                    "auction": row["auction_id"],
                    "person": {"user": row["user_id"], "username": row["username"]},
                    "organizations": _bidder_or_holder_organizations(row),
                },
            )
        )
    return findings


def _shared_bank_account(cfg: dict[str, Any]) -> list[Finding]:
    """Deposits of two bidders of one auction paid from one bank account, or a bidder's deposit
    paid from an account the holder has paid from."""
    sql = f"""
        WITH r AS ({_RECENT}),
        paid AS (
            SELECT p.payer_id AS organization_id, t.payer_account AS account
            FROM marketplace_banktransfer t JOIN marketplace_payable p ON p.id = t.payable_id
            WHERE t.payer_account <> ''
        ),
        deposit AS (
            SELECT r.*, t.payer_account AS account
            FROM r JOIN auctions_auction a ON a.id = r.auction_id
            JOIN marketplace_payable p ON p.payer_id = r.organization_id AND p.listing_id = a.listing_id
                 AND p.kind = 'deposit'
            JOIN marketplace_banktransfer t ON t.payable_id = p.id AND t.payer_account <> ''
        )
        SELECT DISTINCT d1.auction_id, d1.bidder_no AS no1, d2.bidder_no AS no2, d1.organization_name AS org1,
               d2.organization_name AS org2, d1.organization_id AS org1_id, d2.organization_id AS org2_id,
               d1.account
        FROM deposit d1 JOIN deposit d2 ON d1.auction_id = d2.auction_id
             AND d1.organization_id < d2.organization_id AND d1.account = d2.account
        UNION
        SELECT DISTINCT d1.auction_id, d1.bidder_no, NULL, d1.organization_name, h.name, d1.organization_id,
               h.id, d1.account
        FROM deposit d1 JOIN paid ON paid.organization_id = d1.holder_id AND paid.account = d1.account
        JOIN accounts_organization h ON h.id = d1.holder_id
    """  # noqa: S608
    findings = []
    for row in _rows(sql, {"days": int(cfg.get("SCAN_DAYS", 30))}):
        findings.append(
            Finding(
                rule=R.SHARED_BANK_ACCOUNT,
                key=f"auction:{row['auction_id']}:{row['org1_id']}-{row['org2_id']}",
                subject=_bidder_or_holder_subject(row),
                evidence={
                    "auction": row["auction_id"],
                    "bank_account": row["account"],
                    "organizations": _bidder_or_holder_organizations(row),
                },
            )
        )
    return findings


def _shared_phone(cfg: dict[str, Any]) -> list[Finding]:
    """Two bidders of one auction, or a bidder and the holder, whose organizations give the same
    contact phone (compared by ``phone_digits``: digits only, a mainland mobile's +86 dropped)."""
    sql = f"""
        WITH r AS ({_RECENT}),
        p AS (
            SELECT r.*, o.phone_digits AS phone, o.phone AS phone_as_typed
            FROM r JOIN accounts_organization o ON o.id = r.organization_id WHERE o.phone_digits <> ''
        )
        SELECT p1.auction_id, p1.bidder_no AS no1, p2.bidder_no AS no2, p1.organization_name AS org1,
               p2.organization_name AS org2, p1.organization_id AS org1_id, p2.organization_id AS org2_id,
               p1.phone, p1.phone_as_typed AS phone1, p2.phone_as_typed AS phone2
        FROM p p1 JOIN p p2 ON p1.auction_id = p2.auction_id
             AND p1.organization_id < p2.organization_id AND p1.phone = p2.phone
        UNION ALL
        SELECT p1.auction_id, p1.bidder_no, NULL, p1.organization_name, h.name, p1.organization_id, h.id,
               p1.phone, p1.phone_as_typed, h.phone
        FROM p p1 JOIN accounts_organization h ON h.id = p1.holder_id AND h.phone_digits = p1.phone
    """  # noqa: S608
    findings = []
    for row in _rows(sql, {"days": int(cfg.get("SCAN_DAYS", 30))}):
        findings.append(
            Finding(
                rule=R.SHARED_PHONE,
                key=f"auction:{row['auction_id']}:{row['org1_id']}-{row['org2_id']}",
                subject=_bidder_or_holder_subject(row),
                evidence={
                    "auction": row["auction_id"],
                    "phone": row["phone"],
                    "organizations": _bidder_or_holder_organizations(
                        row, {"phone": row["phone1"]}, {"phone": row["phone2"]}
                    ),
                },
            )
        )
    return findings


_BIDS = """
    SELECT b.id, b.auction_id, b.seq, b.amount, b.placed_at, b.is_proxy, b.registration_id,
           r.bidder_no, r.organization_id, o.name AS organization_name, o.created_at AS organization_created_at,
           a.increment, a.start_price,
           lag(b.amount) OVER (PARTITION BY b.auction_id ORDER BY b.seq) AS previous
    FROM auctions_bid b
    JOIN auctions_auction a ON a.id = b.auction_id
    JOIN auctions_registration r ON r.id = b.registration_id
    JOIN accounts_organization o ON o.id = r.organization_id
    WHERE a.ends_at >= clock_timestamp() - make_interval(days => %(days)s)
"""


def _bid_jump(cfg: dict[str, Any]) -> list[Finding]:
    """A bid more than ``INCREMENTS`` increments above the price before it (the start price for the
    first bid)."""
    k = int(cfg["INCREMENTS"])
    sql = f"""
        WITH b AS ({_BIDS})
        SELECT * FROM b
        WHERE b.amount - COALESCE(b.previous, b.start_price) > %(k)s * b.increment
    """  # noqa: S608
    return [
        Finding(
            rule=R.BID_JUMP,
            key=f"bid:{row['id']}",
            subject=_("拍卖 #%(a)s：竞买号 %(n)s 第 %(s)s 次出价")
            % {
                "a": row["auction_id"],
                "n": row["bidder_no"],
                "s": row["seq"],
            },
            evidence={
                "auction": row["auction_id"],
                "seq": row["seq"],
                "bidder_no": row["bidder_no"],
                "organization": row["organization_id"],
                "amount": str(row["amount"]),
                "previous_price": str(row["previous"] if row["previous"] is not None else row["start_price"]),
                "increment": str(row["increment"]),
                "increments": str(
                    ((row["amount"] - (row["previous"] or row["start_price"])) / row["increment"]).quantize(
                        Decimal("0.1")
                    )
                ),
                "threshold_increments": k,
            },
        )
        for row in _rows(sql, {"days": int(cfg.get("SCAN_DAYS", 30)), "k": k})
    ]


def _bid_burst(cfg: dict[str, Any]) -> list[Finding]:
    """One bidder placing ``BIDS`` or more bids of its own (not proxy bids) within ``SECONDS``."""
    n, seconds = int(cfg["BIDS"]), int(cfg["SECONDS"])
    sql = f"""
        WITH b AS ({_BIDS}),
        own AS (SELECT * FROM b WHERE NOT b.is_proxy),
        w AS (
            SELECT own.*, count(*) OVER (
                PARTITION BY own.registration_id ORDER BY own.placed_at
                RANGE BETWEEN make_interval(secs => %(seconds)s) PRECEDING AND CURRENT ROW
            ) AS in_window
            FROM own
        )
        SELECT DISTINCT ON (registration_id) * FROM w WHERE in_window >= %(n)s
        ORDER BY registration_id, in_window DESC, placed_at
    """  # noqa: S608
    return [
        Finding(
            rule=R.BID_BURST,
            key=f"registration:{row['registration_id']}",
            subject=_("拍卖 #%(a)s：竞买号 %(n)s") % {"a": row["auction_id"], "n": row["bidder_no"]},
            evidence={
                "auction": row["auction_id"],
                "bidder_no": row["bidder_no"],
                "organization": row["organization_id"],
                "bids": row["in_window"],
                "seconds": seconds,
                "until": row["placed_at"].isoformat(),
                "threshold_bids": n,
            },
        )
        for row in _rows(sql, {"days": int(cfg.get("SCAN_DAYS", 30)), "n": n, "seconds": seconds})
    ]


def _new_organization_large_bid(cfg: dict[str, Any]) -> list[Finding]:
    """A bid of at least ``AMOUNT`` by an organization registered less than ``DAYS`` days before it."""
    sql = f"""
        WITH b AS ({_BIDS})
        SELECT DISTINCT ON (registration_id) * FROM b
        WHERE b.amount >= %(amount)s AND b.placed_at - b.organization_created_at < make_interval(days => %(new)s)
        ORDER BY registration_id, amount DESC
    """  # noqa: S608
    return [
        Finding(
            rule=R.NEW_ORGANIZATION_LARGE_BID,
            key=f"registration:{row['registration_id']}",
            subject=_("拍卖 #%(a)s：%(o)s（竞买号 %(n)s）")
            % {
                "a": row["auction_id"],
                "o": row["organization_name"],
                "n": row["bidder_no"],
            },
            evidence={
                "auction": row["auction_id"],
                "bidder_no": row["bidder_no"],
                "organization": row["organization_id"],
                "organization_registered_at": row["organization_created_at"].isoformat(),
                "amount": str(row["amount"]),
                "threshold_amount": str(cfg["AMOUNT"]),
                "threshold_days": int(cfg["DAYS"]),
            },
        )
        for row in _rows(
            sql,
            {
                "days": int(cfg.get("SCAN_DAYS", 30)),
                "amount": Decimal(str(cfg["AMOUNT"])),
                "new": int(cfg["DAYS"]),
            },
        )
    ]


def _repeated_defaults(cfg: dict[str, Any]) -> list[Finding]:
    """An organization with ``COUNT`` or more defaults within ``DAYS`` days; one alert per count."""
    sql = """
        SELECT e.organization_id, o.name, count(*) AS defaults, array_agg(e.deal_id ORDER BY e.id) AS deals
        FROM marketplace_creditevent e JOIN accounts_organization o ON o.id = e.organization_id
        WHERE e.kind = 'deal_default' AND e.occurred_at >= clock_timestamp() - make_interval(days => %(days)s)
        GROUP BY e.organization_id, o.name HAVING count(*) >= %(n)s
    """
    return [
        Finding(
            rule=R.REPEATED_DEFAULTS,
            key=f"organization:{row['organization_id']}:defaults:{row['defaults']}",
            subject=_("%(o)s：%(d)s 天内违约 %(n)s 次")
            % {"o": row["name"], "d": cfg["DAYS"], "n": row["defaults"]},
            evidence={
                "organization": row["organization_id"],
                "name": row["name"],
                "defaults": row["defaults"],
                "deals": list(row["deals"]),
                "threshold_count": int(cfg["COUNT"]),
                "days": int(cfg["DAYS"]),
            },
        )
        for row in _rows(sql, {"days": int(cfg["DAYS"]), "n": int(cfg["COUNT"])})
    ]


def _unanswered_questions(cfg: dict[str, Any]) -> list[Finding]:
    """A holder with ``COUNT`` or more questions still unanswered past their due moment (the
    discovery app's ``questions_unanswered_late``)."""
    by_holder: dict[int, dict[str, Any]] = {}
    for question in questions_unanswered_late():
        entry = by_holder.setdefault(question.holder_id, {"name": question.holder.name, "questions": []})
        entry["questions"].append(
            {
                "question": question.pk,
                "listing": question.listing_id,
                "answer_due_at": question.answer_due_at.isoformat(),
            }
        )
    n = int(cfg["COUNT"])
    return [
        Finding(
            rule=R.UNANSWERED_QUESTIONS,
            key=f"holder:{holder_id}:late:{len(entry['questions'])}",
            subject=_("%(o)s：%(n)s 个提问逾期未答复") % {"o": entry["name"], "n": len(entry["questions"])},
            evidence={"holder": holder_id, "name": entry["name"], **entry, "threshold_count": n},
        )
        for holder_id, entry in by_holder.items()
        if len(entry["questions"]) >= n
    ]


RULES: dict[str, Callable[[dict[str, Any]], list[Finding]]] = {
    R.SHARED_MEMBER: _shared_member,
    R.SHARED_ADDRESS: _shared("client_address", R.SHARED_ADDRESS, "address"),
    R.SHARED_DEVICE: _shared("client_device", R.SHARED_DEVICE, "device"),
    R.SHARED_BANK_ACCOUNT: _shared_bank_account,
    R.SHARED_PHONE: _shared_phone,
    R.BID_JUMP: _bid_jump,
    R.BID_BURST: _bid_burst,
    R.NEW_ORGANIZATION_LARGE_BID: _new_organization_large_bid,
    R.REPEATED_DEFAULTS: _repeated_defaults,
    R.UNANSWERED_QUESTIONS: _unanswered_questions,
}


@transaction.atomic
def risk_scan() -> list[RiskAlert]:
    """Run every enabled rule; store each new finding as an alert and tell the operators. Returns
    the alerts raised by this run. Safe to run twice, or twice at once (unique per rule and key)."""
    rules = _rules()
    scan_days = int(rules.get("SCAN_DAYS", 30))
    findings: list[Finding] = []
    for rule, run in RULES.items():
        cfg = rules.get(rule.upper())
        if not cfg or not cfg.get("ENABLED", True):
            continue
        findings.extend(run({"SCAN_DAYS": scan_days, **cfg}))
    if not findings:
        return []
    known = set(RiskAlert.objects.filter(key__in={f.key for f in findings}).values_list("rule", "key"))
    fresh = [f for f in findings if (f.rule, f.key) not in known]
    RiskAlert.objects.bulk_create(
        [RiskAlert(rule=f.rule, key=f.key, subject=f.subject[:300], evidence=f.evidence) for f in fresh],
        ignore_conflicts=True,
    )
    pairs = {(f.rule, f.key) for f in fresh}
    raised = [
        a
        for a in RiskAlert.objects.filter(key__in={f.key for f in fresh}).order_by("id")
        if (a.rule, a.key) in pairs
    ]
    if raised:
        notify(
            operators=True,
            kind="risk_alert",
            title=_("新的风险预警 %(n)s 条") % {"n": len(raised)},
            body="\n".join(str(a) for a in raised[:20]),
            link=reverse("risk_alerts"),
        )
    return raised


@transaction.atomic
def risk_alert_decide(*, alert: RiskAlert, actor: User, decision: Any, reason: str = "") -> RiskAlert:
    """An operator decides on an alert (``core.decisions`` ``RISK_ALERT``): ``acknowledge`` (seen,
    nothing to do), ``investigate`` (with a reason: under watch), ``act`` (with a reason saying
    what was done). 403 ``operator_only``; 409 ``invalid_status_transition`` once decided."""
    if not is_operator(actor):
        raise Forbidden("operator_only", _("只有平台运营人员可以执行此操作。"))
    word = decision_parse(decision, choice=RISK_ALERT)
    reason = require_reason(word, reason, choice=RISK_ALERT)
    locked = risk_alert_lock(alert)
    status_move(
        locked,
        to_status=DECISION_STATUS[word],
        transitions=RISK_ALERT_TRANSITIONS,
        noun=_("风险预警"),
        record=lambda **kw: RiskAlertStatusChange.objects.create(alert=locked, decision=word.value, **kw),
        actor=actor,
        reason=reason,
    )
    return locked
