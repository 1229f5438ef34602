"""``tadlog review``: what a change to the knowledge base does, by meaning and by consequence.

A curator's pull request is read three ways: which declarations it adds, removes or changes
(compared by meaning — model dataclasses leave locations out of equality, and order inside
citation lists, conflict sides and aliases is normalised, so moving or reformatting text is
no change), which derived facts it gains or loses (both sides evaluated by the real engine),
and which answers to the standard questions (``kb/questions.txt``) change. Then the findings
of ``tadlog check`` that the change introduces or fixes.

Speed: each side is parsed once, and a file whose text is the same on both sides is parsed
once for both (declarations are immutable, and locations are relative to the knowledge-base
folder, so they are shareable); each side is evaluated once and its answers reuse that
evaluation; quotes of statements that did not change are verified once.

Git revisions are read with ``git archive`` into a temporary folder: neither the working tree
nor the index is ever written.
"""
from .render import render_github, render_markdown, render_text  # noqa: F401
from .report import Review, compare, review  # noqa: F401
from .sides import SCHEMA, Side, load_side, resolve  # noqa: F401
