"""The last step of ``load_demo``: the daily use-first job, as beat would run it tonight, once every
app has loaded its demo. The overdue applied achievements of the listings demo (granted more than
2 and 3 years ago) go on the 先用后转 list with their platform listings; one already on offer (an
auction the auctions demo opened, say) is listed without a second listing. Idempotent like the job.
"""

from __future__ import annotations

from typing import Any

from .services import use_first_run


def load(context: dict[str, Any]) -> None:
    context["use_first"] = use_first_run()
