"""``python -m logic``: the command line (:mod:`logic.cli`)."""

import sys

from logic.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
