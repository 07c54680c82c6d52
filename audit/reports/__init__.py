"""Report writers: each renders the one ``Assessment`` of a run in its own format."""
