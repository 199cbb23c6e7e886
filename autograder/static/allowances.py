"""Per-exercise exceptions to the forbidden APIs (docs/interface.md, "Forbidden in answers").

Used by the static reading (``autograder.static.forbidden``) and by the run-time op
watch (``autograder.submission.watch``). Exercises not listed allow nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Allowance:
    """What one exercise's answer may do with otherwise forbidden APIs."""

    # Canonical names the answer may mention without calling or subclassing them:
    # ``isinstance(m, nn.BatchNorm2d)``, an annotation, reading a given module's buffers.
    mention: frozenset[str] = frozenset()
    # aten operators the answer may run, by schema name ("aten::native_batch_norm").
    ops: frozenset[str] = frozenset()


_READS_BATCHNORM = Allowance(
    mention=frozenset(
        {
            "torch.nn.BatchNorm2d",
            "torch.nn.modules.batchnorm.BatchNorm2d",
            "torch.nn.modules.batchnorm._BatchNorm",
            "torch.nn.modules.batchnorm._NormBase",
        }
    )
)

ALLOWANCES: dict[str, Allowance] = {
    "05.FrozenBatchNorm2d": _READS_BATCHNORM,  # from_batchnorm(bn) reads a given module
    "05.freeze_batchnorm": _READS_BATCHNORM,  # must find every nn.BatchNorm2d with isinstance
    "06.fold_bn": _READS_BATCHNORM,  # bn is given; its buffers are read, never run
    "06.fuse_conv_bn": _READS_BATCHNORM,
    "08.capstone": _READS_BATCHNORM,  # torch's BatchNorm2d runs on the grader's side only
}


def allowance(exercise_id: str) -> Allowance:
    """The exceptions of one exercise (none for most)."""
    return ALLOWANCES.get(exercise_id, Allowance())
