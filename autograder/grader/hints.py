"""What to do about a case that went wrong: the kinds of problem, each with its hint, in one table.

The verdict shows the first problem of an answer. When no misconception explains it,
the feedback ends with the hint of its kind: an exception, a missing output, a string
(``extra_repr``, names, the exception raised), a shape, a dtype, a failed yes/no check
(gradcheck), NaN or Inf, an integer (compared exactly), a float64 error of float32's size
(float32 leaking in), a float close to torch's (within ``NEAR`` of the values' size) or
far from it. The kind comes from the
mismatch's output and the arrays themselves.
"""

from __future__ import annotations

import numpy as np

from autograder.grader.compare import FLOAT32_LEAK, is_text
from autograder.types import Arrays, Mismatch

NEAR = 1e-3  # a float error below this fraction of the values' size is a near miss, not a wrong formula

HINTS: dict[str, str] = {
    "raised": "read the traceback: its last line in your code is where it failed. Run this case's inputs "
    "(above) in a cell to see it happen.",
    "not-implemented": "your code raises NotImplementedError on this case: finish the part this case needs.",
    "no-outputs": "return what the exercise asks for (its type, dtype and shape are in the exercise text).",
    "rule": "return what the exercise asks for, of the type, dtype and shape it states, "
    "and leave the inputs unchanged.",
    "missing-output": "make your answer produce {output} as torch does (a gradient reaches only what the "
    "computation uses; a parameter or buffer must be registered under torch's name).",
    "extra-output": "torch has no {output} here: do not create it (a parameter or buffer that is absent "
    "is registered as None).",
    "extra_repr": "extra_repr() must return torch's string exactly (compare it character by character "
    "with the expected one above; the exercise text gives the format).",
    "names": "register parameters as nn.Parameter attributes and buffers with register_buffer, under torch's "
    "names; one that is absent is registered as None, so it is not listed.",
    "exception": "raise torch's exception, of its class and with its message, at the point torch raises it "
    "(the exercise text lists them in order); where torch raises nothing, do not raise.",
    "shape": "{output} has the wrong shape: check the dims you reduce over, keepdim, and how you broadcast back.",
    "dtype": "compute in the input's dtype and return it: no .double() or .float() on the result, "
    "no torch.tensor(...) without dtype=.",
    "nan": "{output} has NaN or Inf where torch's is finite: look for a division by zero or the square root "
    "of a negative number (eps left out, a variance that cancels below zero, a count of 0).",
    "boolean": "{output} is a check that torch's computation passes and yours fails (the line above says what "
    "it checks): fix the part of your code it tests.",
    "integer": "{output} holds integers, compared exactly: check every place your code computes or changes it "
    "(a counter counts exactly when torch's does; a count or a list of dims has no rounding).",
    "near": "{output} is close to torch's (largest error {relative:.0e} of the values' size) but outside the "
    "tolerance: look for a small term (eps left out or misplaced, n instead of n - 1 on many values) or lost "
    "precision (a float32 intermediate in a float64 case, a variance as E[x^2] - E[x]^2).",
    "float32-leak": "{output} is off by {relative:.0e} of its largest value, float32's precision: this looks like "
    "float32 leaking into the float64 computation (a float32 tensor, or a constant made with torch.tensor(...) "
    "in the default dtype float32): pass dtype=x.dtype, or use a Python float.",
    "value": "{output} is off by more than rounding can explain: work through this case with the section's "
    "equations step by step, and compare each intermediate result with what torch's module gives.",
}
TEXT_KINDS = {"extra_repr": "extra_repr", "raised": "exception"}  # other text outputs are lists of names


def hint(kind: str, **fields: object) -> str:
    """The hint of ``kind``, with its fields (``output``, ``relative``) filled in."""
    return HINTS[kind].format(**fields)


def mismatch_hint(mismatch: Mismatch, got: Arrays, want: Arrays) -> str:
    """The hint for a case whose outputs differ from torch's, by the kind of the difference."""
    key = mismatch.output
    output = f"`{key}`"
    if key not in want:
        return hint("extra-output" if key in got else "value", output=output)
    if key not in got:
        return hint("missing-output", output=output)
    if is_text(key):
        return hint(TEXT_KINDS.get(key.rsplit(": ", 1)[-1], "names"))
    have, expected = np.asarray(got[key]), np.asarray(want[key])
    if have.shape != expected.shape:
        return hint("shape", output=output)
    if have.dtype != expected.dtype:
        return hint("dtype")
    if expected.dtype.kind == "b":
        return hint("boolean", output=output)
    if expected.dtype.kind != "f":
        return hint("integer", output=output)
    if (~np.isfinite(have) & np.isfinite(expected)).any():
        return hint("nan", output=output)
    relative = _relative_error(have, expected)
    if expected.dtype == np.float64 and FLOAT32_LEAK[0] <= relative < FLOAT32_LEAK[1]:
        return hint("float32-leak", output=output, relative=relative)
    return hint("near" if relative < NEAR else "value", output=output, relative=relative)


def _relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """The largest |got - want| where want is finite, over the largest finite |want| (at least 1e-30)."""
    finite = np.isfinite(want)
    if not finite.any():
        return float("inf")
    got64, want64 = got[finite].astype(np.float64), want[finite].astype(np.float64)
    return float(np.max(np.abs(got64 - want64)) / max(float(np.max(np.abs(want64))), 1e-30))
