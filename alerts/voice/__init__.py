"""Calls: reports phoned in by sentinels, and who answered an escalation call."""
