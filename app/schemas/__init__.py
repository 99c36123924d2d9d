"""Request and response shapes where they differ from the tables."""
