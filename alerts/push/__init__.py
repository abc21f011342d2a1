"""Web push: operators' browser subscriptions and the notices sent to them (a code and a short word)."""
