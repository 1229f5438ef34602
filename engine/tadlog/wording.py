"""Phrases the explainer writes and the renderers recognise.

They live below both, so the renderers never import back into ``questions``.
"""
UNLESS_PREFIX = "if it were not established that"
