"""Event logs (moderation, breaches, requests) loaded once into DuckDB and measured in SQL."""
