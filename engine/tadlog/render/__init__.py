"""Renderers: an Answer in, text out (text, Markdown, JSON). They never import back into questions."""
