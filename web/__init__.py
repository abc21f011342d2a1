"""The outer shell: app factory, CLI, pages, websocket hub."""
