"""Homepage availability probes, their scoring and early warnings (issue 5).

``probe_findings`` and ``load_probes`` are what an inspection's score card needs; the probing
itself is in ``probes.probe``, early warnings in ``xunjian.alerts``, its CLI in ``xunjian.commands_probes``.
"""

from xunjian.probes.scoring import load_probes, probe_findings

__all__ = ["load_probes", "probe_findings"]
