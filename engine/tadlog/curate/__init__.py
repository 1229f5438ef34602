"""Curators' tools: lint, coverage, review."""
