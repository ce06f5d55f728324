"""Scheduler for probes and crawls (issue 5)."""
