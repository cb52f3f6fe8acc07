"""User-facing text goes through Django's translation machinery, Chinese first (CONVENTIONS):
templates wrap it in {% translate %}/{% blocktranslate %}, scripts in the JavaScript catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

HAN = re.compile(r"[\u4e00-\u9fff]")
TRANSLATED = [
    re.compile(r"\{%\s*blocktranslate\b.*?\{%\s*endblocktranslate\s*%\}", re.S),
    re.compile(r"\{%\s*translate\s.*?%\}"),
    re.compile(r'_\("[^"]*"\)'),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
]


def _templates() -> list[Path]:
    apps = ("config", "accounts", "listings", "marketplace", "auctions", "conversion", "discovery", "portal")
    return sorted(p for app in apps for p in (Path(settings.BASE_DIR) / app / "templates").rglob("*.html"))


def test_templates_show_no_chinese_outside_translation_tags():
    untranslated = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in TRANSLATED:
            text = pattern.sub("", text)
        untranslated += [f"{path.name}: {line.strip()}" for line in text.splitlines() if HAN.search(line)]
    assert _templates() and untranslated == []


@pytest.mark.django_db
def test_pages_load_the_javascript_catalog_before_their_scripts(client):
    html = client.get("/").content.decode()
    assert html.index('src="/jsi18n/"') < html.index("js/market.js")
    catalog = client.get("/jsi18n/")
    assert catalog.status_code == 200 and b"django.gettext = function" in catalog.content


@pytest.mark.django_db
def test_the_annual_report_shows_income_as_money(client, holder_member):
    client.force_login(holder_member)
    html = client.get("/my/report/").content.decode()
    assert re.search(r"<th>转化收入（元）</th><td class=\"num\">¥0\.00</td>", html)
    assert re.search(r"<th>挂牌数</th><td class=\"num\">0</td>", html)
