"""The kinds of notification (``Notification.kind``), by topic, with the words a person reads on the
preferences page (消息设置), where e-mail is switched on or off per kind. Every kind is in-app;
e-mail is on unless the person turned it off (``NotificationPreference``). A kind a service sends
that is not listed here is still delivered and e-mailed (the test of this module keeps the list
complete)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

GROUPS: list[tuple[Any, list[tuple[str, Any]]]] = [
    (
        _("机构与成员"),
        [
            ("organization_verified", _("机构认证通过")),
            ("organization_rejected", _("机构认证未通过")),
            ("organization_pending", _("待审核的机构（运营）")),
            ("invitation", _("成员邀请")),
            ("related_party", _("关联方回避")),
        ],
    ),
    (
        _("挂牌与审批"),
        [
            ("listing_internal_approval", _("待内部审批的挂牌（安心屋）")),
            ("listing_review", _("待审核的挂牌（运营）")),
            ("listing_published", _("挂牌已发布")),
            ("listing_rejected", _("挂牌未通过审核")),
            ("listing_taken_down", _("挂牌被下架")),
            ("listing_expired", _("挂牌期满")),
        ],
    ),
    (
        _("报价、公示与意向"),
        [
            ("offer", _("报价与还价")),
            ("offer_lapsed", _("报价已失效")),
            ("offer_withdrawn", _("挂牌撤下，报价终止")),
            ("intent_withdrawn", _("挂牌撤下，意向终止")),
            ("notice_opened", _("成交价格进入公示")),
            ("notice_objected", _("公示收到异议")),
            ("objection_raised", _("待处理的异议（运营）")),
            ("objection_decided", _("异议处理结果")),
            ("notice_stopped", _("公示终止")),
            ("intent_declared", _("受让意向")),
        ],
    ),
    (
        _("拍卖"),
        [
            ("auction_for_intents", _("意向方竞价")),
            ("outbid", _("出价被超越")),
            ("auction_lost", _("竞拍未成交、保证金解冻")),
            ("auction_cancelled", _("拍卖取消")),
            ("auction_close_blocked", _("拍卖无法成交（运营）")),
            ("preemptive_registered", _("优先购买权人登记竞买")),
            ("best_offer_window", _("流拍后择优报价")),
            ("best_offer", _("收到择优报价")),
            ("best_offer_declined", _("择优报价未获接受")),
            ("best_offer_lapsed", _("择优报价截止")),
            ("moved_to_negotiated", _("流拍成果转为协议定价")),
            ("runner_up_offer", _("顺位受让要约")),
            ("runner_up_declined", _("顺位竞买人放弃受让")),
            ("runner_up_lapsed", _("顺位受让逾期")),
        ],
    ),
    (
        _("优先受让权与资料室"),
        [
            ("preemption_recorded", _("登记为优先受让权人")),
            ("preemption_claimed", _("优先受让主张")),
            ("preemption_exercised", _("优先受让权人以同等条件受让")),
            ("preemption_lapsed", _("优先受让主张失效")),
            ("data_room_access", _("资料室查阅权限")),
        ],
    ),
    (
        _("成交与资金"),
        [
            ("deal_concluded", _("成交")),
            ("deal_confirmed", _("成交确认书双方已签署")),
            ("deal_paid", _("受让方已付清价款")),
            ("payment_received", _("款项到账")),
            ("payment_unmatched", _("待查明来款（运营）")),
            ("payment_receipt_submitted", _("付款方上传了银行回单（运营）")),
            ("refund_paid", _("退款已支付")),
            ("deal_settled", _("成交已结算")),
            ("payout_paid", _("结算款已支付")),
            ("contract_registration_corrected", _("技术合同登记号更正")),
            ("deal_defaulted", _("成交违约")),
            ("reconciliation_mismatch", _("对账差异（运营）")),
            ("risk_alert", _("新的风险预警（运营）")),
        ],
    ),
    (
        _("技术经理人"),
        [
            ("mandate_given", _("委托")),
            ("mandate_revoked", _("委托撤销")),
            ("deal_broker_named", _("被指定为成交的技术经理人")),
            ("broker_points", _("贡献积分")),
        ],
    ),
    (
        _("先用后转与转化义务"),
        [
            ("use_first_listed", _("列入先用后转清单")),
            ("use_first_free_license", _("可无偿实施")),
            ("use_first_applied", _("先用后转申请")),
            ("use_first_accepted", _("先用后转申请已接受")),
            ("use_first_declined", _("先用后转申请被拒绝")),
            ("use_first_decline_review", _("拒绝理由待复核（运营）")),
            ("use_first_decline_overturned", _("拒绝被推翻")),
            ("use_first_escalated", _("先用后转申请逾期未答复")),
            ("use_first_returned", _("先用后转成果退还")),
            ("use_first_decision_reminder", _("先用后转决定提醒")),
            ("use_first_decision_lapsed", _("先用后转决定逾期")),
            ("justification_filed", _("正当理由待审核（运营）")),
            ("justification_decided", _("正当理由审核结果")),
            ("self_implementation_declared", _("自行实施待审核（运营）")),
            ("self_implementation_decided", _("自行实施审核结果")),
            ("registration_overdue", _("成果登记逾期")),
        ],
    ),
    (
        _("供需与询价"),
        [
            ("demand_submitted", _("待审核的需求（运营）")),
            ("demand_published", _("需求已发布")),
            ("demand_rejected", _("需求未通过审核")),
            ("demand_response", _("需求收到响应")),
            ("demand_feedback", _("响应收到反馈")),
            ("question_asked", _("收到提问")),
            ("question_answered", _("提问已答复")),
            ("peer_review_invited", _("同行评议邀请")),
            ("peer_review_submitted", _("收到同行评议")),
            ("use_report_due", _("转化效益报告待提交")),
            ("subscription_batch", _("订阅推送：新的匹配结果")),
        ],
    ),
]

LABELS: dict[str, Any] = {kind: label for _group, kinds in GROUPS for kind, label in kinds}

# Sent only to operators: the preferences page lists them to operators only.
OPERATOR_KINDS = frozenset(
    {
        "organization_pending",
        "listing_review",
        "objection_raised",
        "auction_close_blocked",
        "payment_unmatched",
        "reconciliation_mismatch",
        "risk_alert",
        "use_first_decline_review",
        "justification_filed",
        "self_implementation_declared",
        "demand_submitted",
    }
)


def kind_label(kind: str) -> str:
    return str(LABELS.get(kind, kind))
