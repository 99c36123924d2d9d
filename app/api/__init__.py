"""JSON API under /api/v1: thin adapters over app.services."""
