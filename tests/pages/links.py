"""The link walker: every same-site link on a page is followed, and each must answer below 400
and, when it is a page, load without a console error. Stories call ``walker.visit(page, path)``
for each page their user reaches; the walker follows that page's links once per test."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

# Links that end the session or are not pages of the site.
SKIP = re.compile(r"^/(accounts/logout/|admin/|static/|media/)")
LINK_TIMEOUT_MS = 60_000


@dataclass
class LinkWalker:
    browsing: Any
    limit: int = 400
    checked: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    shots: list[str] = field(default_factory=list)
    tabs: dict[int, Any] = field(default_factory=dict)
    _errors: list[str] = field(default_factory=list)

    def visit(self, page: Any, path: str, *, shot: str | None = None) -> None:
        """Open ``path`` as the page's user, screenshot it, and follow each of its links."""
        response = page.goto(path)
        assert response is not None and response.status < 400, f"{path}: HTTP {response and response.status}"
        page.wait_for_load_state("load")
        if shot:
            self.shots.append(str(self.browsing.shot(page, shot)))
        self.follow_links(page)

    def follow_links(self, page: Any) -> None:
        base = page.url
        origin = urlsplit(base).netloc
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        context = page.context
        for href in hrefs:
            url = urldefrag(urljoin(base, href)).url
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or parts.netloc != origin or SKIP.match(parts.path):
                continue
            if url in self.checked or len(self.checked) >= self.limit:
                continue
            # Whether each link answers, not how fast: a confirmation PDF (fpdf2 drawing in a 17 MB
            # font, ~0.5 s of CPU) took over the contexts' 10 s under a full parallel run at load 15.
            reply = context.request.get(url, max_redirects=5, timeout=LINK_TIMEOUT_MS)
            self.checked[url] = reply.status
            if reply.status >= 400:
                self.problems.append(
                    f"{reply.status} {parts.path}?{parts.query} (linked from {urlsplit(base).path})"
                )
                continue
            if "text/html" in reply.headers.get("content-type", ""):
                self._load(context, url, base)

    def _load(self, context: Any, url: str, base: str) -> None:
        """Load a linked page in the user's link tab, to catch its console errors."""
        tab = self._tab(context)
        self._errors = []
        tab.goto(url, wait_until="load")
        for error in self._errors:
            self.problems.append(
                f"console error on {urlsplit(url).path} (linked from {urlsplit(base).path}): {error}"
            )

    def _tab(self, context: Any) -> Any:
        """One tab per user for the pages its links lead to (a new tab for each cost ~0.1 s)."""
        tab = self.tabs.get(id(context))
        if tab is None or tab.is_closed():
            tab = context.new_page()
            tab.on("console", lambda msg: self._errors.append(msg.text) if msg.type == "error" else None)
            tab.on("pageerror", lambda exc: self._errors.append(str(exc)))
            self.tabs[id(context)] = tab
        return tab

    def assert_clean(self) -> None:
        assert not self.problems, "links that fail:\n" + "\n".join(self.problems)
