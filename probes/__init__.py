"""Homepage availability probes, early warnings (issue 5)."""
