"""Carrying out access changes through the system that switches a product's access, and proving it.

``connectors`` is the interface every connector implements (manual, signed webhook, Unleash)."""
