"""The early warnings (预警) to operators: homepage probes and stale columns, and their channels."""
