"""checklist-2019 deriver of the active checks: 站内搜索 (``design.search``), IPv6改造
(``design.ipv6``) and 信息提交 (``interaction.submit``).

The finishing stage ran the checks in the crawl's browser and stored one ``site_checks``
document per kind (inspection/site_checks.py); the findings are read from them here
(inspectors/active.py), for any as-of: the checks saw the site as it was when it was inspected.
"""

from __future__ import annotations

from xunjian.inspection.checks2019 import Context, Derived
from xunjian.inspectors.active import active_findings


def derive(ctx: Context) -> Derived:
    found = active_findings(ctx.site, ctx.find("site_checks"))
    for finding in found["findings"]:
        finding["inspection"] = ctx.id
    facts = {"site_checks": {c["kind"]: c.get("result") for c in ctx.find("site_checks")}}
    return Derived(found["findings"], found["checked"], found["reasons"], facts)
