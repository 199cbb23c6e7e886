"""The capstone: its model trains deterministically; right BatchNorm2d classes pass, wrong ones are named."""

from __future__ import annotations

import pytest
import torch
from inprocess import grade
from torch import nn

from autograder.capstone_model import DigitsCNN, evaluate, train

from . import bn_impls
from .test_ch05 import BiasedRunningVar, MissingEps
from .test_ch05_module import CountsInEval, MissingEpsInEval, UpdatesBeforeNormalizingInEval


def test_training_is_deterministic_and_learns() -> None:
    first, second = DigitsCNN(), DigitsCNN()
    losses = train(first, steps=40)
    assert losses == train(second, steps=40)
    assert sum(losses[-5:]) / 5 < 0.5 * losses[0]
    assert evaluate(first)[1] > 0.8


class RandomInit(bn_impls.BatchNorm2d):
    """Draws from the global RNG while it is built (then resets to 1 and 0)."""

    def __init__(self, num_features: int, **kwargs) -> None:
        super().__init__(num_features, **kwargs)
        with torch.no_grad():
            self.weight.copy_(torch.rand(num_features))
        self.reset_parameters()


def test_weights_do_not_depend_on_the_norm_layer_constructor() -> None:
    torch_model, student_model = DigitsCNN(nn.BatchNorm2d), DigitsCNN(RandomInit)
    for name in ("conv1.weight", "conv2.weight", "fc.weight", "fc.bias"):
        assert torch.equal(torch_model.state_dict()[name], student_model.state_dict()[name])


@pytest.mark.parametrize("cls", [bn_impls.BatchNorm2d, bn_impls.BatchNorm2dVarMean])
def test_right_classes_pass(cls: type[nn.Module]) -> None:
    result = grade("08.capstone", cls)
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize(
    "cls, misconception, behaviour",
    [
        (BiasedRunningVar, "biased-running-var", "the running statistics: their update in training mode"),
        (MissingEps, "missing-eps", "the training-mode forward"),
        (MissingEpsInEval, "missing-eps", "evaluation mode: normalizing with the running statistics"),
        (CountsInEval, "updates-in-eval", "the batch count: once per training forward, never in eval mode"),
        (UpdatesBeforeNormalizingInEval, "updates-in-eval", "the running statistics"),
    ],
)
def test_wrong_classes_fail_are_named_and_the_behaviour_at_fault_is_said(
    cls: type[nn.Module], misconception: str, behaviour: str
) -> None:
    result = grade("08.capstone", cls, quick=True)
    assert result.status == "failed"
    assert result.misconceptions == [misconception], result.feedback
    assert f"What differs first is {behaviour}" in result.feedback
