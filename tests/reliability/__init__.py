"""Reliability: malformed inputs, locks, faults (issue 13)."""
