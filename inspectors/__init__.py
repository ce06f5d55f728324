"""Inspectors: pure functions from stored facts (and as-of) to findings with evidence."""

import hashlib


def finding_id(site: str, indicator: str, kind: str, url: str) -> str:
    """Stable across inspections, so a reviewer's verdict on a finding can follow it.

    Every inspector (and probes/) names its findings through this one function: the review app
    carries verdicts over by this id, so two spellings of it would silently lose reviews.
    """
    return hashlib.sha1(f"{site}|{indicator}|{kind}|{url}".encode()).hexdigest()[:16]
