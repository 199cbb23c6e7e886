"""05.FrozenBatchNorm2d and 05.freeze_batchnorm: right answers written several ways pass; wrong
ones (shared memory, statistics as nn.Parameter, a bare layer left unhandled) fail with plain
feedback, are named only where a misconception explains them, and are charged to the exercise
at fault: a wrong FrozenBatchNorm2d fails its own check, not freeze_batchnorm's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import torch
from inprocess import define, grade
from torch import nn

from autograder.submission.probes.frozen import shared_with, stored_as

from . import bn_impls

ROOT = Path(__file__).resolve().parents[3]

# A correct freeze_batchnorm, which calls whatever FrozenBatchNorm2d is defined next to it.
FREEZE = """
def freeze_batchnorm(model):
    if isinstance(model, nn.BatchNorm2d):
        return FrozenBatchNorm2d.from_batchnorm(model)
    for name, child in model.named_children():
        setattr(model, name, freeze_batchnorm(child))
    return model
"""

# A FrozenBatchNorm2d with the exercise's constructor; {store} fills the four buffers in from_batchnorm.
FROZEN = """
class FrozenBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.num_features, self.eps = num_features, eps
        for name, value in [("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0), ("running_var", 1.0)]:
            self.register_buffer(name, torch.full((num_features,), value, device=device, dtype=dtype))

    @classmethod
    def from_batchnorm(cls, bn):
        frozen = cls(bn.num_features, bn.eps, bn.running_mean.device, bn.running_mean.dtype)
        ones = torch.ones_like(bn.running_mean)
        weight = bn.weight if bn.weight is not None else ones
        bias = bn.bias if bn.bias is not None else 0 * ones
{store}
        return frozen

    def forward(self, x):
        scale = self.weight * torch.rsqrt(self.running_var + {eps})
        shift = self.bias - self.running_mean * scale
        return x * scale[None, :, None, None] + shift[None, :, None, None]
"""


def frozen(store: str, eps: str = "self.eps") -> str:
    """FROZEN with ``store`` (lines of from_batchnorm's body, 8 spaces in) and the forward's eps."""
    return FROZEN.replace("{store}", store).replace("{eps}", eps)


COPY_ = """        with torch.no_grad():
            frozen.running_mean.copy_(bn.running_mean)
            frozen.running_var.copy_(bn.running_var)
            frozen.weight.copy_(weight)
            frozen.bias.copy_(bias)"""
CLONE = """        for name, value in [("weight", weight), ("bias", bias), ("running_mean", bn.running_mean),
                            ("running_var", bn.running_var)]:
            frozen.register_buffer(name, value.detach().clone())"""
TORCHVISION = '''
class FrozenBatchNorm2d(nn.Module):
    """torchvision's design, with the folded scale and shift precomputed as extra buffers."""

    def __init__(self, num_features, eps=1e-5, device=None, dtype=None):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(num_features, device=device, dtype=dtype))
        self.register_buffer("bias", torch.zeros(num_features, device=device, dtype=dtype))
        self.register_buffer("running_mean", torch.zeros(num_features, device=device, dtype=dtype))
        self.register_buffer("running_var", torch.ones(num_features, device=device, dtype=dtype))

    @classmethod
    def from_batchnorm(cls, bn):
        frozen = cls(bn.num_features, bn.eps, dtype=bn.running_var.dtype)
        state = {k: v.detach().clone() for k, v in bn.state_dict().items() if k != "num_batches_tracked"}
        frozen.load_state_dict(state, strict=False)
        scale = frozen.weight * (frozen.running_var + frozen.eps).rsqrt()
        frozen.register_buffer("scale", scale.reshape(1, -1, 1, 1))
        frozen.register_buffer("shift", (frozen.bias - frozen.running_mean * scale).reshape(1, -1, 1, 1))
        return frozen

    def forward(self, x):
        return x * self.scale + self.shift
'''

RIGHT_FROZEN = {
    "copy_ into its own buffers": frozen(COPY_),
    "clone() into new buffers": frozen(CLONE),
    "torchvision's, scale and shift precomputed": TORCHVISION,
}


def _freeze_with(frozen_source: str) -> Any:
    return define(frozen_source + FREEZE)


@pytest.mark.parametrize("how", RIGHT_FROZEN)
def test_right_frozen_modules_pass(how: str) -> None:
    namespace = _freeze_with(RIGHT_FROZEN[how])
    for exercise in ("05.FrozenBatchNorm2d", "05.freeze_batchnorm"):
        result = grade(exercise, namespace[exercise.split(".")[1]])
        assert result.status == "passed", result.feedback


def test_the_test_collections_right_answers_pass() -> None:
    assert grade("05.FrozenBatchNorm2d", bn_impls.FrozenBatchNorm2d).status == "passed"
    result = grade("05.freeze_batchnorm", bn_impls.freeze_batchnorm)
    assert result.status == "passed", result.feedback


# --- slips in the forward (moved here from test_ch05.py) ---------------------------------------


class FollowsTrainMode(bn_impls.FrozenBatchNorm2d):
    """Uses batch statistics in train mode, like a plain BatchNorm2d."""

    def forward(self, x):
        if self.training:
            var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False)
            return (x - mean[:, None, None]) / torch.sqrt(var[:, None, None] + self.eps)
        return super().forward(x)


class FrozenMissingEps(bn_impls.FrozenBatchNorm2d):
    def forward(self, x):
        scale = self.weight / torch.sqrt(self.running_var)
        return x * scale[:, None, None] + (self.bias - self.running_mean * scale)[:, None, None]


class FrozenWithoutAffine(bn_impls.FrozenBatchNorm2d):
    def forward(self, x):
        return (x - self.running_mean[:, None, None]) / torch.sqrt(self.running_var[:, None, None] + self.eps)


def test_frozen_that_follows_train_mode_fails() -> None:
    result = grade("05.FrozenBatchNorm2d", FollowsTrainMode, quick=True)
    assert result.status == "failed"
    assert "train mode" in result.feedback


@pytest.mark.parametrize(
    "wrong, misconception", [(FrozenMissingEps, "missing-eps"), (FrozenWithoutAffine, "ignores-affine")]
)
def test_frozen_slips_are_named(wrong: type[nn.Module], misconception: str) -> None:
    result = grade("05.FrozenBatchNorm2d", wrong, quick=True)
    assert result.status == "failed"
    assert result.misconceptions == [misconception], result.feedback


# --- shared memory: the frozen copy is bn's own tensors -----------------------------------------

SHARED = {
    "the tensors themselves": """        frozen.register_buffer("running_mean", bn.running_mean)
        frozen.register_buffer("running_var", bn.running_var)
        frozen.register_buffer("weight", weight)
        frozen.register_buffer("bias", bias)""",
    "detach() without clone()": """        frozen.register_buffer("running_mean", bn.running_mean.detach())
        frozen.register_buffer("running_var", bn.running_var.to(bn.running_var.dtype))
        frozen.register_buffer("weight", weight.detach())
        frozen.register_buffer("bias", bias.detach())""",
}


@pytest.mark.parametrize("how", SHARED)
def test_a_frozen_copy_sharing_memory_with_bn_fails_on_its_own(how: str) -> None:
    namespace = _freeze_with(frozen(SHARED[how]))
    result = grade("05.FrozenBatchNorm2d", namespace["FrozenBatchNorm2d"])
    assert result.status == "failed"
    assert result.misconceptions == []
    assert "sharing memory with the given bn" in result.feedback
    assert "running_mean = bn.running_mean" in result.feedback
    assert "Copy the values" in result.feedback
    # freeze_batchnorm does its part: the sharing is FrozenBatchNorm2d's fault
    assert grade("05.freeze_batchnorm", namespace["freeze_batchnorm"]).status == "passed"


READS_BN = (
    frozen(CLONE)
    .replace("        return frozen\n", "        frozen.source = [bn]\n        return frozen\n", 1)
    .replace(
        "        scale = self.weight * torch.rsqrt(self.running_var",
        "        bn = self.source[0]\n        scale = self.weight * torch.rsqrt(bn.running_var",
    )
)


def test_a_frozen_module_reading_the_given_bn_fails_when_bn_changes() -> None:
    """No tensor is shared, but the module reads bn's variance at every forward: changing bn shows it."""
    result = grade("05.FrozenBatchNorm2d", define(READS_BN)["FrozenBatchNorm2d"])
    assert result.status == "failed"
    assert result.misconceptions == []
    assert "after the given bn changed in place" in result.feedback
    assert "output changed with it" in result.feedback


def test_shared_memory_is_observed_by_storage() -> None:
    bn = nn.BatchNorm2d(2)
    module = nn.Module()
    module.register_buffer("running_mean", bn.running_mean[:])  # a view: another tensor, the same memory
    module.register_buffer("running_var", bn.running_var.clone())
    module.kept = [bn.weight.detach()]
    assert shared_with(module, bn) == ["running_mean = bn.running_mean", "kept[0] = bn.weight"]
    assert stored_as(module, "running_var") == "buffer" and stored_as(module, "bias") == "missing"


# --- statistics as nn.Parameter: FrozenBatchNorm2d's failure, not freeze_batchnorm's -----------

AS_PARAMETERS = {
    "nn.Parameter attributes": """        frozen.running_mean = nn.Parameter(bn.running_mean.clone())
        frozen.running_var = nn.Parameter(bn.running_var.clone())
        frozen.weight = nn.Parameter(weight.detach().clone())
        frozen.bias = nn.Parameter(bias.detach().clone())""",
    "register_parameter": """        del frozen.weight, frozen.bias, frozen.running_mean, frozen.running_var
        for name, value in [("running_mean", bn.running_mean), ("running_var", bn.running_var),
                            ("weight", weight), ("bias", bias)]:
            frozen.register_parameter(name, nn.Parameter(value.detach().clone(), requires_grad=False))""",
}


@pytest.mark.parametrize("how", AS_PARAMETERS)
def test_statistics_as_parameters_fail_frozen_and_not_freeze(how: str) -> None:
    namespace = _freeze_with(frozen(AS_PARAMETERS[how]))
    result = grade("05.FrozenBatchNorm2d", namespace["FrozenBatchNorm2d"])
    assert result.status == "failed"
    assert result.misconceptions == []
    assert "from_batchnorm(bn): parameters" in result.feedback
    assert "an optimizer would train" in result.feedback
    freeze = grade("05.freeze_batchnorm", namespace["freeze_batchnorm"])
    assert freeze.status == "passed", freeze.feedback


def test_the_stored_kind_is_said_plainly() -> None:
    """A parameter among buffers: the feedback names it and says what it should be."""
    source = frozen(COPY_).replace(
        "        return frozen\n",
        "        frozen.running_var = nn.Parameter(frozen.running_var)\n        return frozen\n",
    )
    # parameters() is no longer empty, so that is reported first; then how running_var is stored
    result = grade("05.FrozenBatchNorm2d", define(source)["FrozenBatchNorm2d"])
    assert result.status == "failed" and '["running_var"]' in result.feedback
    bn = nn.BatchNorm2d(3)
    module = define(source)["FrozenBatchNorm2d"].from_batchnorm(bn)
    assert stored_as(module, "running_var") == "nn.Parameter"


def test_a_clone_still_attached_to_bn_fails_on_requires_grad() -> None:
    source = frozen(CLONE.replace("value.detach().clone()", "value.clone()"))
    result = grade("05.FrozenBatchNorm2d", define(source)["FrozenBatchNorm2d"])
    assert result.status == "failed" and result.misconceptions == []
    assert "weight: requires grad" in result.feedback and "detached copy" in result.feedback


def test_compound_mistakes_are_all_named() -> None:
    """Parameters and a missing eps: the make-up is reported, the forwards still diagnosed."""
    source = frozen(AS_PARAMETERS["nn.Parameter attributes"], eps="0.0")
    namespace = _freeze_with(source)
    result = grade("05.FrozenBatchNorm2d", namespace["FrozenBatchNorm2d"])
    assert result.status == "failed"
    assert set(result.misconceptions) == {"missing-eps"}
    assert "an optimizer would train" in result.feedback
    assert grade("05.freeze_batchnorm", namespace["freeze_batchnorm"]).status == "passed"


# --- freeze_batchnorm on its own part -----------------------------------------------------------

CHILDREN_ONLY = {
    "recursion over children": """
def freeze_batchnorm(model):
    for name, child in model.named_children():
        if isinstance(child, nn.BatchNorm2d):
            setattr(model, name, FrozenBatchNorm2d.from_batchnorm(child))
        else:
            freeze_batchnorm(child)
    return model
""",
    "a loop over named_modules": """
def freeze_batchnorm(model):
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.BatchNorm2d) and name:
            parent, _, last = name.rpartition(".")
            setattr(model.get_submodule(parent), last, FrozenBatchNorm2d.from_batchnorm(module))
    return model
""",
}


@pytest.mark.parametrize("how", CHILDREN_ONLY)
def test_a_bare_batchnorm_left_unhandled_fails(how: str) -> None:
    namespace = define(frozen(COPY_) + CHILDREN_ONLY[how])
    result = grade("05.freeze_batchnorm", namespace["freeze_batchnorm"])
    assert result.status == "failed"
    assert result.misconceptions == []
    assert "the model is a bare BatchNorm2d" in result.feedback
    assert "the model itself is a BatchNorm2d" in result.feedback
    assert grade("05.FrozenBatchNorm2d", namespace["FrozenBatchNorm2d"]).status == "passed"


TOP_LEVEL_ONLY = """
def freeze_batchnorm(model):
    if isinstance(model, nn.BatchNorm2d):
        return FrozenBatchNorm2d.from_batchnorm(model)
    for name, child in model.named_children():
        if isinstance(child, nn.BatchNorm2d):
            setattr(model, name, FrozenBatchNorm2d.from_batchnorm(child))
    return model
"""
SWAPPED = """
def freeze_batchnorm(model):
    if isinstance(model, nn.BatchNorm2d):
        return FrozenBatchNorm2d.from_batchnorm(model)
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    model[1] = FrozenBatchNorm2d.from_batchnorm(bns[0])
    model[3][1] = FrozenBatchNorm2d.from_batchnorm(bns[2])  # the last bn's values in the nested place
    model[6] = FrozenBatchNorm2d.from_batchnorm(bns[1])
    return model
"""
EVAL_AND_NO_GRAD = """
def freeze_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
            m.requires_grad_(False)
    return model
"""
FREEZES_ALL = FREEZE.replace("    return model\n", "    model.requires_grad_(False)\n    return model\n")


@pytest.mark.parametrize(
    "wrong, where",
    [
        (TOP_LEVEL_ONLY, "torch BatchNorm layers left in the model"),
        (EVAL_AND_NO_GRAD, "torch BatchNorm layers left in the model"),
        (SWAPPED, "model.3.1 alone, on a test input"),
        (FREEZES_ALL, "after one SGD step"),
    ],
)
def test_wrong_freezes_fail(wrong: str, where: str) -> None:
    result = grade("05.freeze_batchnorm", define(frozen(COPY_) + wrong)["freeze_batchnorm"])
    assert result.status == "failed"
    assert result.misconceptions == []
    assert where in result.feedback


def test_a_freeze_with_another_class_fails_on_what_replaced_the_layers() -> None:
    source = frozen(COPY_) + FREEZE.replace("FrozenBatchNorm2d.from_batchnorm(model)", "copy.deepcopy(model).eval()")
    result = grade("05.freeze_batchnorm", define("import copy\n" + source)["freeze_batchnorm"])
    assert result.status == "failed"
    assert "torch BatchNorm layers left in the model" in result.feedback


def test_a_failing_frozen_class_is_named_in_freezes_feedback() -> None:
    """from_batchnorm breaks on affine=False: freeze_batchnorm's feedback says where the failure comes from."""
    source = frozen(COPY_).replace("bn.weight if bn.weight is not None else ones", "bn.weight.detach()")
    result = grade("05.freeze_batchnorm", define(source + FREEZE)["freeze_batchnorm"])
    assert result.status == "failed"
    assert "the failure comes from your FrozenBatchNorm2d" in result.feedback
    assert "AttributeError" in result.feedback


def test_a_blank_frozen_class_is_named_and_a_blank_freeze_is_not_implemented() -> None:
    blank_frozen = frozen(COPY_).replace(
        "        frozen = cls(", "        raise NotImplementedError\n        frozen = cls("
    )
    result = grade("05.freeze_batchnorm", define(blank_frozen + FREEZE)["freeze_batchnorm"])
    assert result.status == "failed"
    assert "the failure comes from your FrozenBatchNorm2d: it is not implemented yet" in result.feedback
    blank_freeze = "def freeze_batchnorm(model):\n    raise NotImplementedError\n"
    assert grade("05.freeze_batchnorm", define(blank_frozen + blank_freeze)["freeze_batchnorm"]).status == (
        "not-implemented"
    )


def test_freeze_needs_a_frozen_class_next_to_it() -> None:
    own_class = FREEZE.replace("FrozenBatchNorm2d.from_batchnorm(model)", "Frozen(model)")
    source = "class Frozen(nn.Module):\n    def __init__(self, bn):\n        super().__init__()\n" + own_class
    result = grade("05.freeze_batchnorm", define(source)["freeze_batchnorm"], quick=True)
    assert result.status == "failed" and "define FrozenBatchNorm2d in the same notebook" in result.feedback
    result = grade("05.freeze_batchnorm", define(FREEZE)["freeze_batchnorm"], quick=True)
    assert result.status == "error" and "NameError" in result.feedback


# --- the real command line, through the sandbox ------------------------------------------------

# A cloned BatchNorm2d kept in eval mode: it runs torch's batch norm, which the exercise forbids.
EVAL_BN_INSIDE = (
    frozen("        frozen.inner = [copy.deepcopy(bn).eval().requires_grad_(False)]").split("    def forward")[0]
    + "    def forward(self, x):\n        return self.inner[0](x)\n"
)
# notebook name -> (FrozenBatchNorm2d cell, statuses of (FrozenBatchNorm2d, freeze_batchnorm), misconceptions, phrase)
NOTEBOOKS = {
    "parameters": (
        frozen(AS_PARAMETERS["register_parameter"]),
        ("failed", "passed"),
        set(),
        "an optimizer would train",
    ),
    "shared": (
        frozen(SHARED["the tensors themselves"]),
        ("failed", "passed"),
        set(),
        "shares memory with the given bn",
    ),
    "missing-eps": (frozen(COPY_, eps="0.0"), ("failed", "passed"), {"missing-eps"}, "missing-eps"),
    "eval-bn-inside": (EVAL_BN_INSIDE, ("forbidden", "forbidden"), set(), "native_batch_norm"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("frozen")
    for name, (source, *_) in NOTEBOOKS.items():
        nb = nbformat.read(ROOT / "solutions/05-train-eval.ipynb", as_version=4)
        setup, kept = nb.cells[1], ("05.FrozenBatchNorm2d", "05.freeze_batchnorm")  # BatchNorm2d left out: missing
        nb.cells = [
            c for c in nb.cells if c.cell_type == "markdown" or c.metadata.get("exercise") in kept or c is setup
        ]
        [cell] = [c for c in nb.cells if c.metadata.get("exercise") == "05.FrozenBatchNorm2d"]
        cell.source = source
        nb.metadata["bn_course"] = {"chapter": "05"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    command = [sys.executable, "-m", "autograder", "grade", str(folder), "--format", "json", "--jobs", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return {Path(g["notebook"]).stem: {e["id"]: e for e in g["exercises"]} for g in json.loads(done.stdout)}


@pytest.mark.adversarial
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_command_line_charges_each_exercise(graded: dict[str, dict[str, Any]], name: str) -> None:
    _, (frozen_status, freeze_status), misconceptions, phrase = NOTEBOOKS[name]
    exercises = graded[name]
    assert exercises["05.FrozenBatchNorm2d"]["status"] == frozen_status, exercises["05.FrozenBatchNorm2d"]
    assert set(exercises["05.FrozenBatchNorm2d"]["misconceptions"]) == misconceptions
    assert phrase in exercises["05.FrozenBatchNorm2d"]["feedback"]
    assert exercises["05.freeze_batchnorm"]["status"] == freeze_status, exercises["05.freeze_batchnorm"]
    assert exercises["05.BatchNorm2d"]["status"] == "missing"


def test_torch_tensors_are_what_the_probe_compares() -> None:
    """The probe's storage test sees a copy as a copy (guarding the tests above against a blind check)."""
    bn = nn.BatchNorm2d(2)
    copy = nn.Module()
    copy.register_buffer("running_mean", torch.empty(2).copy_(bn.running_mean))
    assert shared_with(copy, bn) == []
