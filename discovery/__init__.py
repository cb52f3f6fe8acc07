"""Value discovery and matching (DESIGN.md, "discovery"): demands (供需荟) and their matches,
online inquiry (在线询价), peer review (同行评议), the valuation band (估值区间), disclosure and use
reports, subscriptions (信息推送) and periodic publication (成果月报、季度发布、年度榜单).

A sibling of ``conversion`` and ``auctions`` above ``marketplace``: it reads listings, results and
deals; listings reaches it only through the ``achievement_discovery`` seam. Everything here
advises; nothing refuses a listing.
"""
