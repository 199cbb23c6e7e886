"""05.BatchNorm2d as a course meets it: each wrong form written two ways, compound mistakes, the API apart.

Every form is written once on the hooks of ``bn_impls.BatchNorm2d`` (a method
overridden) and once as an edit of ``FUNCTIONAL``, a correct module of another style
(module-level helpers, buffers registered in a loop, ``lerp_`` updates and momentum
None as an incremental mean), so that the grader's names cannot depend on how the code
is ordered. Each is graded through check()'s own path (``inprocess.grade``); the
status, the exact set of names and the key phrases of the feedback are asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch
from inprocess import define, grade

from autograder.grader import specs
from autograder.submission import probes
from autograder.submission.inprocess import run_cases

from .bn_impls import BatchNorm2d
from .test_ch05 import UntrackedUsesRunning

ID = "05.BatchNorm2d"
ALL = len(specs.spec(ID).cases())  # every case the grade runs
QUICK = len(specs.spec(ID).cases(quick=True))  # the ones check() runs; the errors case is the last of both
ROOT = Path(__file__).resolve().parents[3]

FUNCTIONAL = """
def _check(module, x, use_batch, hand_on):
    n = x.numel() // x.shape[1]
    if use_batch and n == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {x.size()}")
    if use_batch and module.eps <= 0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {module.eps}")
    if module.eps < 0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {module.eps}")
    names = ["running_mean", "running_var"] if hand_on else []
    for name in names + ["weight", "bias"]:
        value = getattr(module, name)
        if value is not None and value.shape[0] != x.shape[1]:
            raise RuntimeError(f"{name} should contain {x.shape[1]} elements not {value.shape[0]}")


def _normalize(x, mean, var, eps):
    return (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)


class BatchNorm2d(nn.Module):
    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        f = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.ones(num_features, **f)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features, **f)) if affine and bias else None
        stats = {
            "running_mean": torch.zeros(num_features, **f),
            "running_var": torch.ones(num_features, **f),
            "num_batches_tracked": torch.zeros((), dtype=torch.long, device=device),
        }
        for name, value in stats.items():
            self.register_buffer(name, value if track_running_stats else None)

    def reset_running_stats(self):
        if self.track_running_stats:
            for name, fill in (("running_mean", 0), ("running_var", 1), ("num_batches_tracked", 0)):
                getattr(self, name).fill_(fill)

    def reset_parameters(self):
        self.reset_running_stats()
        with torch.no_grad():
            if self.weight is not None:
                self.weight.fill_(1)
            if self.bias is not None:
                self.bias.fill_(0)

    def extra_repr(self):
        return ("{num_features}, eps={eps}, momentum={momentum}, affine={affine}, bias={has_bias}, "
                "track_running_stats={track_running_stats}").format(has_bias=self.bias is not None, **self.__dict__)

    def _update(self, mean, unbiased):
        with torch.no_grad():
            if self.momentum is None:
                k = int(self.num_batches_tracked)
                self.running_mean += (mean - self.running_mean) / k
                self.running_var += (unbiased - self.running_var) / k
            else:
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(unbiased, self.momentum)

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        counting = self.training and self.track_running_stats and self.num_batches_tracked is not None
        if counting:
            self.num_batches_tracked += 1
        use_batch = self.training or self.running_mean is None
        _check(self, x, use_batch, not self.training or self.track_running_stats)
        if use_batch:
            n = x.numel() // x.shape[1]
            mean = x.mean(dim=(0, 2, 3)) if n else x.new_zeros(x.shape[1])
            var = x.var(dim=(0, 2, 3), unbiased=False) if n else x.new_ones(x.shape[1])
            if counting and n:
                self._update(mean.detach(), var.detach() * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = _normalize(x, mean, var, self.eps)
        if self.weight is not None:
            y = y * self.weight[None, :, None, None]
        if self.bias is not None:
            y = y + self.bias[None, :, None, None]
        return y
"""


def edited(*edits: tuple[str, str], source: str = FUNCTIONAL) -> str:
    """``source`` with each (old, new) replaced once; every old text must be there."""
    for old, new in edits:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


def functional(*edits: tuple[str, str]) -> type:
    return define(edited(*edits))["BatchNorm2d"]


def failing_kinds(answer: type) -> list[str]:
    """The kinds of the cases ("symptoms", "program", "api") the answer fails, in case order."""
    spec = specs.spec(ID)
    cases = spec.cases()
    outcome = run_cases(probes.probe(ID), answer, cases, 60.0)
    return [
        case.params["kind"]
        for case, got in zip(cases, outcome.cases)
        if got.outputs is None or spec.compare(case, got.outputs, spec.reference(case))
    ]


# --- correct, written yet another way -------------------------------------------------------


def test_a_functional_module_with_an_incremental_mean_passes() -> None:
    result = grade(ID, functional())
    assert result.status == "passed", result.feedback


# --- the forms, each written two ways ----------------------------------------------


class UpdatesBeforeNormalizingInEval(BatchNorm2d):
    """Updates the statistics in eval mode, then normalizes with them: the eval output moves."""

    def forward(self, x):
        if not self.training and self.running_mean is not None:
            mean, var = self.batch_stats(x)
            self.update(mean.detach(), var.detach(), x.numel() // x.shape[1], self.momentum or 0.1)
        return super().forward(x)


class CountsInEval(BatchNorm2d):
    def forward(self, x):
        if not self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
        return super().forward(x)


class MissingEpsInEval(BatchNorm2d):
    def normalize(self, x, mean, var):
        if self.uses_batch_stats():
            return super().normalize(x, mean, var)
        return (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None])


class CumulativeOverKPlusOne(BatchNorm2d):
    def factor(self):
        self.num_batches_tracked += 1
        k = float(self.num_batches_tracked)
        return 1.0 / (k + 1) if self.momentum is None else self.momentum


K_PLUS_ONE = ("k = int(self.num_batches_tracked)", "k = int(self.num_batches_tracked) + 1")
NO_EPS_IN_EVAL = (
    "y = _normalize(x, mean, var, self.eps)",
    "y = _normalize(x, mean, var, self.eps if use_batch else 0)",
)
EPS_ZERO_ALLOWED = ("if use_batch and module.eps <= 0:", "if use_batch and module.eps < 0:")

FORMS: dict[str, tuple[list[str], list[type]]] = {
    "statistics updated in eval, before normalizing": (
        ["updates-in-eval"],
        [
            UpdatesBeforeNormalizingInEval,
            functional(
                (
                    "        if use_batch:\n            n =",
                    "        if not self.training and self.running_mean is not None:\n"
                    "            self._update(x.mean(dim=(0, 2, 3)).detach(), x.var(dim=(0, 2, 3)).detach())\n"
                    "        if use_batch:\n            n =",
                )
            ),
        ],
    ),
    "num_batches_tracked also counted in eval": (
        ["updates-in-eval"],  # "changes running statistics (or the batch count) in eval mode"
        [
            CountsInEval,
            functional(
                (
                    "        if counting:\n",
                    "        if self.track_running_stats and self.num_batches_tracked is not None:\n",
                ),
            ),
        ],
    ),
    "untracked, but buffers created and updated": (
        ["untracked-uses-running"],
        [
            UntrackedUsesRunning,
            functional(
                ("value if track_running_stats else None", "value"),
                ("counting = self.training and self.track_running_stats and", "counting = self.training and"),
            ),
        ],
    ),
    "eps dropped in eval only": (
        ["missing-eps"],
        [
            MissingEpsInEval,
            functional(NO_EPS_IN_EVAL),
        ],
    ),
    "momentum=None with weight 1/(k+1)": (
        ["no-cumulative-average"],
        [CumulativeOverKPlusOne, functional(K_PLUS_ONE)],
    ),
}


# --- track_running_stats = False after construction; gamma and beta ---------------------------


class UpdatesWhileBuffersExist(BatchNorm2d):
    """Decides by the buffers, not the flag: untracked after construction, it still updates and counts."""

    def forward(self, x):
        flag, self.track_running_stats = self.track_running_stats, self.running_mean is not None
        try:
            return super().forward(x)
        finally:
            self.track_running_stats = flag


class BatchStatsInEvalWhenUntracked(BatchNorm2d):
    def uses_batch_stats(self):
        return self.training or not self.track_running_stats


class RunningStatsInTrainingWhenUntracked(BatchNorm2d):
    def uses_batch_stats(self):
        if self.running_mean is None:
            return True
        return self.training and self.track_running_stats


class AffineAlways(BatchNorm2d):
    """Creates and applies weight and bias whatever ``affine`` says (extra_repr still reports it)."""

    def __init__(self, num_features, affine=True, **kwargs):
        super().__init__(num_features, affine=True, **kwargs)
        self.affine = affine


class BiasAlways(BatchNorm2d):
    """A bias even with bias=False (zero, applied): extra_repr says bias=True; not ignores-affine."""

    def __init__(self, num_features, bias=True, **kwargs):
        super().__init__(num_features, **kwargs)


class NoBetaInEval(BatchNorm2d):
    def affine_map(self, xhat):
        if self.training or self.weight is None:
            return super().affine_map(xhat)
        return xhat * self.weight[None, :, None, None]


class NoGammaBiasedVar(BatchNorm2d):
    def affine_map(self, xhat):
        return xhat if self.bias is None else xhat + self.bias[None, :, None, None]

    def update(self, mean, var, n, f):
        super().update(mean, var * (n - 1) / n, n, f)


BIASED_STORED = ("var.detach() * n / (n - 1)", "var.detach()")
NO_GAMMA_IN_TRAINING = (
    "if self.weight is not None:\n            y = y",
    "if self.weight is not None and not self.training:\n            y = y",
)
FORMS |= {
    "untracked after construction, buffers still updated": (
        ["untracked-uses-running"],
        [
            UpdatesWhileBuffersExist,
            functional(("counting = self.training and self.track_running_stats and", "counting = self.training and")),
        ],
    ),
    "untracked after construction, batch statistics in eval": (
        ["batch-stats-in-eval"],
        [
            BatchStatsInEvalWhenUntracked,
            functional(
                (
                    "use_batch = self.training or self.running_mean is None",
                    "use_batch = self.training or not self.track_running_stats",
                )
            ),
        ],
    ),
    "untracked after construction, running statistics in training": (
        ["untracked-uses-running"],
        [
            RunningStatsInTrainingWhenUntracked,
            functional(
                (
                    "use_batch = self.training or self.running_mean is None",
                    "use_batch = self.running_mean is None or (self.training and self.track_running_stats)",
                )
            ),
        ],
    ),
    "weight and bias created and applied with affine=False": (
        ["ignores-affine"],
        [
            AffineAlways,
            functional(
                ("torch.ones(num_features, **f)) if affine else None", "torch.ones(num_features, **f))"),
                ("if affine and bias else None", "if bias else None"),
            ),
        ],
    ),
    "gamma or beta left out in one mode": (
        ["ignores-affine"],
        [NoBetaInEval, functional(NO_GAMMA_IN_TRAINING)],
    ),
}


def test_weights_held_but_unused_with_affine_false_are_named_by_the_api_case() -> None:
    """Only the state_dict keys show it: the API case fails and names it."""
    answer = functional(
        ("torch.ones(num_features, **f)) if affine else None", "torch.ones(num_features, **f))"),
        ("if affine and bias else None", "if bias else None"),
        ("if self.weight is not None:\n            y = y", "if self.affine:\n            y = y"),
        (
            "if self.bias is not None:\n            y = y",
            "if self.affine and self.bias is not None:\n            y = y",
        ),
    )
    assert failing_kinds(answer) == ["api"]
    result = grade(ID, answer, quick=True)
    assert (result.status, result.misconceptions) == ("failed", ["ignores-affine"]), result.feedback


@pytest.mark.parametrize(
    "answer",
    [
        functional(("if affine and bias else None", "if affine else None")),
        BiasAlways,
    ],
    ids=["functional", "hooks"],
)
def test_a_bias_held_with_bias_false_is_not_ignores_affine(answer: type) -> None:
    result = grade(ID, answer, quick=True)
    assert (result.status, result.misconceptions) == ("failed", []), result.feedback


@pytest.mark.parametrize("form, way", [(form, way) for form in FORMS for way in (0, 1)])
def test_each_form_written_two_ways_is_named(form: str, way: int) -> None:
    names, answers = FORMS[form]
    result = grade(ID, answers[way], quick=True)
    assert result.status == "failed", result.feedback
    assert result.misconceptions == names, result.feedback
    assert result.feedback.startswith(f"Case 1 of the {QUICK} quick cases (of {ALL}), behaviour probes")
    assert "No misconception" not in result.feedback


# --- compound mistakes, named fully ---------------------------------------------------------


class KerasCountsInEvalNoEpsInEval(MissingEpsInEval):
    def forward(self, x):
        if not self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
        return super().forward(x)

    def update(self, mean, var, n, f):
        super().update(mean, var, n, 1 - f)


COMPOUND: list[tuple[type, list[str]]] = [
    (KerasCountsInEvalNoEpsInEval, ["keras-momentum", "missing-eps", "updates-in-eval"]),
    (NoGammaBiasedVar, ["biased-running-var", "ignores-affine"]),
    (functional(NO_GAMMA_IN_TRAINING, BIASED_STORED), ["biased-running-var", "ignores-affine"]),
    (
        functional(
            K_PLUS_ONE,
            NO_EPS_IN_EVAL,
            ("var.detach() * n / (n - 1)", "var.detach()"),
        ),
        ["biased-running-var", "missing-eps", "no-cumulative-average"],
    ),
]


@pytest.mark.parametrize("answer, names", COMPOUND)
def test_compound_mistakes_get_every_name(answer: type, names: list[str]) -> None:
    result = grade(ID, answer, quick=True)
    assert result.status == "failed", result.feedback
    assert sorted(result.misconceptions) == names, result.feedback


# The module without reset_running_stats: the mode from torch.is_grad_enabled(), Keras
# momentum, the biased variance stored. Written twice, in two styles.
GRAD_MODE = """
class BatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        vars(self).update(num_features=num_features, eps=eps, momentum=momentum, affine=affine,
                          track_running_stats=track_running_stats)
        c = torch.ones(num_features, device=device, dtype=dtype)
        self.weight = nn.Parameter(c.clone()) if affine else None
        self.bias = nn.Parameter(0 * c) if affine and bias else None
        buffers = {"running_mean": 0 * c, "running_var": c.clone(), "num_batches_tracked": torch.tensor(0)}
        for name, value in buffers.items():
            self.register_buffer(name, value if track_running_stats else None)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")

    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"expected 4D input (got {x.dim()}D input)")
        if torch.is_grad_enabled() or self.running_mean is None:   # training
            mean = x.mean(dim=(0, 2, 3))
            var = ((x - mean.view(1, -1, 1, 1)) ** 2).mean(dim=(0, 2, 3))
            if self.running_mean is not None and self.track_running_stats:
                self.num_batches_tracked += 1
                m = 1 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
                with torch.no_grad():
                    self.running_mean.copy_(m * self.running_mean + (1 - m) * mean)
                    self.running_var.copy_(m * self.running_var + (1 - m) * var)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + self.eps)
        if self.weight is not None:
            y = y * self.weight.view(1, -1, 1, 1)
        if self.bias is not None:
            y = y + self.bias.view(1, -1, 1, 1)
        return y
"""

GRAD_MODE_FUNCTIONAL = edited(
    (
        "        use_batch = self.training or self.running_mean is None\n",
        "        use_batch = torch.is_grad_enabled() or self.running_mean is None\n"
        "        counting = use_batch and self.track_running_stats and self.num_batches_tracked is not None\n"
        "        if counting:\n"
        "            self.num_batches_tracked += 1\n",
    ),
    ("        if counting:\n            self.num_batches_tracked += 1\n        use_batch", "        use_batch"),
    ("var.detach() * n / (n - 1)", "var.detach()"),
    ("lerp_(mean, self.momentum)", "lerp_(mean, 1 - self.momentum)"),
    ("lerp_(unbiased, self.momentum)", "lerp_(unbiased, 1 - self.momentum)"),
    ("    def reset_running_stats(self):", "    def _unused(self):"),
)
SWITCH_NAMES = [
    "batch-stats-in-eval",
    "biased-running-var",
    "keras-momentum",
    "running-stats-in-training",
    "updates-in-eval",
]


@pytest.mark.parametrize("source", [GRAD_MODE, GRAD_MODE_FUNCTIONAL], ids=["own style", "functional"])
def test_mode_from_grad_mode_without_reset_is_named_and_fails_the_api_alone(source: str) -> None:
    answer = define(source)["BatchNorm2d"]
    result = grade(ID, answer)
    assert result.status == "failed", result.feedback
    assert sorted(result.misconceptions) == SWITCH_NAMES, result.feedback
    kinds = failing_kinds(answer)
    assert kinds[0] == "symptoms" and kinds[-2] == "api", kinds  # the API case (names, resets) fails too


def test_a_missing_reset_running_stats_fails_only_the_api_case() -> None:
    answer = functional(
        ("    def reset_running_stats(self):", "    def _unused(self):"),
        ("        self.reset_running_stats()\n", ""),
    )
    assert failing_kinds(answer) == ["api"]
    result = grade(ID, answer, quick=True)
    assert result.status == "failed"
    assert "step 4 (reset_running_stats()): raised: your code raised \"AttributeError: 'BatchNorm2d' object has no" in (
        result.feedback
    )
    assert "torch raises nothing" in result.feedback


# --- errors: class and message; eps <= 0 -----------------------------------------------------


class WrongDimMessage(BatchNorm2d):
    def forward(self, x):
        if x.dim() != 4:
            raise ValueError(f"Expected a 4-D input, got {x.dim()}-D")
        return super().forward(x)


class NeverRefusesEps(BatchNorm2d):
    def check(self, x, batch, n):
        eps, self.eps = self.eps, 1.0
        try:
            super().check(x, batch, n)
        finally:
            self.eps = eps


EPS_PHRASE = "'ValueError: batch_norm eps must be positive during training, but got 0.0'"
ERRORS: dict[str, list[tuple[type, str]]] = {
    "a message of its own": [
        (
            WrongDimMessage,
            "your code raised 'ValueError: Expected a 4-D input, got 3-D'; torch raises 'ValueError: expected 4D input",
        ),
        (
            functional(("positive during training, but got {module.eps}", "positive, got eps={module.eps}")),
            "your code raised 'ValueError: batch_norm eps must be positive, got eps=0.0'; torch raises " + EPS_PHRASE,
        ),
    ],
    "eps <= 0 never refused in training": [
        (NeverRefusesEps, "your code raised nothing; torch raises " + EPS_PHRASE),
        (functional(EPS_ZERO_ALLOWED), "your code raised nothing"),
    ],
}


@pytest.mark.parametrize("form, way", [(form, way) for form in ERRORS for way in (0, 1)])
def test_errors_are_graded_by_class_and_message_in_their_own_case(form: str, way: int) -> None:
    answer, phrase = ERRORS[form][way]
    result = grade(ID, answer, quick=True)
    assert result.status == "failed"
    assert result.misconceptions == []
    assert (
        result.feedback.startswith(f"Case {QUICK} of the {QUICK} quick cases (of {ALL}), errors")
        and f"The {QUICK - 1} case(s) before it passed." in result.feedback
    )
    assert phrase in result.feedback


# --- the empty batch ------------------------------------------------------------------------


class NanOnEmptyBatch(BatchNorm2d):
    def forward(self, x):
        n = x.numel() // x.shape[1]
        if n == 0 and self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1
            self.update(*self.batch_stats(x), n, self.factor_without_count())
            return self.affine_map(x)
        return super().forward(x)

    def factor_without_count(self):
        return 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum


EMPTY: list[tuple[type, str]] = [
    (NanOnEmptyBatch, "running_mean: 1 of 1 values are NaN or Inf where the reference is finite"),
    (functional(("        if counting:\n", "        if counting and x.shape[0]:\n")), "num_batches_tracked"),
]


@pytest.mark.parametrize("answer, phrase", EMPTY)
def test_an_empty_batch_counts_and_updates_nothing(answer: type, phrase: str) -> None:
    result = grade(ID, answer, quick=True)
    assert result.status == "failed"
    assert "step 5 (train forward of x3 (0, 1, 2, 1), backward): " + phrase in result.feedback


# --- the real command line, on a notebook -------------------------------------------------------


def test_the_cli_names_the_compound_module_and_grades_errors_in_a_notebook(tmp_path: Path) -> None:
    """The chapter's solution notebook with its BatchNorm2d replaced, graded by `python -m autograder grade`."""
    solution = nbformat.read(ROOT / "solutions/05-train-eval.ipynb", as_version=4)
    wrong_eps = edited(EPS_ZERO_ALLOWED)
    for name, source in (("grad-mode", GRAD_MODE), ("eps", wrong_eps)):
        notebook = nbformat.from_dict(json.loads(json.dumps(solution)))
        [cell] = [c for c in notebook.cells if c.metadata.get("exercise") == ID]
        cell.source = source
        last_check = max(i for i, c in enumerate(notebook.cells) if c.metadata.get("check"))
        notebook.cells = notebook.cells[: last_check + 1]  # the exercises, without the exploration
        nbformat.write(notebook, tmp_path / f"{name}.ipynb")
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(tmp_path), "--format", "json", "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    grades = {Path(g["notebook"]).stem: {e["id"]: e for e in g["exercises"]} for g in json.loads(done.stdout)}
    for name in grades:
        assert grades[name]["05.FrozenBatchNorm2d"]["status"] == "passed"
    module = grades["grad-mode"][ID]
    assert (module["status"], sorted(module["misconceptions"])) == ("failed", SWITCH_NAMES), module["feedback"]
    assert f"Case 1 of {ALL}, behaviour probes" in module["feedback"]
    eps = grades["eps"][ID]
    assert (eps["status"], eps["misconceptions"]) == ("failed", []), eps["feedback"]
    assert f"Case {ALL} of {ALL}, errors" in eps["feedback"] and "your code raised nothing" in eps["feedback"]
