"""Chapter 02 specs: ``02.bn_forward``, ``02.bn_backward`` and ``02.BatchNormFunction``."""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
from torch import nn

from autograder.grader.cases import (
    LARGE_MEAN_NOTE,
    SMALL_VARIANCE_NOTE,
    Data,
    affine_params,
    case_label,
    channel_data,
    present,
    rng,
    table_cases,
    tensor,
    tensors,
)
from autograder.grader.compare import compare_bn
from autograder.grader.diagnosis import (
    EPS_AXIS,
    EPS_MODES,
    VARIANCE_AXIS,
    VARIANCES,
    Axis,
    Compare,
    compose,
    explain_y,
    forward_variants,
)
from autograder.grader.specs.base import ExerciseSpec, Variant, matching_variant
from autograder.grader.variants import bn_backward, param_grads
from autograder.types import Arrays, Case, Mismatch

FORWARD_MISCONCEPTIONS = (
    "unbiased-normalization",
    "missing-eps",
    "eps-outside-sqrt",
    "wrong-reduction-dims",
    "ignores-affine",
    "one-pass-variance",
)
BACKWARD_MISCONCEPTIONS = (
    "dx-missing-mean-term",
    "dx-missing-var-term",
    "wrong-param-grad",
    "unbiased-normalization",
    "missing-eps",
    "eps-outside-sqrt",
)

TABLE = [
    Data((4, 3, 5, 5), "float32", "channels_last", quick=True),
    Data((1, 2, 4, 4), "float32", note="a batch of one"),
    Data((3, 1, 3, 5), "float64", "noncontiguous", note="one channel, odd sizes"),
    Data((6, 2, 1, 1), "float64", note="1x1 spatial size"),
    Data((5, 3, 2, 3), "float64", "channels_last", eps=1e-2),
    Data((2, 4, 3, 3), "float32", scale=1e-3, note=SMALL_VARIANCE_NOTE),
    Data((3, 3, 4, 4), "float64", "noncontiguous", scale=2e-3, note=SMALL_VARIANCE_NOTE, quick=True),
    Data((4, 3, 6, 6), "float32", note=LARGE_MEAN_NOTE, quick=True, large_mean=True),
]


def torch_bn(case: Case, *, grad: bool) -> Arrays:
    """nn.BatchNorm2d in train mode with weight=gamma, bias=beta: y, and with ``grad`` the gradients for dy."""
    x, gamma, beta, eps = tensors(case)
    bn = nn.BatchNorm2d(x.shape[1], eps=eps, dtype=x.dtype).train()
    with torch.no_grad():
        present(bn.weight).copy_(gamma)
        present(bn.bias).copy_(beta)
    x.requires_grad_(grad)
    y = bn(x)
    out = {"y": y.detach().numpy().copy()}
    if grad:
        y.backward(tensor(case.inputs["dy"]))
        out |= {
            "dx": present(x.grad).numpy().copy(),
            "dgamma": present(bn.weight.grad).numpy().copy(),
            "dbeta": present(bn.bias.grad).numpy().copy(),
        }
    return out


def dx_variants(case: Case) -> list[Variant]:
    """Wrong dx: a statistic's term left out, the forward's mistakes, or both."""
    x, gamma, _, eps = tensors(case)
    dy = tensor(case.inputs["dy"])
    axes: dict[str, Axis] = {
        "mean_term": [(None, True), ("dx-missing-mean-term", False)],
        "var_term": [(None, True), ("dx-missing-var-term", False)],
        "variance": VARIANCE_AXIS,
        "eps_mode": EPS_AXIS,
    }
    return list(compose(axes, lambda **o: {"dx": bn_backward(x, gamma, dy, eps, **o).numpy()}))


def explain_grads(case: Case, got: Arrays, want: Arrays) -> list[str]:
    """Misconceptions explaining wrong dx, dgamma or dbeta (the forward's own mistakes included)."""
    x, _, _, eps = tensors(case)
    dy = tensor(case.inputs["dy"])
    differ = partial(compare_bn, case)
    found: list[str] = []
    if "dx" in got and got["dx"].shape == want["dx"].shape and differ({"dx": got["dx"]}, {"dx": want["dx"]}):
        found += matching_variant({"dx": got["dx"]}, dx_variants(case), differ)
    found += _explain_param_grads(x, dy, eps, got, want, differ)
    return list(dict.fromkeys(found))


def _explain_param_grads(
    x: torch.Tensor, dy: torch.Tensor, eps: float, got: Arrays, want: Arrays, differ: Compare
) -> list[str]:
    """wrong-param-grad when dgamma or dbeta is a sum over other dims (another shape) or a wrong sum."""
    found: list[str] = []
    for name in ("dgamma", "dbeta"):
        if name not in got or not differ({name: got[name]}, {name: want[name]}):
            continue
        if got[name].shape != want[name].shape:
            flat: Arrays = {name: got[name].reshape(want[name].shape)} if got[name].size == want[name].size else {}
            if not flat or differ(flat, {name: want[name]}):
                found.append("wrong-param-grad")
            continue
        variants = []
        for variance_id, variance in VARIANCES:
            for eps_id, eps_mode in EPS_MODES:
                for kind, value in param_grads(x, dy, eps, variance=variance, eps_mode=eps_mode)[name].items():
                    ids = tuple(i for i in (variance_id, eps_id, None if kind == "right" else "wrong-param-grad") if i)
                    if ids:
                        variants.append(Variant(ids, partial(lambda n, v: {n: v.numpy()}, name, value)))
        found += matching_variant({name: got[name]}, sorted(variants, key=lambda v: len(v.misconceptions)), differ)
    return found


class BnForward(ExerciseSpec):
    id = "02.bn_forward"
    points = 2
    section = "sec-derivation-forward"
    summary = "the forward transform with a learned scale and shift, returning a cache"
    misconceptions = FORWARD_MISCONCEPTIONS

    def make_cases(self) -> list[Case]:
        return table_cases(self.id, TABLE, grad=False)

    def reference(self, case: Case) -> Arrays:
        return torch_bn(case, grad=False)

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_bn(case, got, want)

    def variants(self, case: Case) -> list[Variant]:
        return forward_variants(case)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        return explain_y(case, got, self.reference(case))


class BnBackward(ExerciseSpec):
    id = "02.bn_backward"
    points = 3
    section = "sec-derivation-backward"
    summary = "the gradients with respect to the input, the scale and the shift"
    misconceptions = BACKWARD_MISCONCEPTIONS

    def make_cases(self) -> list[Case]:
        # No large-mean rows: a one-pass variance is bn_forward's mistake, graded there.
        return table_cases(self.id, [row for row in TABLE if not row.large_mean], grad=True)

    def reference(self, case: Case) -> Arrays:
        out = torch_bn(case, grad=True)
        del out["y"]
        return out

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_bn(case, got, want)

    def variants(self, case: Case) -> list[Variant]:
        return dx_variants(case)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        return explain_grads(case, got, self.reference(case))


GRADCHECK_SHAPES = [(2, 3, 2, 2), (1, 2, 3, 2)]


class BatchNormFunction(ExerciseSpec):
    """Outputs and gradients like bn_forward/bn_backward, plus gradcheck verdicts in float64.

    A gradcheck verdict is data the submission reports; it earns nothing by itself, since
    the same cases' analytic gradients are compared with torch's.
    """

    id = "02.BatchNormFunction"
    points = 2
    section = "sec-derivation-function"
    summary = "a `torch.autograd.Function` that joins the two, so that autograd uses your backward pass"
    misconceptions = tuple(dict.fromkeys(FORWARD_MISCONCEPTIONS + BACKWARD_MISCONCEPTIONS))

    def make_cases(self) -> list[Case]:
        cases = table_cases(self.id, TABLE, grad=True)
        for i, shape in enumerate(GRADCHECK_SHAPES):
            gen = rng(self.id, f"gradcheck{i}")
            x = channel_data(gen, shape, "float64")
            gamma, beta = affine_params(gen, shape[1], "float64")
            params = {"layout": "contiguous", "eps": 1e-3, "gradcheck": True}
            label = case_label("x", x, note="torch.autograd.gradcheck of x, gamma and beta", eps=1e-3)
            cases.append(Case(label, {"x": x, "gamma": gamma, "beta": beta}, params, quick=i == 0))
        return cases

    def reference(self, case: Case) -> Arrays:
        if not case.params.get("gradcheck"):
            return torch_bn(case, grad=True)
        x, gamma, beta, eps = tensors(case)

        def module(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
            return nn.functional.batch_norm(x, None, None, gamma, beta, True, 0.0, eps)

        inputs = tuple(t.requires_grad_() for t in (x, gamma, beta))
        return {"gradcheck": np.array(torch.autograd.gradcheck(module, inputs))}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        if case.params.get("gradcheck") and got.get("gradcheck", np.array(False)).shape == () and not got["gradcheck"]:
            return Mismatch(
                "gradcheck",
                "torch.autograd.gradcheck failed: backward's gradients differ from finite differences of forward",
            )
        return compare_bn(case, got, want)

    def variants(self, case: Case) -> list[Variant]:
        return [] if case.params.get("gradcheck") else forward_variants(case) + dx_variants(case)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        if case.params.get("gradcheck"):
            return []
        want = self.reference(case)
        return list(dict.fromkeys(explain_y(case, got, want) + explain_grads(case, got, want)))


SPECS: list[ExerciseSpec] = [BnForward(), BnBackward(), BatchNormFunction()]
