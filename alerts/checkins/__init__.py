"""Check-ins: scheduled "rispondi OK" messages, missed replies, heat-wave mode."""
