"""The shift handover (consegne): what the incoming operator must know, acknowledged and kept."""
