"""Entry point of ``python -m jobkit.testing``."""

import sys

from jobkit.testing._cli import main

if __name__ == "__main__":
    sys.exit(main())
