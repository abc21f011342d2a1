"""Monitoring tasks' actions that reach into alerts: closing a late task resolves its overdue alert."""
