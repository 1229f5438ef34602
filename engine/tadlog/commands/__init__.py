"""The subcommands of ``tadlog``, one module per family; cli.py builds the parser and dispatches.

Each ``cmd_*`` takes the parsed arguments and returns an exit code (0 success, 1 findings or
a tadlog error, 2 usage). Output formatting that every command shares (which knowledge base,
colour, width) lives in :mod:`.knowledge` and :mod:`.terminal`.
"""
