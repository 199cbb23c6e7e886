"""The capstone's CNN, its data and its training loop: one definition shared by the
chapter's notebook, the capstone probe (student's process) and the grader's reference.

Everything is seeded and independent of the global RNG, so a model built with
``torch.nn.BatchNorm2d`` and one built with a student's class start from the same
weights, see the same batches and, if the two classes agree, give the same losses.
The data are scikit-learn's 8x8 handwritten digits (1797 images, shipped with the
package: no download). Training 40 steps takes a fraction of a second on one CPU core.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

NormLayer = Callable[[int], nn.Module]

TRAIN_SIZE = 1500  # the remaining 297 images are the test set
DATA_SEED = 0


@cache
def load_digits_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(x_train, y_train, x_test, y_test)``: images (N, 1, 8, 8) float32 in [0, 1], labels int64."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(DATA_SEED).permutation(len(digits.target))
    x = torch.from_numpy((digits.images[order] / 16.0).astype(np.float32)).unsqueeze(1)
    y = torch.from_numpy(digits.target[order].astype(np.int64))
    return x[:TRAIN_SIZE], y[:TRAIN_SIZE], x[TRAIN_SIZE:], y[TRAIN_SIZE:]


class DigitsCNN(nn.Module):
    """conv -> BN -> ReLU -> conv -> BN -> ReLU -> 2x2 max-pool -> linear, for 8x8 digits.

    ``norm_layer`` builds each normalization layer from its channel count, e.g.
    ``torch.nn.BatchNorm2d`` or a student's ``BatchNorm2d`` class. The convolutions have
    no bias: the BN shift that follows makes it redundant. Weights come from ``seed``
    through a private generator, whatever the norm layer's constructor does; the whole
    model is then cast to ``dtype`` (inputs are cast in ``forward``).
    """

    def __init__(
        self,
        norm_layer: NormLayer = nn.BatchNorm2d,
        channels: tuple[int, int] = (8, 16),
        seed: int = 0,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1, bias=False)
        self.bn1 = norm_layer(c1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1, bias=False)
        self.bn2 = norm_layer(c2)
        self.fc = nn.Linear(c2 * 4 * 4, 10)
        self._init_weights(seed)
        self.to(dtype)

    @torch.no_grad()
    def _init_weights(self, seed: int) -> None:
        """PyTorch's default uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from ``seed``."""
        generator = torch.Generator().manual_seed(seed)
        for layer in (self.conv1, self.conv2, self.fc):
            bound = 1.0 / math.sqrt(layer.weight[0].numel())
            for p in layer.parameters():
                p.uniform_(-bound, bound, generator=generator)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(self.fc.weight.dtype)
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.fc(torch.flatten(F.max_pool2d(x, 2), 1))


def train(model: nn.Module, steps: int = 40, batch_size: int = 32, seed: int = 0, lr: float = 0.02) -> list[float]:
    """Train with SGD, momentum 0.9 (as ``torch.optim.SGD``), on seeded random batches; each step's loss.

    The update is written out rather than taken from ``torch.optim``, whose first step
    imports the whole of ``torch._dynamo`` (seconds on a busy machine).
    """
    x_train, y_train, _, _ = load_digits_data()
    generator = torch.Generator().manual_seed(seed)
    parameters = [p for p in model.parameters() if p.requires_grad]
    velocities = [torch.zeros_like(p) for p in parameters]
    model.train()
    losses = []
    for _ in range(steps):
        index = torch.randint(0, len(y_train), (batch_size,), generator=generator)
        loss = F.cross_entropy(model(x_train[index]), y_train[index])
        grads = torch.autograd.grad(loss, parameters, allow_unused=True)
        with torch.no_grad():
            for p, v, g in zip(parameters, velocities, grads):
                v.mul_(0.9).add_(g if g is not None else torch.zeros_like(p))
                p.sub_(lr * v)
        losses.append(loss.item())
    return losses


@torch.no_grad()
def evaluate(model: nn.Module) -> tuple[torch.Tensor, float]:
    """Eval-mode logits on the test set, and the test accuracy."""
    _, _, x_test, y_test = load_digits_data()
    model.eval()
    logits = model(x_test)
    return logits, (logits.argmax(1) == y_test).float().mean().item()
