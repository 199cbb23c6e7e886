"""Chapter 02 specs: ``02.bn_forward``, ``02.bn_backward`` and ``02.BatchNormFunction``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

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
    dy_data,
    present,
    rng,
    table_cases,
    tensor,
    tensors,
)
from autograder.grader.compare import Tolerance, compare_arrays, compare_bn
from autograder.grader.diagnosis import (
    EPS_AXIS,
    EPS_MODES,
    VARIANCE_AXIS,
    VARIANCES,
    Axis,
    Compare,
    combinations,
    compose,
    explain_y,
    forward_axes,
    forward_variants,
)
from autograder.grader.specs.base import ExerciseSpec, Variant, matching_variant
from autograder.grader.variants import bn_backward, bn_train, channel_dims, param_grads
from autograder.submission.probes.marshal import BACKWARD, FORWARD_Y, GRADS, MUL_BY_GRAD_OUTPUT
from autograder.submission.probes.modules import text_in, text_out
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


@dataclass(frozen=True)
class YourForward:
    """What the student's own bn_forward is on one case, judged here from the y its probe observed.

    ``right``: it matches torch; else ``options`` are ``bn_train``'s keywords of the named
    wrong variant it matches (``ids`` its misconceptions), or None when no variant does.
    """

    right: bool = False
    ids: tuple[str, ...] = ()
    options: dict[str, Any] | None = None

    def blame(self) -> str:
        """The sentence that charges a failure to bn_forward."""
        if self.options is not None:
            return f"your bn_forward has {', '.join(self.ids)} here (charged to 02.bn_forward)"
        return "your bn_forward fails this case too (its y differs from torch's)"


def your_forward(case: Case, got: Arrays) -> YourForward | None:
    """The student's bn_forward on this case, from the y its probe observed (None when none came back)."""
    if FORWARD_Y not in got or got[FORWARD_Y].shape != case.inputs["x"].shape:
        return None
    mine = {"y": got[FORWARD_Y]}
    if compare_bn(case, mine, torch_bn(case, grad=False)) is None:
        return YourForward(right=True)
    x, gamma, beta, eps = tensors(case)
    for ids, options in combinations(forward_axes(x.dim())):
        y = bn_train(x, gamma, beta, eps, **options).numpy()
        if np.isfinite(y).all() and compare_bn(case, mine, {"y": y}) is None:
            return YourForward(ids=ids, options=options)
    return YourForward()


def right_for(case: Case, options: dict[str, Any]) -> list[Arrays]:
    """The gradients a right backward gives for the forward ``bn_train(**options)``, two ways.

    torch's autograd of that forward, and the textbook backward evaluated at its
    statistics (what a right bn_backward computes from a cache holding that forward's
    x_hat and 1 / std; it differs from autograd when the statistics are not the
    channel's biased ones). Computed here, from torch, never from the submission.
    """
    x, gamma, beta, eps = tensors(case)
    dy = tensor(case.inputs["dy"])
    given = [t.clone().requires_grad_() for t in (x, gamma, beta)]
    bn_train(given[0], given[1], given[2], eps, **options).backward(dy)
    grads = [t.grad if t.grad is not None else torch.zeros_like(t) for t in given]
    found = [dict(zip(GRADS, (g.numpy() for g in grads)))]
    if options.get("dims", channel_dims(x.dim())) == channel_dims(x.dim()):
        statistics = {"variance": options.get("variance", "biased"), "eps_mode": options.get("eps_mode", "inside")}
        params = param_grads(x, dy, eps, **statistics)
        dx = bn_backward(x, gamma, dy, eps, **statistics)
        found.append(
            {"dx": dx.numpy(), "dgamma": params["dgamma"]["right"].numpy(), "dbeta": params["dbeta"]["right"].numpy()}
        )
    return found


def named_grads(case: Case, grads: Arrays, want: Arrays) -> list[str] | None:
    """The misconceptions of gradients that differ from ``want``, when every differing one is named; else None."""
    named: list[str] = []
    for name in GRADS:
        one = {name: grads[name]}
        if compare_bn(case, one, {name: want[name]}) is None:
            continue
        found = explain_grads(case, one, want)
        if not found:
            return None
        named += [m for m in found if m not in named]
    return named


class BnBackward(ExerciseSpec):
    """Graded on its own part: the backward of the forward the student's bn_forward computes.

    The cache is the student's bn_forward's, in a format of their own, so no stand-in can
    replace it. When that forward has a named mistake on a case, the gradients a right
    backward gives for it (``right_for``, computed here) pass too, and the feedback charges
    the mistake to bn_forward; when it fails in no named way, nothing separates the two,
    and the feedback says to fix bn_forward first.
    """

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
        return self._own_part(case, got, want)[0]

    def caveat(self, case: Case, got: Arrays) -> str | None:
        return self._own_part(case, got, self.reference(case))[1]

    def _own_part(self, case: Case, got: Arrays, want: Arrays) -> tuple[Mismatch | None, str | None]:
        """(the mismatch charged to bn_backward, or None; what was charged to bn_forward instead)."""
        found = compare_bn(case, got, want)
        forward = None if found is None else your_forward(case, got)
        if found is None or forward is None or forward.right:
            return found, None
        if forward.options is not None and any(
            compare_bn(case, got, right) is None for right in right_for(case, forward.options)
        ):
            right = "bn_backward was graded as the backward of the forward you have, and is right for it"
            return None, f"{forward.blame()}; {right}"
        why = "bn_backward is graded with its cache: fix bn_forward first"
        if forward.options is not None:
            why = "bn_backward differs from the gradients of that forward too"
        return Mismatch(found.output, f"{found.detail}\n  Note: {forward.blame()}; {why}."), None

    def variants(self, case: Case) -> list[Variant]:
        return dx_variants(case)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        forward = your_forward(case, got)
        if forward is not None and not forward.right and forward.options is None:
            return []  # nothing separates bn_backward's mistakes from bn_forward's
        charged = forward.ids if forward is not None else ()
        return [m for m in explain_grads(case, got, self.reference(case)) if m not in charged]


GRADCHECK_SHAPES = [(2, 3, 2, 2), (1, 2, 3, 2)]
GRADCHECK_INPUTS = {"dx": "x", "dgamma": "gamma", "dbeta": "beta"}  # gradient: the input it is for
# The exact-zero sub-tests judged at gradcheck's own atol (its default): a term that small
# is below what its Jacobian check sees, while a backward that ignores grad_output leaves
# terms of the size of the gradients.
GRADCHECK_ZERO = Tolerance(rtol=0.0, atol=1e-5)
ZERO_SUBTESTS = {
    "grad_output = 0": "'backward multiplied by grad_output' (with grad_output = 0 every gradient must be 0)",
    "undefined grad_output": "'undefined grad_output' (with no gradient flowing back every gradient must be 0 or None)",
}


def gradcheck_subtest(message: str) -> str:
    """Which of gradcheck's sub-tests a GradcheckError message comes from, and what it means."""
    first = message.strip().splitlines()[0] if message.strip() else message
    if first.startswith("Jacobian mismatch"):
        return (
            "its Jacobian check failed: backward's gradients differ from finite differences of forward "
            f"({first.rstrip(',')}; inputs are 0: x, 1: gamma, 2: beta)"
        )
    if first.startswith("Backward is not reentrant"):
        return "its reentrancy check failed: two backward passes with the same grad_output gave different gradients"
    return f"it failed: {first}"


def compare_gradcheck(case: Case, got: Arrays) -> Mismatch | None:
    """gradcheck's verdict, with its exact-zero sub-tests judged at ``GRADCHECK_ZERO`` instead."""
    message = text_in(got["gradcheck"]) if "gradcheck" in got else "no verdict came back"
    if message not in ("", MUL_BY_GRAD_OUTPUT):
        return Mismatch("gradcheck", f"torch.autograd.gradcheck of x, gamma and beta: {gradcheck_subtest(message)}")
    if "undefined grad_output" in got:
        raised = text_in(got["undefined grad_output"])
        return Mismatch("gradcheck", f"gradcheck's sub-test {ZERO_SUBTESTS['undefined grad_output']} failed: {raised}")
    for when, subtest in ZERO_SUBTESTS.items():
        for grad, given in GRADCHECK_INPUTS.items():
            key = f"{when}: {grad}"
            zero = {key: np.zeros_like(case.inputs[given])}
            found = compare_arrays(got, zero, tolerances={key: GRADCHECK_ZERO})
            if found:
                return Mismatch("gradcheck", f"gradcheck's sub-test {subtest} failed: {key}: {found.detail}")
    return None


class BatchNormFunction(ExerciseSpec):
    """Outputs and gradients like bn_forward/bn_backward, plus gradcheck's sub-tests in float64.

    Graded on its own part, the wiring (ctx, what is saved, the gradients returned, None
    for eps): an output that differs from torch's passes when it is what the student's
    own bn_forward or bn_backward gives on the same case (observed by the probe) AND
    that is a named mistake computed here, which is charged to that exercise. So a
    Function gains nothing from parts that are merely consistent with it; and a
    gradcheck verdict is data the submission reports, which earns nothing by itself,
    since the same cases' analytic gradients are compared with torch's.
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
            inputs = {"x": x, "gamma": gamma, "beta": beta, "dy": dy_data(gen, shape, "float64")}
            params = {"layout": "contiguous", "eps": 1e-3, "gradcheck": True}
            label = case_label("x", x, note="torch.autograd.gradcheck of x, gamma and beta", eps=1e-3)
            cases.append(Case(label, inputs, params, quick=i == 0))
        return cases

    def reference(self, case: Case) -> Arrays:
        if not case.params.get("gradcheck"):
            return torch_bn(case, grad=True)
        x, gamma, beta, eps = tensors(case)

        def module(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor) -> torch.Tensor:
            return nn.functional.batch_norm(x, None, None, gamma, beta, True, 0.0, eps)

        inputs = tuple(t.requires_grad_() for t in (x, gamma, beta))
        torch.autograd.gradcheck(module, inputs)  # raises when torch's own batch norm fails it
        return {"gradcheck": text_out("")}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return self._own_part(case, got, want)[0]

    def caveat(self, case: Case, got: Arrays) -> str | None:
        return self._own_part(case, got, self.reference(case))[1]

    def _own_part(self, case: Case, got: Arrays, want: Arrays) -> tuple[Mismatch | None, str | None]:
        """(the mismatch charged to BatchNormFunction, or None; what was charged to bn_forward/bn_backward)."""
        if case.params.get("gradcheck"):
            return self._gradcheck(case, got)
        found = compare_bn(case, got, want)
        if found is None:
            return None, None
        forward = your_forward(case, got)
        notes: list[str] = []
        accepted = [{name: want[name] for name in GRADS}]
        if compare_bn(case, {"y": got["y"]}, {"y": want["y"]}):
            if forward is None or forward.options is None or compare_bn(case, {"y": got["y"]}, {"y": got[FORWARD_Y]}):
                return _blamed(found, forward, "BatchNormFunction's y is checked first"), None
            notes.append(f"its y is your bn_forward's: {forward.blame()}")
            accepted += right_for(case, forward.options)
        yours = {name: got[BACKWARD + name] for name in GRADS if BACKWARD + name in got}
        named = named_grads(case, yours, want) if len(yours) == len(GRADS) else None
        mine = {name: got[name] for name in GRADS}
        if any(compare_bn(case, mine, grads) is None for grads in accepted):
            return None, "; ".join(notes) or None
        if named and compare_bn(case, mine, yours) is None:
            notes.append(
                f"its gradients are your bn_backward's, which has {', '.join(named)} here (charged to 02.bn_backward)"
            )
            return None, "; ".join(notes)
        return compare_bn(case, mine, accepted[-1]), None

    def _gradcheck(self, case: Case, got: Arrays) -> tuple[Mismatch | None, str | None]:
        """gradcheck's sub-tests; a Jacobian mismatch is charged to the parts when they fail with named mistakes."""
        found = compare_gradcheck(case, got)
        if found is None:
            return None, None
        forward = your_forward(case, got)
        yours = {name: got[BACKWARD + name] for name in GRADS if BACKWARD + name in got}
        want = torch_bn(case, grad=True)
        backward_wrong = len(yours) == len(GRADS) and compare_bn(case, yours, want) is not None
        forward_wrong = forward is not None and not forward.right
        if forward is not None and forward.options is not None and backward_wrong:
            backward_wrong = all(compare_bn(case, yours, right) for right in right_for(case, forward.options))
        if not (forward_wrong or backward_wrong):
            return found, None
        named = named_grads(case, yours, want) if backward_wrong else []
        if named and forward is not None:
            named = [m for m in named if m not in forward.ids]
        jacobian = "Jacobian check" in found.detail
        if jacobian and named is not None and (forward is None or forward.right or forward.options is not None):
            parts = [forward.blame()] if forward_wrong and forward is not None else []
            parts += [f"your bn_backward has {', '.join(named)} here (charged to 02.bn_backward)"] if named else []
            return None, "gradcheck's Jacobian check fails with your parts: " + "; ".join(parts)
        return _blamed(
            found, forward, "gradcheck checks BatchNormFunction with the parts it calls", backward_wrong
        ), None

    def variants(self, case: Case) -> list[Variant]:
        return [] if case.params.get("gradcheck") else forward_variants(case) + dx_variants(case)

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        if case.params.get("gradcheck"):
            return []
        want = self.reference(case)
        forward = your_forward(case, got)
        charged = forward.ids if forward is not None else ()
        found = explain_y(case, got, want) + explain_grads(case, got, want)
        return [m for m in dict.fromkeys(found) if m not in charged]


def _blamed(found: Mismatch, forward: YourForward | None, why: str, backward_wrong: bool = False) -> Mismatch:
    """``found``, with a note on the student's parts that fail the same case."""
    blame = [forward.blame()] if forward is not None and not forward.right else []
    blame += ["your bn_backward fails this case too"] if backward_wrong else []
    if not blame:
        return found
    return Mismatch(found.output, f"{found.detail}\n  Note: {'; '.join(blame)}; {why}: fix them first.")


SPECS: list[ExerciseSpec] = [BnForward(), BnBackward(), BatchNormFunction()]
