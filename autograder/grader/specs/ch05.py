"""Chapter 05 specs: ``05.BatchNorm2d``, ``05.FrozenBatchNorm2d`` and ``05.freeze_batchnorm``.

``05.BatchNorm2d`` is graded on *programs*: seeded sequences of operations on one
module (see ``autograder.submission.probes.modules``). In order: the symptom program
(``symptoms``: each output isolates one behaviour), one program per flag combination
(affine, bias, track_running_stats, momentum 0.1 / None / 0 / 1, eps, dtype, turning
tracking off after construction, empty batches), then the API in cases of their own
(names, ``extra_repr``, the reset methods; the errors, class and message), so a
missing method or a wrong message fails only those and the behaviour is still graded.
The reference runs the same program on ``torch.nn.BatchNorm2d``; diagnosis reads the
symptoms and runs the program on ``flawed_module``'s modules, naming the flaws that
reproduce the answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.grader.cases import bn_state, channel_data, dy_data, present, rng
from autograder.grader.compare import changed_dtype, compare_outputs, numeric_keys
from autograder.grader.flawed_module import FLAWS, flawed_batchnorm2d, misconception
from autograder.grader.module_math import LARGE_MEAN, MATH_MISCONCEPTIONS, explain_math, large_mean_program
from autograder.grader.specs.base import ExerciseSpec, Variant, matching_variant
from autograder.grader.symptoms import extra_affine, read_symptoms, symptom_program
from autograder.submission.probes.frozen import BN_AFTER, CHANGED, FROZEN, OWN, freeze_batchnorm, frozen_batchnorm2d
from autograder.submission.probes.modules import Op, constructor, module_kwargs, run_program, small_model, text_in
from autograder.types import Arrays, Case, Mismatch

MODULE_MISCONCEPTIONS = tuple(dict.fromkeys(misconception(f) for f in FLAWS)) + MATH_MISCONCEPTIONS + ("dtype-changed",)


# ---------------------------------------------------------------- 05.BatchNorm2d


@dataclass(frozen=True)
class Flags:
    """One constructor configuration and what the program does with it."""

    affine: bool = True
    bias: bool = True
    track: bool = True
    momentum: float | None = 0.1
    untrack: bool = False  # set track_running_stats = False after construction
    eps_scale: float = 1e-5  # eps; the data's variance is 1 to 10 times it (eps matters)
    dtype: str = "float32"
    quick: bool = False

    def kwargs(self, channels: int) -> dict[str, Any]:
        """Constructor keyword arguments; defaults left out (so the defaults are exercised)."""
        given = {
            "eps": self.eps_scale,
            "momentum": self.momentum,
            "affine": self.affine,
            "track_running_stats": self.track,
            "bias": self.bias,
            "dtype": self.dtype,
        }
        defaults = {
            "eps": 1e-5,
            "momentum": 0.1,
            "affine": True,
            "track_running_stats": True,
            "bias": True,
            "dtype": "float32",
        }
        return {"num_features": channels} | {k: v for k, v in given.items() if v != defaults[k] or v is None}

    def label(self, channels: int) -> str:
        return constructor(self.kwargs(channels)) + (", then track_running_stats = False" if self.untrack else "")


def _flag_grid() -> list[Flags]:
    """Every combination of the flags, with eps, dtype and untracking spread over them."""
    grid = []
    eps_choices = (1e-5, 1e-3, 0.1)
    for i, ((affine, bias), track, momentum) in enumerate(
        itertools.product([(True, True), (True, False), (False, True)], [True, False], [0.1, None, 0.0, 1.0])
    ):
        untrack = track and i % 4 == (i // 8 + 1) % 4  # with momentum None, 0 and 1 in turn
        grid.append(
            Flags(
                affine,
                bias,
                track,
                momentum,
                untrack=untrack,
                eps_scale=eps_choices[i % 3],
                dtype="float64" if i % 5 == 2 else "float32",
            )
        )
    # defaults; untracked, momentum 1, float64; bias=False with None; bias=False, 0, untrack; affine=False, 1, untrack
    quick = {0, 7, 9, 10, 19}
    return [f if i not in quick else Flags(**{**f.__dict__, "quick": True}) for i, f in enumerate(grid)]


class _ProgramBuilder:
    """Random inputs and the operations that use them, for one case."""

    def __init__(self, gen: np.random.Generator, channels: int, flags: Flags) -> None:
        self.gen, self.channels, self.flags = gen, channels, flags
        self.inputs: Arrays = {}
        self.ops: list[Op] = []
        self.scale = float(np.sqrt(flags.eps_scale) * gen.uniform(1.0, 3.0)) if flags.eps_scale > 1e-5 else 1.0
        self.center = float(gen.uniform(-2, 2)) * self.scale

    def _shape(self, batch: int | None = None) -> tuple[int, int, int, int]:
        while True:
            n = int(self.gen.integers(1, 5)) if batch is None else batch
            h, w = (int(v) for v in self.gen.integers(1, 5, 2))
            if n * h * w != 1:
                return (n, self.channels, h, w)

    def _add(self, name: str, array: np.ndarray) -> str:
        self.inputs[name] = array
        return name

    def forward(self, mode: str, backward: bool, shape: tuple[int, ...] | None = None) -> None:
        shape = shape or self._shape()
        index = sum(op["op"] == "forward" for op in self.ops) + 1
        x = self._add(
            f"x{index}", channel_data(self.gen, shape, self.flags.dtype, center=self.center, scale=self.scale)
        )
        op: Op = {"op": "forward", "mode": mode, "x": x}
        if backward:
            op["dy"] = self._add(f"dy{index}", dy_data(self.gen, shape, self.flags.dtype))
        if self.gen.random() < 0.3:
            op["layout"] = "channels_last"
        self.ops.append(op)

    def load(self) -> None:
        """Load a random state_dict with torch's keys (weights, statistics, count)."""
        bn = nn.BatchNorm2d(**module_kwargs(self.flags.kwargs(self.channels)))
        keys = list(bn.state_dict())
        if keys:
            state = bn_state(self.gen, keys, self.channels, self.flags.dtype, self.scale, self.center)
            self.inputs |= {f"state.{key}": value for key, value in state.items()}
            self.ops.append({"op": "load", "state": "state", "keys": keys})

    def build(self) -> None:
        self.ops.append({"op": "new", "kwargs": self.flags.kwargs(self.channels)})
        self.load()
        self.forward("train", backward=False)  # first without backward: an in-place change of x shows
        self.forward("train", backward=True)
        self.forward("train", backward=True, shape=self._shape(batch=0))  # empty: counted, nothing updated
        for _ in range(int(self.gen.integers(3, 6))):
            self.forward(str(self.gen.choice(["train", "eval"])), backward=bool(self.gen.random() < 0.6))
        self.forward("train", backward=True, shape=self._shape(batch=1))
        self.forward("eval", backward=bool(self.gen.random() < 0.5), shape=self._shape(batch=0))
        self.forward("eval", backward=False)
        if self.flags.untrack:
            self.ops.append({"op": "untrack"})
            self.forward("train", backward=True)
            self.forward("eval", backward=True)


def _api_program(gen: np.random.Generator) -> tuple[Arrays, list[Op]]:
    """Names and extra_repr of four constructions; the reset methods after loading random state."""
    inputs: Arrays = {}
    ops: list[Op] = []
    for i, kwargs in enumerate(_API_CONSTRUCTIONS):
        ops += [{"op": "new", "kwargs": kwargs}, {"op": "describe"}]
        keys = list(nn.BatchNorm2d(**module_kwargs(kwargs)).state_dict())
        channels, dtype = kwargs["num_features"], kwargs.get("dtype", "float32")
        state = bn_state(gen, keys, channels, dtype, 1.0, 0.5)
        inputs |= {f"state{i}.{key}": value for key, value in state.items()}
        load: Op = {"op": "load", "state": f"state{i}", "keys": keys}
        ops += [load, {"op": "reset_running_stats"}, load, {"op": "reset_parameters"}] if keys else []
    return inputs, ops


_API_CONSTRUCTIONS: list[dict[str, Any]] = [
    {"num_features": 3},
    {"num_features": 2, "eps": 1e-3, "momentum": None, "affine": False, "dtype": "float64"},
    {"num_features": 4, "bias": False, "track_running_stats": False},
    {"num_features": 3, "eps": 0.1, "momentum": 0.5, "bias": False},
]

# constructor, then (mode, input shape) of forwards that may raise
_ERRORS: list[tuple[dict[str, Any], list[tuple[str, tuple[int, ...]]]]] = [
    (
        {"num_features": 3},
        [
            ("train", (2, 3, 4)),
            ("eval", (1, 3, 2, 2, 2)),
            ("train", (1, 3, 1, 1)),
            ("eval", (1, 3, 1, 1)),
            ("train", (2, 4, 2, 2)),
            ("eval", (2, 4, 2, 2)),
        ],
    ),
    ({"num_features": 2, "track_running_stats": False}, [("eval", (2, 3, 2, 2)), ("train", (1, 2, 1, 1))]),
    ({"num_features": 3, "eps": 0.0}, [("eval", (2, 3, 2, 2)), ("train", (2, 3, 2, 2))]),
    ({"num_features": 2, "eps": -1e-05}, [("eval", (2, 2, 2, 2)), ("train", (2, 2, 3, 1))]),
    ({"num_features": 2, "eps": -1e-05, "track_running_stats": False}, [("eval", (2, 2, 2, 2))]),
]


def _errors_program(gen: np.random.Generator) -> tuple[Arrays, list[Op]]:
    """Inputs torch refuses (or, in eval mode, accepts): what is raised, and the state afterwards."""
    inputs: Arrays = {}
    ops: list[Op] = []
    for kwargs, forwards in _ERRORS:
        ops.append({"op": "new", "kwargs": kwargs})
        for mode, shape in forwards:
            name = f"x{len(inputs) + 1}"
            inputs[name] = gen.standard_normal(shape).astype(np.float32)
            ops.append({"op": "forward", "mode": mode, "x": name, "catch": True, "on": constructor(kwargs)})
    return inputs, ops


class BatchNorm2dSpec(ExerciseSpec):
    id = "05.BatchNorm2d"
    points = 5
    section = "sec-train-eval-module"
    summary = "a complete replacement for `torch.nn.BatchNorm2d`"
    misconceptions = MODULE_MISCONCEPTIONS

    def make_cases(self) -> list[Case]:
        inputs, ops = symptom_program(rng(self.id, "symptoms"))
        cases = [
            Case(
                "behaviour probes: BatchNorm2d(3, eps=0.01, dtype='float64') with momentum 0.1, then with "
                "momentum=None, then with track_running_stats=False, then with affine=False and tracking turned off "
                "after a training forward; forwards in both modes, with and without "
                f"grad, each output read on its own, {len(ops)} steps",
                inputs,
                {"ops": ops, "kind": "symptoms"},
                quick=True,
            )
        ]
        for i, flags in enumerate(_flag_grid()):
            gen = rng(self.id, str(i))
            channels = int(gen.integers(1, 4))
            builder = _ProgramBuilder(gen, channels, flags)
            builder.build()
            label = f"{flags.label(channels)}, {len(builder.ops)} steps"
            cases.append(Case(label, builder.inputs, {"ops": builder.ops, "kind": "program"}, flags.quick))
        inputs, ops = large_mean_program(rng(self.id, "large mean"))
        label = (
            "BatchNorm2d(2, dtype='float64'), one train forward of data whose mean is "
            f"{LARGE_MEAN:.0e} times its spread"
        )
        cases.append(Case(label, inputs, {"ops": ops, "kind": "program"}))
        inputs, ops = _api_program(rng(self.id, "api"))
        label = (
            "API: extra_repr, parameter and buffer names, state_dict keys; reset_running_stats(), reset_parameters()"
        )
        cases.append(Case(label, inputs, {"ops": ops, "kind": "api"}, quick=True))
        inputs, ops = _errors_program(rng(self.id, "errors"))
        label = (
            "errors: inputs torch refuses (not 4-D, one value per channel, wrong channels, eps <= 0), class and message"
        )
        cases.append(Case(label, inputs, {"ops": ops, "kind": "api"}, quick=True))
        return cases

    def reference(self, case: Case) -> Arrays:
        return run_program(nn.BatchNorm2d, case.inputs, case.params["ops"])

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_outputs(got, want)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        """dtype-changed; the symptoms (symptom case); the flawed modules that explain the first wrong step."""
        want = self.reference(case)
        found = ["dtype-changed"] if changed_dtype(got, want) else []
        kind, ops = case.params["kind"], case.params["ops"]
        if kind == "api":  # a weight or bias held with affine=False; the count around a raise
            named = extra_affine(case.inputs, ops, got) + count_alone_differs(got, want)
            return found + [m for m in named if m not in found]
        named = read_symptoms(case.inputs, ops, got) if kind == "symptoms" else []
        flaws = [f for f in FLAWS if _can_show(f, ops)]
        if not named:  # the symptoms name every flaw's misconception, and compound mistakes besides
            named = explain_by_flaws(got, want, lambda cls, steps: run_program(cls, case.inputs, ops[:steps]), flaws)
        if not named:  # the arithmetic of one training forward (module_math)
            named = explain_math(case.inputs, ops, got, want)
        if not named:  # a training forward torch counted, everything else right (an empty batch, a raise)
            named = count_alone_differs(got, want)
        return found + [m for m in named if m not in found]


def count_alone_differs(got: Arrays, want: Arrays) -> list[str]:
    """batch-count-wrong when the first difference is the count after a training forward that torch
    counted, and every other output of that step is right.

    torch counts every tracked training forward: an empty batch (N = 0), and one it then
    refuses (it counts before checking one value per channel, eps and the channels' sizes).
    An answer that skips the count there, or checks first, differs only in the count.
    """
    first = compare_outputs(got, want, numeric_keys(want))
    if first is None or not first.output.endswith(": num_batches_tracked") or "train forward" not in first.output:
        return []
    step = step_of(first.output)
    counts = [k for k in want if k.endswith(": num_batches_tracked") and step_of(k) < step]
    torch_counted = bool(counts) and int(want[first.output]) == int(want[max(counts, key=step_of)]) + 1
    rest_of_step = [k for k in want if step_of(k) == step and k != first.output]
    if not torch_counted or any(k not in got for k in rest_of_step) or compare_outputs(got, want, rest_of_step):
        return []
    return ["batch-count-wrong"]


def _can_show(flaw: str, ops: list[Op]) -> bool:
    """Whether the program can tell the flaw from torch: momentum=None, or tracking off, must occur."""
    kwargs = [op["kwargs"] for op in ops if op["op"] == "new"]
    if misconception(flaw) == "no-cumulative-average":
        return any("momentum" in k and k["momentum"] is None for k in kwargs)
    if flaw == "untracked-uses-running":
        return any(op["op"] == "untrack" for op in ops) or any(not k.get("track_running_stats", True) for k in kwargs)
    return True


def step_of(key: str) -> int:
    """The step number of an output key ("step 4 (eval forward of x3): y" -> 4)."""
    return int(key.split(" ", 2)[1])


def explain_by_flaws(
    got: Arrays, want: Arrays, run: Callable[[type[nn.Module], int | None], Arrays], flaws: list[str]
) -> list[str]:
    """Misconceptions of the flawed modules that together explain the first step where ``got`` goes wrong.

    ``run(cls, steps)`` runs the case's first ``steps`` operations (None: all) on ``cls``;
    ``flaws`` are those the program can show.
    Up to that step the answer agrees with torch, so each flaw shows there on its own: a
    flaw explains the outputs it changes if the answer has exactly its values there. The
    flaws found must together account for every output of the step that is wrong. When
    flaws of different misconceptions change the same outputs in the same way (with
    momentum 1, normalizing with just-updated running statistics looks like the n-1
    variance), only one that matches the whole program is named; if none or several
    do, none is: another case will tell. Flaws that change only part of what another
    flaw explains are not named (counting eval forwards is part of updating in eval).
    """
    first = compare_outputs(got, want, numeric_keys(want))
    if first is None:
        return []
    step = step_of(first.output)
    earlier = [k for k in numeric_keys(want) if step_of(k) < step]
    here = [k for k in numeric_keys(want) if step_of(k) == step]
    wrong_here = {k for k in here if compare_outputs(got, want, [k])}
    explanations: dict[frozenset[str], list[str]] = {}  # outputs changed -> the flaws changing exactly those
    for flaw in flaws:
        try:
            wrong = run(flawed_batchnorm2d(frozenset([flaw])), step)
        except (ValueError, ZeroDivisionError, RuntimeError):
            continue
        changed = frozenset(k for k in here if compare_outputs(wrong, want, [k]))
        if not changed or changed - wrong_here or compare_outputs(wrong, want, earlier):
            continue
        if compare_outputs(got, wrong, sorted(changed)) is None:
            explanations.setdefault(changed, []).append(flaw)
    if set().union(*explanations) != wrong_here:
        return []
    named: list[str] = []
    for changed, flaws in explanations.items():
        if any(changed < other for other in explanations):
            continue  # a flaw that changes these outputs and more explains them already
        ids = {misconception(f) for f in flaws}
        if len(ids) > 1:
            ids = {misconception(f) for f in flaws if _matches_whole_program(got, run, f)}
        if len(ids) != 1:
            return []
        named += [m for m in ids if m not in named]
    return named


def _matches_whole_program(got: Arrays, run: Callable[[type[nn.Module], int | None], Arrays], flaw: str) -> bool:
    try:
        wrong = run(flawed_batchnorm2d(frozenset([flaw])), None)
    except (ValueError, ZeroDivisionError, RuntimeError):
        return False
    return compare_outputs(got, wrong, numeric_keys(wrong)) is None


# ---------------------------------------------------------------- 05.FrozenBatchNorm2d, 05.freeze_batchnorm


def frozen_class(bn_class: type[nn.Module]) -> type[nn.Module]:
    """A ``FrozenBatchNorm2d`` whose forward is an eval-mode copy of the given bn, rebuilt with ``bn_class``.

    With torch's class it is the reference; with a flawed class, a wrong variant. It holds
    the four tensors the exercise names as buffers (copies); the copy that computes is
    kept out of ``modules()`` and ``parameters()``: nothing in it trains.
    """

    class Frozen(nn.Module):
        def __init__(self, bn: nn.Module) -> None:
            super().__init__()
            self.held = [bn.requires_grad_(False)]
            ones = torch.ones_like(present(bn.running_mean))
            for name, default in (("weight", ones), ("bias", 0 * ones)):
                value = getattr(bn, name)
                self.register_buffer(name, (default if value is None else value).detach().clone())
            for name in ("running_mean", "running_var"):
                self.register_buffer(name, present(getattr(bn, name)).detach().clone())

        @classmethod
        def from_batchnorm(cls, bn: nn.BatchNorm2d) -> Frozen:
            kwargs = {
                "eps": bn.eps,
                "momentum": bn.momentum,
                "affine": bn.affine,
                "bias": bn.bias is not None,
                "dtype": present(bn.running_mean).dtype,
            }
            copy = bn_class(bn.num_features, **kwargs)
            copy.load_state_dict(bn.state_dict())
            return cls(copy)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.held[0].eval()(x)

    return Frozen


def frozen_copies(model: nn.Module, frozen: Any) -> nn.Module:
    """``model`` with every torch BatchNorm2d replaced by ``frozen.from_batchnorm`` of it (``frozen_class``'s)."""
    if isinstance(model, nn.BatchNorm2d):
        return frozen.from_batchnorm(model)
    for name, child in model.named_children():
        setattr(model, name, frozen_copies(child, frozen))
    return model


def _name_in(key: str) -> str:
    """The tensor a key is about: "from_batchnorm(bn).running_mean: stored as" -> "running_mean"."""
    return key.split(": ")[0].rsplit(".", 1)[-1].split(" ")[-1]


def _frozen_explanation(key: str, got: Arrays) -> str:
    """What a wrong output of ``frozen_batchnorm2d`` means, said plainly ("" when its numbers say it all)."""
    name = _name_in(key)
    if key.endswith(": parameters"):
        return (
            "your module has parameters, which an optimizer would train: store weight, bias, running_mean "
            "and running_var as buffers (register_buffer), so that parameters() is empty"
        )
    if key.endswith(": stored as"):
        stored = text_in(got[key]) if key in got else "missing"
        if stored == "nn.Parameter":
            return (
                f"{name} is an nn.Parameter: a frozen layer's statistics and affine tensors are buffers "
                "(register_buffer), which no optimizer trains and state_dict() saves"
            )
        if stored.startswith("buffer"):
            return f"{name} is a buffer holding an nn.Parameter (bn's own?): store a detached copy"
        if stored.startswith("plain attribute"):
            return f"{name} is a plain attribute, not a buffer: state_dict() misses it and .to() does not move it"
        return (
            f"your module has no tensor {name}: store a copy of bn's {name} (1 for weight and 0 for bias when "
            f"bn has none) as a buffer named {name}"
        )
    if key.endswith(": requires grad"):
        return f"{name} requires grad, so gradients flow into it (a clone() without detach()?): store a detached copy"
    if key.endswith(": sharing memory with the given bn"):
        return (
            "your module shares memory with the given bn: training bn later would change your frozen copy, and "
            "changing the copy would change bn. Copy the values (clone(), or copy_() into your own buffers)"
        )
    if key.endswith(" has a gradient"):
        return f"a gradient reached the given bn's {name}: your module's tensors are still attached to it"
    if CHANGED in key:
        return (
            "after from_batchnorm, the given bn was changed in place (as more training would change it), and "
            "your module's output changed with it: a frozen copy computes with its own copies of the tensors"
        )
    if key.startswith(BN_AFTER):
        return "the given bn changed: from_batchnorm and the forwards must read bn, never change it"
    if key.startswith(f"{FROZEN} after the forwards"):
        return (
            f"your module's {name} after the forwards is not bn's {name} (1 for weight and 0 for bias when bn has "
            "none): a frozen layer holds bn's values and never changes them"
        )
    return ""


def explained(found: Mismatch | None, explanation: str) -> Mismatch | None:
    """``found`` with ``explanation`` in front of its detail."""
    if found is None or not explanation:
        return found
    return Mismatch(found.output, f"{explanation}. ({found.detail})")


# kwargs of the bn, shapes of the forwards (train, eval, train), quick
_FROZEN: list[tuple[dict[str, Any], list[tuple[int, int, int, int]], bool]] = [
    ({"num_features": 3}, [(4, 3, 5, 5), (2, 3, 3, 3), (1, 3, 1, 1)], True),
    ({"num_features": 2, "eps": 1e-3, "affine": False}, [(3, 2, 4, 4), (1, 2, 1, 1), (2, 2, 3, 5)], True),
    (
        {"num_features": 4, "eps": 0.1, "bias": False, "dtype": "float64"},
        [(2, 4, 3, 3), (5, 4, 2, 2), (3, 4, 1, 2)],
        True,
    ),
    ({"num_features": 1, "momentum": None}, [(6, 1, 2, 3), (2, 1, 4, 4), (1, 1, 3, 3)], False),
]
FROZEN_FLAWS = ("missing-eps", "eps-outside-sqrt", "ignores-affine", "batch-stats-in-eval", "updates-in-eval")


class FrozenBatchNorm2dSpec(ExerciseSpec):
    id = "05.FrozenBatchNorm2d"
    points = 2
    section = "sec-train-eval-freezing"
    summary = "batch normalization with fixed statistics and affine parameters"
    misconceptions = (*FROZEN_FLAWS, "dtype-changed")

    def make_cases(self) -> list[Case]:
        cases = []
        for i, (kwargs, shapes, is_quick) in enumerate(_FROZEN):
            gen = rng(self.id, str(i))
            bn = nn.BatchNorm2d(**module_kwargs(kwargs))
            eps = kwargs.get("eps", 1e-5)
            scale = float(np.sqrt(eps) * 2)  # variances of a few eps: a slip with eps shows in every case
            dtype = kwargs.get("dtype", "float32")
            state = bn_state(gen, list(bn.state_dict()), bn.num_features, dtype, scale, 0.5 * scale)
            inputs = {f"bn.{key}": value for key, value in state.items()}
            forwards = []
            for j, (shape, mode) in enumerate(zip(shapes, ["train", "eval", "train"]), start=1):
                inputs[f"x{j}"] = channel_data(gen, shape, dtype, center=0.5 * scale, scale=scale)
                inputs[f"dy{j}"] = dy_data(gen, shape, dtype)
                forwards.append({"mode": mode, "x": f"x{j}", "dy": f"dy{j}"})
            shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
            label = (
                f"from_batchnorm(BatchNorm2d({shown})), forwards in train, eval, train mode, "
                "then bn changed in place and one more forward"
            )
            cases.append(Case(label, inputs, {"bn": kwargs, "forwards": forwards}, is_quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        return frozen_batchnorm2d(frozen_class(nn.BatchNorm2d), case.inputs, case.params)

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        for key in want:
            found = explained(compare_outputs(got, want, [key]), _frozen_explanation(key, got))
            if found:
                return found
        return None

    def variants(self, case: Case) -> list[Variant]:
        return [Variant((flaw,), partial(_frozen_variant, flaw, case)) for flaw in FROZEN_FLAWS]

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        """The flaw whose module computes the answer's forwards, whatever the module is made of."""
        want = self.reference(case)
        found = ["dtype-changed"] if changed_dtype(got, want) else []
        forwards = [key for key in numeric_keys(want) if key.startswith("forward ")]
        if compare_outputs(got, want, forwards) is None:
            return found
        named = matching_variant(got, self.variants(case), lambda got, wrong: compare_outputs(got, wrong, forwards))
        return found + [m for m in named if m not in found]


def _frozen_variant(flaw: str, case: Case) -> Arrays | None:
    """The frozen module built on a flawed BatchNorm2d; None where that module refuses the case.

    A flaw that normalizes with batch statistics cannot run a batch of one value per
    channel (it raises ValueError, as torch's train mode does): it does not apply there.
    """
    try:
        return frozen_batchnorm2d(frozen_class(flawed_batchnorm2d(frozenset([flaw]))), case.inputs, case.params)
    except ValueError:
        return None


# channels, kwargs of the bns, quick; one channel and one bn: the model is that bn itself
_MODELS: list[tuple[list[int], list[dict[str, Any]], bool]] = [
    (
        [3, 4, 5],
        [{"num_features": 4}, {"num_features": 5, "eps": 1e-3, "momentum": None}, {"num_features": 5, "affine": False}],
        True,
    ),
    ([3], [{"num_features": 3, "eps": 1e-3}], True),
    (
        [2, 3, 2],
        [{"num_features": 3, "bias": False}, {"num_features": 2, "momentum": 0.5}, {"num_features": 2, "eps": 0.1}],
        False,
    ),
]


class FreezeBatchnormSpec(ExerciseSpec):
    """Graded on its own part: what it puts where, and whether the model it returns computes what the
    same model with the student's own ``FrozenBatchNorm2d.from_batchnorm(bn)`` in place of each
    ``BatchNorm2d`` computes (the probe runs both). A wrong ``FrozenBatchNorm2d`` is that exercise's
    failure, not this one's."""

    id = "05.freeze_batchnorm"
    points = 1
    section = "sec-train-eval-freezing"
    summary = "which swaps every `nn.BatchNorm2d` of a model for a frozen copy"

    def make_cases(self) -> list[Case]:
        cases = []
        for i, (channels, bns, is_quick) in enumerate(_MODELS):
            gen = rng(self.id, str(i))
            bare = len(bns) == 1
            model = nn.BatchNorm2d(**module_kwargs(bns[0])) if bare else small_model(bns, channels)
            inputs: Arrays = {}
            paths = []
            for name, module in model.named_modules():
                prefix = f"model.{name}." if name else "model."
                if isinstance(module, nn.BatchNorm2d):
                    paths.append(name)
                    state = bn_state(gen, list(module.state_dict()), module.num_features, "float32", 1.0, 0.5)
                    inputs |= {prefix + key: value for key, value in state.items()}
                    inputs[f"z.{name}"] = channel_data(gen, (2, module.num_features, 3, 3), "float32")
                elif isinstance(module, nn.Conv2d):
                    inputs |= {
                        prefix + k: (0.5 * gen.standard_normal(tuple(v.shape))).astype(np.float32)
                        for k, v in module.state_dict().items()
                    }
            forwards = []
            for j in (1, 2):
                shape = (int(gen.integers(2, 5)), channels[0], int(gen.integers(2, 5)), int(gen.integers(2, 5)))
                inputs[f"x{j}"] = channel_data(gen, shape, "float32")
                inputs[f"dy{j}"] = dy_data(gen, (shape[0], channels[-1], *shape[2:]), "float32")
                forwards.append({"mode": "train", "x": f"x{j}", "dy": f"dy{j}"})
            if bare:
                shown = ", ".join(f"{k}={v!r}" for k, v in bns[0].items())
                label = f"the model is a bare BatchNorm2d({shown}), train mode and one SGD step"
            else:
                label = (
                    f"Sequential model with 3 BatchNorm2d layers (one nested), channels {channels}, "
                    "train mode and one SGD step"
                )
            params = {"bns": bns, "channels": channels, "bare": bare, "bn_paths": paths, "forwards": forwards}
            cases.append(Case(label, inputs, params | {"lr": 0.1}, is_quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        frozen = frozen_class(nn.BatchNorm2d)
        return freeze_batchnorm(partial(frozen_copies, frozen=frozen), case.inputs, case.params, frozen_class=frozen)

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        """What replaced each BatchNorm2d against torch's; what the model computes against the same
        model with the student's own ``FrozenBatchNorm2d.from_batchnorm(bn)`` in place of each."""
        for key in want:
            if key.startswith(OWN):
                continue
            if OWN + key in want:
                if OWN + key not in got:
                    return Mismatch(key, "the probe produced no output of your FrozenBatchNorm2d to compare with")
                found = compare_outputs(got, {key: got[OWN + key]})
                explanation = (
                    "your model does not compute what the same model with your FrozenBatchNorm2d.from_batchnorm(bn) "
                    "in place of each BatchNorm2d computes (that is the expected value here)"
                )
            else:
                found = compare_outputs(got, want, [key])
                explanation = _freeze_explanation(case)
            if found:
                return explained(found, explanation)
        return None


def _freeze_explanation(case: Case) -> str:
    """What a wrong structural output of ``freeze_batchnorm`` means."""
    if case.params["bare"]:
        return "the model itself is a BatchNorm2d: freeze_batchnorm(bn) must return your FrozenBatchNorm2d of it"
    return (
        "every nn.BatchNorm2d of the model, nested ones too, must be replaced by "
        "your FrozenBatchNorm2d.from_batchnorm(bn)"
    )


SPECS: list[ExerciseSpec] = [BatchNorm2dSpec(), FrozenBatchNorm2dSpec(), FreezeBatchnormSpec()]
