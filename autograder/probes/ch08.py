"""Chapter 08 probe: train the capstone CNN with the student's ``BatchNorm2d`` class.

The model, data and training loop are ``autograder.capstone_model``'s, so the grader
runs exactly the same thing with ``torch.nn.BatchNorm2d``. Outputs: the loss of every
training step, both BN layers' state after training, and the eval-mode test logits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.capstone_model import DigitsCNN, evaluate, train
from autograder.probes.base import array_out
from autograder.probes.ch05 import DTYPES

Arrays = dict[str, np.ndarray]


def capstone(answer: Any, inputs: Arrays, params: dict[str, Any]) -> Arrays:
    dtype = DTYPES[params["dtype"]]
    model = DigitsCNN(answer, seed=params["seed"], dtype=dtype)
    losses = train(model, steps=params["steps"], batch_size=params["batch_size"], seed=params["seed"])
    logits, _ = evaluate(model)
    out = {"training losses": np.array(losses, dtype=np.dtype(params["dtype"]))}
    for layer in ("bn1", "bn2"):
        out |= {f"{layer}.{key}": array_out(value, name=f"{layer}.{key}")
                for key, value in getattr(model, layer).state_dict().items()}
    return out | {"eval logits": array_out(logits, name="eval logits")}


PROBES = {
    "ch08.capstone": capstone,
}
