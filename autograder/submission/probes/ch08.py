"""Chapter 08 probe: train the capstone CNN with the student's ``BatchNorm2d`` class.

The model, data and training loop are ``autograder.capstone_model``'s, so the grader
runs exactly the same thing (``modules.train_capstone``) with ``torch.nn.BatchNorm2d``.
Outputs: the loss of every training step, both BN layers' state after training, and
the eval-mode test logits.
"""

from __future__ import annotations

from autograder.submission.probes.modules import train_capstone

PROBES = {
    "08.capstone": train_capstone,
}
