"""``python tests/cli_inprocess.py ARGS``: the real CLI, with the in-process runner for the sandbox.

For end-to-end CLI tests that must not depend on the sandbox working on this machine.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inprocess import run_in_process

import autograder.grading
from autograder.cli import main

autograder.grading.sandbox_runner = run_in_process
sys.exit(main())
