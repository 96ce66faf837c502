"""API rows for workshops and their sessions."""
