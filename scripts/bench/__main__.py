"""`python -m scripts.bench`: see scripts/bench/__init__.py."""

import sys

from scripts.bench.cli import main

sys.exit(main())
