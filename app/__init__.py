"""Coalesce: the working space of advocacy coalitions."""
