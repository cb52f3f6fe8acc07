"""完整度 (``completeness``): how fully an achievement is described, 0-100, with what would raise
it (yet2's listing quality). Each item's points are stated here once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from listings.models import Achievement

from ..models import AchievementProfile

SUMMARY_MIN = 100  # characters of a summary that says what the achievement is
TEXT_MIN = 30  # characters of a problem or an advantage that says something

# (key, points, label, hint)
ITEMS = (
    ("summary", 15, _("成果简介"), _("简介写满 100 字：是什么、怎么做到的。")),
    ("problem", 20, _("解决的问题"), _("说明成果解决了企业的什么问题。")),
    ("advantage", 20, _("相对现有技术的优势"), _("与现有产品或工艺相比的优势，最好有数据。")),
    ("maturity", 10, _("技术成熟度"), _("技术成熟度 TRL 达到 4 级以上，或有专家评议。")),
    ("ip", 15, _("知识产权编号"), _("登记专利号或软件著作权登记号。")),
    ("pictures", 10, _("图片"), _("上传样品、装置或效果图片。")),
    ("publications", 10, _("论文与报道"), _("列出相关论文、检测报告或媒体报道。")),
)


@dataclass
class Completeness:
    score: int
    missing: list[dict[str, Any]] = field(default_factory=list)


def achievement_completeness(*, achievement: Achievement) -> Completeness:
    """The score and, for each missing item, its label, hint and the points it would add."""
    profile = AchievementProfile.objects.filter(pk=achievement.pk).first()
    has = {
        "summary": len((achievement.summary or "").strip()) >= SUMMARY_MIN,
        "problem": bool(profile and len(profile.problem.strip()) >= TEXT_MIN),
        "advantage": bool(profile and len(profile.advantage.strip()) >= TEXT_MIN),
        "maturity": achievement.maturity >= 4,
        "ip": achievement.ip.exclude(patent_no="").exists(),
        "pictures": bool(profile and profile.pictures)
        or achievement.attachments.filter(role="photo").exists(),
        "publications": bool(profile and profile.publications),
    }
    score = 0
    missing = []
    for key, points, label, hint in ITEMS:
        if has[key]:
            score += points
        else:
            missing.append({"item": key, "label": str(label), "hint": str(hint), "points": points})
    return Completeness(score=score, missing=missing)
