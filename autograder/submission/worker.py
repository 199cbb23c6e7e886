"""The worker's entry point: ``python -m autograder.submission.worker REQUEST FD [UID]``.

Started by ``autograder.sandbox.runner`` in a scratch directory. It reads the request
file (then deletes it, before any submitted code runs), sets its own rlimits (and
becomes user UID, when given), and only
then imports torch and hands over to ``autograder.submission.driver``, which runs the
cells and the probes and writes the results to the pipe ``FD``. Nothing here is
trusted by the grader: it validates every message, and a verdict is only ever
computed from the arrays.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from autograder.sandbox import limits
from autograder.sandbox.api import Limits
from autograder.sandbox.protocol import read_messages


def main() -> None:
    request_path, fd = Path(sys.argv[1]), int(sys.argv[2])
    drop_to = int(sys.argv[3]) if len(sys.argv) > 3 else None
    with request_path.open("rb") as stream:
        messages = list(read_messages(stream))
    request_path.unlink()
    header = messages[0][0]
    run_limits = Limits(**header["limits"])
    limits.apply(run_limits, drop_to)
    from autograder.submission.driver import Driver  # imports torch: only now, under the limits

    Driver(fd, header, [arrays for _, arrays in messages[1:]], run_limits).run()
    os._exit(0)  # threads the submission left running must not keep the worker alive


if __name__ == "__main__":
    main()
