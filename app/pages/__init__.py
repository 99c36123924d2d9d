"""HTML pages: thin adapters over app.services, rendered with Jinja2 and enhanced by htmx."""
