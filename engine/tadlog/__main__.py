"""``python -m tadlog`` is the ``tadlog`` command."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
