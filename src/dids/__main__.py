"""``python -m dids``: the command-line interface."""

import sys

from dids.cli import main

sys.exit(main())
