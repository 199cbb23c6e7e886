"""``python -m autograder grade | release | validate``."""

import sys

from autograder.cli import main

sys.exit(main())
