"""Alerts and their life: triage, check-ins, grouping, escalation, notifications."""
