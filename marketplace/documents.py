"""The printable 成交确认书 as a PDF: the confirmation's fixed terms, its signatures and digest.

Drawn with fpdf2 (pure Python) in WenQuanYi Zen Hei (``settings.PDF_FONT``; Debian's
``fonts-wqy-zenhei``), so Chinese prints the same on any machine. Times are Asia/Shanghai,
money as on the pages (``¥480,000.00``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.templatetags.market import yuan
from listings.models import Listing, Rights

from .models import DealConfirmation

FONT = "wqy"


def _when(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def confirmation_pdf(
    confirmation: DealConfirmation, *, seller_signer: str | None, buyer_signer: str | None
) -> bytes:
    """The document as PDF bytes. Reads only the confirmation (its terms never change)."""
    # Imported here, not with the module: fpdf2 brings fontTools, about 0.6 s of every process
    # that loads the URLs (the web server, each manage.py command's checks), for the few that print.
    from fpdf import FPDF

    terms = confirmation.terms
    pdf = FPDF(format="A4")
    pdf.set_title(f"成交确认书 {confirmation.number}")
    pdf.set_creator("浙江技术市场")
    pdf.add_font(FONT, "", settings.PDF_FONT)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font(FONT, size=20)
    pdf.cell(width, 12, "成交确认书", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(90, 100, 115)
    pdf.cell(
        width,
        7,
        f"编号 {confirmation.number} · 出具时间 {_when(confirmation.issued_at)}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    pdf.set_text_color(29, 39, 51)

    rows: list[tuple[str, str]] = [
        ("科技成果", terms["achievement"]),
    ]
    if terms.get("patents"):
        rows.append(("专利（申请）号", "，".join(terms["patents"])))
    rows += [
        ("交易方式", f"{Listing.Mode(terms['mode']).label} · {Rights(terms['rights']).label}"),
        ("转让方", f"{terms['seller']['name']}（{terms['seller']['credit_code']}）"),
        ("受让方", f"{terms['buyer']['name']}（{terms['buyer']['credit_code']}）"),
    ]
    if terms.get("broker"):
        rows.append(("技术经纪机构", terms["broker"]["name"]))
    rows.append(("成交价", yuan(terms["price"])))
    if terms.get("applied_deposit") not in (None, "0.00"):
        rows.append(("保证金抵作价款", yuan(terms["applied_deposit"])))
    rows += [
        ("应付余款", yuan(terms["amount_due"])),
        ("付款截止", _when(terms["payment_due_at"])),
    ]
    if terms.get("payment_reference"):
        rows.append(("付款识别码", terms["payment_reference"]))
    rows.append(("成交时间", _when(terms["concluded_at"])))
    if terms["mode"] == "auction":
        rows.append(("出价次数 / 竞买人数", f"{terms['bid_count']} / {terms['bidder_count']}"))
    if terms.get("preemption"):  # how the inventors' pre-emption was handled (issue #16)
        rows.append(("完成人优先受让权", terms["preemption"]["text"]))
    checkpoint = terms.get("record_checkpoint")
    if checkpoint:  # the market's signed checkpoint of the bid record, verifiable offline
        payload = checkpoint["payload"]
        rows.append(
            (
                "竞价存证",
                f"共 {payload['count']} 次出价，链头哈希 {payload['head']}；"
                f"Ed25519 密钥 {checkpoint['key_id']} 签名 {checkpoint['signature']}",
            )
        )

    label_w = 42
    pdf.set_draw_color(223, 227, 232)
    for label, value in rows:
        pdf.set_font(FONT, size=11)
        pdf.set_fill_color(240, 242, 245)
        # the label, then the value wrapping in the rest of the line at the same height
        lines: Any = pdf.multi_cell(width - label_w, 8, str(value), dry_run=True, output="LINES")
        height = 8 * max(1, len(lines))
        pdf.cell(label_w, height, label, border=1, fill=True)
        pdf.multi_cell(width - label_w, 8, str(value), border=1, new_x="LMARGIN", new_y="NEXT")

    pdf.ln(4)
    pdf.set_font(FONT, size=10.5)
    pdf.multi_cell(
        width,
        6,
        "双方确认以上成交条款。受让方应于付款截止前将应付余款付至平台资金监管账户；逾期视为违约。"
        "价款付清后，双方办理技术合同认定登记，平台按约定结算。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font(FONT, size=13)
    pdf.cell(width, 9, "签署", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=11)
    for side, signer, at in (
        ("转让方", seller_signer, confirmation.seller_signed_at),
        ("受让方", buyer_signer, confirmation.buyer_signed_at),
    ):
        text = f"{signer} 已于 {_when(at)} 签署" if at else "待签署"
        pdf.cell(width, 8, f"{side}：{text}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(90, 100, 115)
    pdf.multi_cell(width, 5, f"条款摘要（SHA-256）{confirmation.digest}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
