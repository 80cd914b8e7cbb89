"""Signed webhooks: a business hears of the committed events that concern it (a service at
the node's edge; see service.py). The receiving side is `planet.sdk.webhooks`."""
