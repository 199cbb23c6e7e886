"""Static reading of a cell for forbidden APIs (docs/interface.md, "Forbidden in answers")."""

from __future__ import annotations

import pytest

from autograder.static.forbidden import find_forbidden, is_forbidden
from autograder.static.source import binds, defining_cell

pytestmark = pytest.mark.adversarial


@pytest.mark.parametrize(
    ("source", "route"),
    [
        ("y = F.batch_norm(x, None, None, training=True)", "F.batch_norm (torch.nn.functional.batch_norm) at line 1"),
        (
            "from torch.nn import functional as G\ny = G.group_norm(x, 2)",
            "G.group_norm (torch.nn.functional.group_norm) at line 2",
        ),
        (
            "import torch as T\ny = T.nn.functional.layer_norm(x, (3,))",
            "T.nn.functional.layer_norm (torch.nn.functional.layer_norm) at line 2",
        ),
        ("y = getattr(torch, 'batch' + '_norm')(x)", "getattr(torch, 'batch' + '_norm') (torch.batch_norm) at line 1"),
        (
            "op = ''.join(['native_', 'batch', '_norm'])\ny = getattr(torch.ops.aten, op)(x)",
            "getattr(torch.ops.aten, op) (torch.ops.aten.native_batch_norm) at line 2",
        ),
        ("y = torch.ops.aten._native_batch_norm_legit(x)", "torch.ops.aten._native_batch_norm_legit at line 1"),
        ("y = torch._C._VariableFunctions.relu(x)", "torch._C._VariableFunctions.relu at line 1"),
        ("y = torch.native_batch_norm(x)", "torch.native_batch_norm at line 1"),
        ("y = vars(F)['instance_norm'](x)", "vars(F)['instance_norm'] (torch.nn.functional.instance_norm) at line 1"),
        (
            "y = F.local_response_norm(x, 2)",
            "F.local_response_norm (torch.nn.functional.local_response_norm) at line 1",
        ),
        ("m = nn.BatchNorm2d(3)", "nn.BatchNorm2d (torch.nn.BatchNorm2d) at line 1"),
        ("m = nn.LazyInstanceNorm2d()", "nn.LazyInstanceNorm2d (torch.nn.LazyInstanceNorm2d) at line 1"),
        ("m = nn.SyncBatchNorm(3)", "nn.SyncBatchNorm (torch.nn.SyncBatchNorm) at line 1"),
        ("import torch.nn.utils.fusion", "import of torch.nn.utils.fusion at line 1"),
        (
            "from torch.nn.utils.fusion import fuse_conv_bn_eval",
            "import of torch.nn.utils.fusion.fuse_conv_bn_eval at line 1",
        ),
        (
            "import importlib\nm = importlib.import_module('torch.nn.utils' + '.fusion')",
            "importlib.import_module('torch.nn.utils' + '.fusion') (torch.nn.utils.fusion) at line 2",
        ),
        (
            "m = __import__('torch.nn.utils.fusion')",
            "__import__('torch.nn.utils.fusion') (torch.nn.utils.fusion) at line 1",
        ),
        ("exec('y = F.batch_norm(x)')", "torch.nn.functional.batch_norm at line 1"),
        ("name = input()\ny = getattr(F, name)(x)", "getattr(torch.nn.functional, <computed name>) at line 2"),
        ("from torch.nn.functional import *", "import * from torch.nn.functional at line 1"),
        ("%matplotlib inline\ny = torch.batch_norm(x)", "torch.batch_norm at line 2"),
        ("class Mine(nn.BatchNorm2d):\n    pass", "nn.BatchNorm2d (torch.nn.BatchNorm2d) at line 1"),
    ],
)
def test_routes_are_found(source, route):
    assert route in find_forbidden(source)


@pytest.mark.parametrize(
    "source",
    [
        'def f(x):\n    """Unlike F.batch_norm, this ..."""\n    # F.batch_norm(x) would be cheating\n    return x',
        "s = 'torch.nn.functional.batch_norm'\nprint(s)",
        "def batch_norm(x):\n    return x\ny = batch_norm(x)",
        "y = torch.norm(x) + torch.linalg.norm(x) + F.normalize(x) + x.var(dim=0)",
        "F = my_module\ny = F.batch_norm(x)",
        "def f(bn: nn.BatchNorm2d) -> nn.BatchNorm2d:\n    return bn",
        "y = getattr(x, name)",
        "this is not python (",
    ],
)
def test_no_false_alarms(source):
    assert find_forbidden(source) == []


@pytest.mark.parametrize("exercise", ["05.FrozenBatchNorm2d", "05.freeze_batchnorm", "06.fuse_conv_bn", "08.capstone"])
def test_reading_a_given_batchnorm_is_allowed_where_the_contract_says(exercise):
    reads = (
        "from torch.nn import BatchNorm2d\ndef f(m):\n"
        "    return isinstance(m, nn.BatchNorm2d) or type(m) is BatchNorm2d"
    )
    assert find_forbidden(reads, exercise) == []
    assert find_forbidden(reads, "02.bn_forward") != []
    assert find_forbidden("bn = nn.BatchNorm2d(3)", exercise) == ["nn.BatchNorm2d (torch.nn.BatchNorm2d) at line 1"]
    assert find_forbidden("class B(nn.BatchNorm2d):\n    pass", exercise) != []


def test_aliases_come_from_earlier_cells():
    assert find_forbidden("y = G.batch_norm(x)", prelude=["from torch.nn import functional as G"]) == [
        "G.batch_norm (torch.nn.functional.batch_norm) at line 1"
    ]
    own = "class BatchNorm2d(nn.Module):\n    pass\nbn = BatchNorm2d(3)"  # the student's class shadows torch's
    assert find_forbidden(own, prelude=["from torch.nn import BatchNorm2d"]) == []


def test_canonical_names():
    assert is_forbidden("torch.nn.modules.batchnorm._BatchNorm") and is_forbidden("torch.rms_norm")
    assert not is_forbidden("torch.nn.Module") and not is_forbidden("mylib.batch_norm")


def test_which_cell_defines_a_name():
    cells = ["import torch", "def f(x):\n    return x", "%time f(1)", "f = 3", "from m import g as h"]
    assert defining_cell(cells, "f") == 3 and defining_cell(cells, "h") == 4 and defining_cell(cells, "nope") is None
    assert binds("class F:\n    pass", "F") and not binds("y = F(1)", "F")
