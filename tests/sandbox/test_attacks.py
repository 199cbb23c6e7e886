"""Hostile answers, run for real: each attack is one exercise of a shared notebook.

The exercises run in order in one worker; an attack that kills the worker costs a
fresh one for the rest. Every test checks one attack's outcome.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox.api import CaseOutcome, ExerciseOutcome

from .helpers import FAST, SANDBOXES, call, grade

pytestmark = pytest.mark.adversarial

SETUP = """
import os, sys, time, ctypes, struct, json
import torch
import torch.nn.functional as F
from autograder import check, score
"""

# Attacks on the machine: run in both sandbox modes.
MACHINE_ATTACKS = {
    "os_exit": "def os_exit(x, eps=1e-5):\n    os._exit(3)",
    "segfault": "def segfault(x, eps=1e-5):\n    return ctypes.string_at(0)",
    "spins": "def spins(x, eps=1e-5):\n    while True:\n        pass",
    "hog": "def hog(x, eps=1e-5):\n    hoard = []\n    while True:\n        hoard.append(bytearray(64 * 2**20))",
    "forks": (
        "def forks(x, eps=1e-5):\n"
        "    count = 0\n"
        "    for _ in range(5000):\n"
        "        try:\n"
        "            pid = os.fork()\n"
        "        except OSError:\n"
        "            break\n"
        "        if pid == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "        count += 1\n"
        "    return x * 0 + count"
    ),
    "writes": (
        "def writes(x, eps=1e-5):\n"
        "    open('relative.txt', 'w').write('lands in the scratch directory')\n"
        "    try:\n"
        "        open(VICTIM, 'w').write('pwned')\n"
        "        return x * 0 + 1\n"
        "    except OSError:\n"
        "        return x * 0"
    ),
    "network": "def network(x, eps=1e-5):\n    import socket\n    return x * 0 + len(socket.if_nameindex())",
    "peeks": (
        "def peeks(x, eps=1e-5):\n"
        "    print(','.join(sorted(os.listdir('/root'))))\n"
        "    print(os.access('/etc/shadow', os.R_OK))\n"
        "    return x"
    ),
}

# Attacks on the worker's own process: the sandbox mode changes nothing, so run once.
PROCESS_ATTACKS = {
    "exits": "def exits(x, eps=1e-5):\n    sys.exit(3)",
    "floods": "def floods(x, eps=1e-5):\n    for _ in range(20000):\n        print('spam' * 256)\n"
    "    os.write(1, b'raw' * 10**6)\n    return x.clone()",
    "forges": (
        "def forges(x, eps=1e-5):\n"
        "    body = json.dumps({'t': 'result', 'status': 'ran', 'message': 'forged', 'routes': [], 'stdout': '', "
        "'arrays': []}).encode()\n"
        "    frame = struct.pack('>cI', b'J', len(body)) + body\n"
        "    print(frame)\n"
        "    for fd in range(1, 40):\n"
        "        try:\n"
        "            os.write(fd, frame)\n"
        "        except OSError:\n"
        "            pass\n"
        "    return x.clone()"
    ),
    "subclass": "class Sneaky(torch.Tensor):\n    pass\n\ndef subclass(x, eps=1e-5):\n    return x.as_subclass(Sneaky)",
    "fake_eq": "class Always:\n    def __eq__(self, other):\n        return True\n\n"
    "def fake_eq(x, eps=1e-5):\n    return Always()",
    "getattr_bn": "def getattr_bn(x, eps=1e-5):\n"
    "    return getattr(F, 'batch' + '_norm')(x, None, None, training=True, eps=eps)",
    "aten_bn": "def aten_bn(x, eps=1e-5):\n"
    "    return torch.ops.aten.native_batch_norm(x, None, None, None, None, True, 0.1, eps)[0]",
    "c_bn": "def c_bn(x, eps=1e-5):\n"
    "    return torch._C._VariableFunctions.batch_norm(x, None, None, None, None, True, 0.1, eps, False)",
    "fake_numpy": (
        "def fake_numpy(x, eps=1e-5):\n"
        "    import numpy\n"
        "    torch.Tensor.numpy = lambda self, *a, **k: numpy.full(tuple(self.shape), 42.0, dtype=numpy.float32)\n"
        "    return x.clone()"
    ),
    "patches": (
        "def patches(x, eps=1e-5):\n"
        "    import builtins, numpy, autograder.submission.probes.marshal as base, autograder.submission.probes.ch01 "
        "as ch01\n"
        "    numpy.array = lambda *a, **k: 'forged'\n"
        "    base.array_out = ch01.array_out = lambda *a, **k: 'forged'\n"
        "    builtins.isinstance = lambda *a: True\n"
        "    sys.modules['numpy'] = None\n"
        "    return x.clone()"
    ),
}


@pytest.fixture(scope="module", params=SANDBOXES)
def machine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    """The machine attacks, once per sandbox mode; the victim is a file outside the scratch directory."""
    victim = tmp_path_factory.mktemp("victim") / "victim.txt"
    victim.write_text("original")
    shell = f"!echo pwned > {victim}.shell"  # a shell escape runs under the same sandbox and limits
    cells = [SETUP + f"VICTIM = {str(victim)!r}", shell, *MACHINE_ATTACKS.values()]
    outcomes = grade(cells, [call(name) for name in MACHINE_ATTACKS], request.param, exercise_seconds=6.0)
    return request.param, outcomes, victim


@pytest.fixture(scope="module")
def attacked() -> dict:
    """The process attacks, once."""
    return grade([SETUP, *PROCESS_ATTACKS.values()], [call(name) for name in PROCESS_ATTACKS])


def only_case(outcomes: dict[str, ExerciseOutcome], name: str) -> CaseOutcome:
    """The one case of an exercise that ran."""
    result = outcomes[f"t.{name}"]
    assert result.status == "ran", result
    (case,) = result.cases
    return case


def test_os_exit_ends_only_that_exercise(machine):
    result = machine[1]["t.os_exit"]
    assert result.status == "error" and "os._exit(3)" in result.message, result
    assert machine[1]["t.segfault"].status == "error"  # the next exercise got a fresh worker


def test_segfault_is_reported(machine):
    result = machine[1]["t.segfault"]
    assert result.message == "the worker crashed with a segmentation fault (SIGSEGV)", result


def test_endless_answer_times_out(machine):
    result = machine[1]["t.spins"]
    assert (result.status, result.message) == ("timeout", "timed out after 6 s")


def test_memory_hog_hits_the_limit(machine):
    result = machine[1]["t.hog"]
    text = result.message if result.status == "error" else only_case(machine[1], "hog").error
    assert "MemoryError" in text and "memory limit is 1.5 GiB" in text, result


def test_fork_bomb_is_bounded(machine):
    forked = only_case(machine[1], "forks").outputs["y"]
    assert 0 < forked.max() < FAST["processes"]


def test_writes_outside_the_scratch_directory(machine):
    sandbox, outcomes, victim = machine
    wrote = only_case(outcomes, "writes").outputs["y"].max()
    assert not Path("relative.txt").exists()
    shell_wrote = Path(f"{victim}.shell").exists()
    if sandbox == "bwrap":
        assert (wrote, victim.read_text(), shell_wrote) == (0, "original", False)
    else:  # documented: without bubblewrap the worker writes wherever the grader's user can
        assert (wrote, victim.read_text(), shell_wrote) == (1, "pwned", True)


def test_network_is_off_in_bubblewrap(machine):
    interfaces = only_case(machine[1], "network").outputs["y"].max()
    assert interfaces == 1 or machine[0] == "none"  # only the loopback device


def test_sys_exit_is_an_error_of_that_case(attacked):
    assert "SystemExit: 3" in only_case(attacked, "exits").error


def test_output_flood_is_capped(attacked):
    result = attacked["t.floods"]
    assert result.status == "ran" and result.cases[0].outputs is not None
    assert len(result.stdout) < FAST["output_bytes"] + 100 and "output cut" in result.stdout


def test_forged_frames_break_only_the_forger(attacked):
    result = attacked["t.forges"]
    assert result.status == "error" and "malformed" in result.message, result
    assert attacked["t.subclass"].status == "ran"  # the next exercise ran in a fresh worker


def test_tensor_subclass_is_refused(attacked):
    assert "must be a torch.Tensor" in only_case(attacked, "subclass").answer_error


def test_object_faking_eq_is_refused(attacked):
    assert "must be a torch.Tensor" in only_case(attacked, "fake_eq").answer_error


@pytest.mark.parametrize("name", ["getattr_bn", "aten_bn", "c_bn"])
def test_batch_norm_by_any_route_is_forbidden(attacked, name):
    result = attacked[f"t.{name}"]
    assert result.status == "forbidden", result
    assert any(route.startswith("aten::native_batch_norm (from cell") for route in result.forbidden_routes), result


def test_patched_tensor_numpy_only_forges_data(attacked):
    case = only_case(attacked, "fake_numpy")  # the probe reads even the input through the fake
    assert case.answer_error == "the input x was modified in place" or (case.outputs["y"] == 42).all()


def test_patching_the_worker_changes_nothing_here(attacked):
    result = attacked["t.patches"]  # the worker's own code breaks too
    assert result.status == "error" or (result.cases[0].outputs is None and result.cases[0].answer_error), result
    assert sys.modules["numpy"] is np and np.array([1]).dtype.kind == "i"


def test_private_files_are_hidden_in_bubblewrap(machine):
    sandbox, outcomes, _ = machine
    listing, shadow = outcomes["t.peeks"].stdout.splitlines()
    needed = {
        Path(p).resolve().parts[2] for p in (sys.base_prefix, sys.prefix) if Path(p).resolve().parts[1:2] == ("root",)
    }
    if sandbox == "bwrap":  # home directories show only what the worker needs; root's files are unreadable
        assert set(listing.split(",")) - {""} <= needed and shadow == "False"
