"""Web push adapters: VAPID-signed pushes straight to the browsers' push services, or the console."""
