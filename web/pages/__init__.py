"""The pages: one module per domain, each reading a form, calling the flow and rendering."""
