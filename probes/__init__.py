"""Homepage availability probes, their scoring and early warnings (issue 5).

``probe_findings`` (pure, ``probes.scoring``) is what an inspection's score card needs of them;
the probing itself, and reading the stored probes back (``load_probes``), is in ``probes.probe``;
warnings in ``alerts.warnings``, the CLI in ``xunjian/commands_probes.py``.
"""

from xunjian.probes.scoring import probe_findings

__all__ = ["probe_findings"]
