"""Interface words by domain: each module registers its own with ``web.i18n.register``."""
