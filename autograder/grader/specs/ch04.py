"""Chapter 04 specs: ``04.ema_update``, ``04.update_running_stats``, ``04.ema_debias`` and ``04.population_stats``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn

from autograder.grader.cases import LARGE_MEAN_NOTE, case_label, channel_data, large_mean_data, present, rng, tensor
from autograder.grader.compare import compare_arrays
from autograder.grader.diagnosis import Axis, compose
from autograder.grader.specs.base import ExerciseSpec, Variant, matching_variant
from autograder.grader.variants import channel_dims, ema, moments, one_pass_bound, running_stats, update_weight
from autograder.misconceptions import Misconception
from autograder.submission.probes.marshal import EMA_SEEN, EMA_SEEN_MOMENTUM
from autograder.types import Arrays, Case, Mismatch

STATS = ("running_mean", "running_var")
# outputs are stacked over the sequence, one row per batch: (batches, C) and (batches,)
SEQUENCE_AXES = {
    "running_mean": ("batch", "channel"),
    "running_var": ("batch", "channel"),
    "num_batches_tracked": ("batch",),
}


def running_bn(momentum: float | None, mean: np.ndarray, var: np.ndarray, tracked: int) -> nn.BatchNorm2d:
    """nn.BatchNorm2d in train mode (of ``mean``'s size and dtype) whose buffers hold the given statistics."""
    bn = nn.BatchNorm2d(mean.size, momentum=momentum, dtype=getattr(torch, mean.dtype.name)).train()
    present(bn.running_mean).copy_(tensor(mean))
    present(bn.running_var).copy_(tensor(var))
    present(bn.num_batches_tracked).fill_(tracked)
    return bn


class EmaUpdate(ExerciseSpec):
    id = "04.ema_update"
    points = 1
    section = "sec-ema-conventions"
    summary = "one step of the exponential moving average in PyTorch's convention"
    misconceptions = ("keras-momentum",)

    # channels, dtype, momentum, quick
    TABLE = [
        (3, "float32", 0.1, True),
        (1, "float64", 0.01, False),
        (5, "float64", 0.9, True),
        (4, "float32", 0.0, False),
        (4, "float32", 1.0, False),
        (16, "float64", 0.27, False),
        (2, "float32", 0.73, False),
    ]

    def make_cases(self) -> list[Case]:
        cases = []
        for i, (channels, dtype, momentum, quick) in enumerate(self.TABLE):
            gen = rng(self.id, str(i))
            running, value = (gen.normal(0.0, 2.0, channels).astype(dtype) for _ in range(2))
            label = case_label("running", running, momentum=momentum)
            cases.append(Case(label, {"running": running, "value": value}, {"momentum": momentum}, quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        """running_mean of nn.BatchNorm2d after one train forward of a batch whose mean is ``value``."""
        running, value = case.inputs["running"], case.inputs["value"]
        bn = running_bn(case.params["momentum"], running, np.ones_like(running), 0)
        with torch.no_grad():
            bn(tensor(np.stack([value, value]))[:, :, None, None])  # two equal rows: the mean is exactly value
        return {"running": present(bn.running_mean).numpy().copy()}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_arrays(got, want, channel_axes={"running": 0})

    def variants(self, case: Case) -> list[Variant]:
        running, value = (tensor(case.inputs[k]) for k in ("running", "value"))
        momentum = case.params["momentum"]
        if momentum == 0.5:
            return []  # both conventions weight the old and the new value alike
        return [Variant(("keras-momentum",), lambda: {"running": ema(running, value, momentum, keras=True).numpy()})]


@dataclass(frozen=True)
class BatchSequence:
    """One update_running_stats case: a sequence of equal-shape batches and the starting buffers."""

    shape: tuple[int, ...]  # of each batch
    batches: int
    dtype: str
    momentum: float | None
    tracked: int = 0  # num_batches_tracked at the start
    layout: str = "contiguous"
    note: str = ""
    quick: bool = False
    large_mean: bool = False
    default_momentum: bool = False  # call without the momentum argument (its default, 0.1)


RUNNING_TABLE = [
    BatchSequence(
        (4, 3, 3, 3), 3, "float32", 0.1, quick=True, default_momentum=True, note="momentum left at its default"
    ),
    BatchSequence((2, 2, 4, 4), 4, "float64", None, quick=True, note="momentum None: a cumulative average"),
    BatchSequence(
        (3, 3, 2, 2),
        3,
        "float64",
        None,
        tracked=5,
        layout="channels_last",
        note="momentum None after 5 tracked batches",
    ),
    BatchSequence(
        (1, 2, 3, 3), 3, "float32", 1.0, layout="noncontiguous", note="momentum 1: the last batch's statistics"
    ),
    BatchSequence((2, 1, 3, 5), 2, "float64", 0.0, tracked=2, note="momentum 0: frozen statistics, still counted"),
    BatchSequence((5, 4, 2, 3), 4, "float64", 0.37, layout="channels_last"),
    BatchSequence((6, 2, 1, 1), 2, "float32", 0.01, note="1x1 spatial size"),
    BatchSequence((4, 3, 5, 5), 2, "float32", 1.0, quick=True, large_mean=True, note=LARGE_MEAN_NOTE),
]


def sequence_label(batches: np.ndarray, layout: str, note: str, **params: object) -> str:
    """ "3 batches, each x (4, 3, 3, 3) float32, momentum=0.1": the sequence of a (batches, N, C, H, W) array."""
    return f"{len(batches)} batches, each " + case_label("x", batches[0], layout, note, **params)


def sequence_data(gen: np.random.Generator, seq: BatchSequence) -> np.ndarray:
    """The stacked batches of a sequence, shape (batches, N, C, H, W)."""
    make = partial(large_mean_data, gen) if seq.large_mean else partial(channel_data, gen, center=1.0, scale=2.0)
    return np.stack([make(seq.shape, seq.dtype) for _ in range(seq.batches)])


class UpdateRunningStats(ExerciseSpec):
    """The probe threads the answer's returned buffers into its next call, batch after batch."""

    id = "04.update_running_stats"
    points = 3
    section = "sec-ema-unbiased"
    summary = (
        "the three buffers of `nn.BatchNorm2d` after a training forward, for a float momentum and for `momentum=None`"
    )
    misconceptions = (
        "batch-count-wrong",
        "keras-momentum",
        "biased-running-var",
        "no-cumulative-average",
        "one-pass-variance",
    )

    def make_cases(self) -> list[Case]:
        cases = []
        for i, seq in enumerate(RUNNING_TABLE):
            gen = rng(self.id, str(i))
            channels = seq.shape[1]
            inputs = {
                "running_mean": gen.normal(0.0, 1.0, channels).astype(seq.dtype),
                "running_var": gen.uniform(0.5, 2.0, channels).astype(seq.dtype),
                "num_batches_tracked": np.array(seq.tracked, dtype=np.int64),
                "batches": sequence_data(gen, seq),
            }
            momentum = None if seq.default_momentum else seq.momentum
            label = sequence_label(
                inputs["batches"], seq.layout, seq.note, momentum=momentum, num_batches_tracked=seq.tracked
            )
            params = {
                "momentum": seq.momentum,
                "pass_momentum": not seq.default_momentum,
                "layout": seq.layout,
                "large_mean": seq.large_mean,
            }
            cases.append(Case(label, inputs, params, seq.quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        """The buffers of nn.BatchNorm2d after each train forward (stacked over the sequence)."""
        i = case.inputs
        bn = running_bn(case.params["momentum"], i["running_mean"], i["running_var"], int(i["num_batches_tracked"]))
        history: dict[str, list[np.ndarray]] = {"running_mean": [], "running_var": [], "num_batches_tracked": []}
        with torch.no_grad():
            for batch in i["batches"]:
                bn(tensor(batch))
                for name in history:
                    history[name].append(getattr(bn, name).numpy().copy())
        return {name: np.stack(values) for name, values in history.items()}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return self._own_part(case, got, want)[0]

    def caveat(self, case: Case, got: Arrays) -> str | None:
        return self._own_part(case, got, self.reference(case))[1]

    def _own_part(self, case: Case, got: Arrays, want: Arrays) -> tuple[Mismatch | None, str | None]:
        """(the mismatch charged to update_running_stats, or None; what was charged to ema_update instead).

        Its own part is what it passes to ema_update (the statistics, the weight, the
        count): when the student's ema_update has Keras's convention, the buffers torch's
        statistics and weights give through a Keras step pass too, charged to 04.ema_update.
        """
        found = compare_arrays(got, want, axis_names=SEQUENCE_AXES)
        ema = your_ema_update(got) if found else None
        if found is None or ema is None or ema == ():
            return found, None
        if ema == ("keras-momentum",):
            keras = self._keras(case) | {"num_batches_tracked": want["num_batches_tracked"]}
            if compare_arrays(got, keras, axis_names=SEQUENCE_AXES) is None:
                return None, (
                    "your ema_update has keras-momentum (charged to 04.ema_update); update_running_stats was "
                    "graded with a Keras step, and is right for it"
                )
            blame = "your ema_update has keras-momentum (charged to 04.ema_update)"
            why = "update_running_stats differs from the buffers a Keras step gives too"
        else:
            blame = "your ema_update fails a step of torch's convention too"
            why = "if update_running_stats calls it, fix ema_update first"
        return Mismatch(found.output, f"{found.detail}\n  Note: {blame}; {why}."), None

    def _keras(self, case: Case) -> Arrays:
        """The running buffers torch's statistics and weights give through a Keras-convention step."""
        i = case.inputs
        history = running_stats(
            tensor(i["running_mean"]),
            tensor(i["running_var"]),
            int(i["num_batches_tracked"]),
            [tensor(b) for b in i["batches"]],
            case.params["momentum"],
            keras=True,
        )
        return {name: torch.stack([h[k] for h in history]).numpy() for k, name in enumerate(STATS)}

    def variants(self, case: Case, count_right: bool = True) -> list[Variant]:
        """Keras momentum, the biased variance and (for momentum None, with a right count) wrong weights."""
        i, momentum = case.inputs, case.params["momentum"]
        batches = [tensor(b) for b in i["batches"]]
        axes: dict[str, Axis] = {
            "keras": [(None, False), ("keras-momentum", True)],
            "biased": [(None, False), ("biased-running-var", True)],
        }
        if momentum is None and count_right:  # with a wrong count, the weights 1/k are wrong with it
            axes["none_weight"] = [(None, "average")] + [
                ("no-cumulative-average", w) for w in ("zero", "one", "default", "k-plus-one", "count-before")
            ]

        def build(**options: Any) -> Arrays:
            history = running_stats(
                tensor(i["running_mean"]),
                tensor(i["running_var"]),
                int(i["num_batches_tracked"]),
                batches,
                momentum,
                **options,
            )
            return {name: torch.stack([h[k] for h in history]).numpy() for k, name in enumerate(STATS)}

        return list(compose(axes, build))

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        charged = your_ema_update(got) or ()  # ema_update's own mistake is charged there
        return [m for m in self._diagnose(case, got) if m not in charged]

    def _diagnose(self, case: Case, got: Arrays) -> list[str]:
        want = self.reference(case)
        found = []
        counts = got.get("num_batches_tracked")
        if (
            counts is None
            or counts.shape != want["num_batches_tracked"].shape
            or (counts != want["num_batches_tracked"]).any()
        ):
            found.append("batch-count-wrong")
        stats = {name: got[name] for name in STATS if name in got}
        if len(stats) != len(STATS) or self.compare(case, stats, {name: want[name] for name in STATS}) is None:
            return found
        named = matching_variant(stats, self.variants(case, count_right=not found), partial(self.compare, case))
        if not named and case.params.get("large_mean"):
            i, momentum = case.inputs, case.params["momentum"]
            bands = one_pass_bands([tensor(b) for b in i["batches"]], momentum, int(i["num_batches_tracked"]))
            means_agree = (
                self.compare(case, {"running_mean": got["running_mean"]}, {"running_mean": want["running_mean"]})
                is None
            )
            named = (
                ["one-pass-variance"] if means_agree and within(got["running_var"], want["running_var"], bands) else []
            )
        return found + named


def your_ema_update(got: Arrays) -> tuple[str, ...] | None:
    """The student's own ema_update, from the step its probe observed: () when it is torch's convention,
    ("keras-momentum",) when it is Keras's, None when it was not observed, and ("unexplained",) otherwise."""
    if EMA_SEEN not in got or got[EMA_SEEN].shape != (2,):
        return None
    running, value = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    for ids, keras in (((), False), (("keras-momentum",), True)):
        step = {EMA_SEEN: ema(running, value, EMA_SEEN_MOMENTUM, keras=keras).numpy()}
        if compare_arrays({EMA_SEEN: got[EMA_SEEN]}, step) is None:
            return ids
    return ("unexplained",)


def one_pass_bands(batches: list[torch.Tensor], momentum: float | None, tracked: int) -> np.ndarray:
    """How far one-pass batch variances may move the running variance, after each batch: (batches, C)."""
    band, bands = torch.zeros(batches[0].shape[1], dtype=torch.float64), []
    for x in batches:
        tracked += 1
        n = x.numel() // x.shape[1]
        band = ema(
            band, one_pass_bound(x, channel_dims(x.dim())).flatten() * n / (n - 1), update_weight(momentum, tracked)
        )
        bands.append(band)
    return torch.stack(bands).numpy()


def within(got: np.ndarray, want: np.ndarray, band: np.ndarray) -> bool:
    """Whether ``got`` is within ``band`` of ``want``, elementwise."""
    return got.shape == want.shape and bool(np.all(np.abs(got.astype(np.float64) - want.astype(np.float64)) <= band))


class PopulationStats(ExerciseSpec):
    id = "04.population_stats"
    points = 2
    section = "sec-ema-population"
    summary = "the inference statistics of Ioffe & Szegedy's Algorithm 2"
    misconceptions = ("biased-running-var", "no-cumulative-average", "one-pass-variance")

    TABLE = [
        BatchSequence((4, 3, 3, 3), 3, "float32", None, quick=True),
        BatchSequence((2, 2, 4, 4), 1, "float64", None, note="a single batch"),
        BatchSequence((1, 2, 3, 3), 5, "float64", None, layout="channels_last", note="batches of one"),
        BatchSequence((3, 1, 2, 5), 4, "float32", None, layout="noncontiguous", note="one channel"),
        BatchSequence((2, 3, 1, 1), 6, "float64", None, note="1x1 spatial size"),
        BatchSequence((4, 3, 5, 5), 3, "float32", None, quick=True, large_mean=True, note=LARGE_MEAN_NOTE),
    ]

    def make_cases(self) -> list[Case]:
        cases = []
        for i, seq in enumerate(self.TABLE):
            batches = sequence_data(rng(self.id, str(i)), seq)
            params = {"layout": seq.layout, "large_mean": seq.large_mean}
            cases.append(Case(sequence_label(batches, seq.layout, seq.note), {"batches": batches}, params, seq.quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        """The running statistics of nn.BatchNorm2d(C, momentum=None) after the batches."""
        batches = case.inputs["batches"]
        bn = nn.BatchNorm2d(batches.shape[2], momentum=None, dtype=getattr(torch, batches.dtype.name)).train()
        with torch.no_grad():
            for batch in batches:
                bn(tensor(batch))
        return {"mean": present(bn.running_mean).numpy().copy(), "var": present(bn.running_var).numpy().copy()}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_arrays(got, want, channel_axes={"mean": 0, "var": 0})

    def variants(self, case: Case) -> list[Variant]:
        batches = [tensor(b) for b in case.inputs["batches"]]
        channels, dtype = batches[0].shape[1], batches[0].dtype
        start = (torch.zeros(channels, dtype=dtype), torch.ones(channels, dtype=dtype), 0)
        axes: dict[str, Axis] = {
            "biased": [(None, False), ("biased-running-var", True)],
            "none_weight": [(None, "average"), ("no-cumulative-average", "default")],
        }

        def build(**options: Any) -> Arrays:
            mean, var = running_stats(*start, batches, None, **options)[-1]
            return {"mean": mean.numpy(), "var": var.numpy()}

        return list(compose(axes, build))

    def diagnose(self, case: Case, got: Arrays) -> list[str]:
        named = super().diagnose(case, got)
        if named or not case.params.get("large_mean") or not {"mean", "var"} <= got.keys():
            return named
        want = self.reference(case)
        means_agree = self.compare(case, {"mean": got["mean"]}, {"mean": want["mean"]}) is None
        band = one_pass_bands([tensor(b) for b in case.inputs["batches"]], None, 0)[-1]
        return ["one-pass-variance"] if means_agree and within(got["var"], want["var"], band) else []


DEBIAS_IGNORES_INIT = Misconception(
    "debias-ignores-init",
    "An EMA that began at init holds (1 - momentum)^k * init after k updates: subtract that before dividing by "
    "1 - (1 - momentum)^k (dividing alone corrects only an EMA that began at 0, as Adam's moments do).",
    "04",
    "sec-ema-startup",
)


@dataclass(frozen=True)
class Debias:
    """One ema_debias case: a buffer of nn.BatchNorm2d after ``updates`` train forwards."""

    shape: tuple[int, ...]  # of each batch
    updates: int
    momentum: float
    dtype: str
    buffer: str  # "running_mean" (began at 0) or "running_var" (began at 1)
    init_as: str = "tensor"  # "tensor": init is a (C,) tensor; "float": a Python number
    layout: str = "contiguous"  # of the running buffer given to the answer
    note: str = ""
    quick: bool = False


DEBIAS_TABLE = [
    Debias((4, 3, 2, 2), 3, 0.1, "float32", "running_mean", quick=True),
    Debias((4, 3, 2, 2), 3, 0.1, "float32", "running_var", quick=True),
    Debias((2, 2, 3, 3), 1, 0.3, "float64", "running_var", "float", note="one update"),
    Debias(
        (3, 4, 2, 2),
        5,
        0.01,
        "float64",
        "running_var",
        layout="noncontiguous",
        note="small momentum: a large correction",
    ),
    Debias((2, 1, 4, 4), 2, 0.9, "float32", "running_mean", "float", note="one channel"),
    Debias((5, 3, 1, 1), 40, 0.1, "float64", "running_var", note="many updates: almost no correction left", quick=True),
    Debias((2, 2, 2, 2), 4, 1.0, "float32", "running_var", note="momentum 1: the last batch's statistic"),
    Debias((3, 5, 2, 3), 6, 0.25, "float64", "running_mean", layout="noncontiguous"),
]


class EmaDebias(ExerciseSpec):
    """Graded on torch's own buffers: corrected, they must equal the normalized weighted average of
    the batch statistics torch fed into them."""

    id = "04.ema_debias"
    points = 2
    section = "sec-ema-startup"
    summary = "the start-up-corrected running average of a PyTorch-convention EMA that began at `init`"
    misconceptions = ("debias-ignores-init", "keras-momentum")
    defines = (DEBIAS_IGNORES_INIT,)

    def make_cases(self) -> list[Case]:
        cases = []
        for i, row in enumerate(DEBIAS_TABLE):
            batches = np.stack(
                [
                    channel_data(rng(self.id, f"{i}/{b}"), row.shape, row.dtype, center=1.0, scale=1.5)
                    for b in range(row.updates)
                ]
            )
            bn = nn.BatchNorm2d(row.shape[1], momentum=row.momentum, dtype=getattr(torch, row.dtype)).train()
            with torch.no_grad():
                for batch in batches:
                    bn(tensor(batch))
            running = getattr(bn, row.buffer).numpy().copy()
            init = 0.0 if row.buffer == "running_mean" else 1.0
            inputs = {
                "running": running,
                "num_updates": present(bn.num_batches_tracked).numpy().copy(),
                "batches": batches,
            }
            params: dict[str, object] = {"momentum": row.momentum, "layout": row.layout, "buffer": row.buffer}
            if row.init_as == "tensor":
                inputs["init"] = np.full_like(running, init)
            else:
                params["init"] = init
            note = f"{row.buffer} after {row.updates} train forwards" + (f"; {row.note}" if row.note else "")
            shown_init = f"torch.full(({row.shape[1]},), {init})" if row.init_as == "tensor" else init
            label = case_label(
                "running", running, row.layout, note, init=shown_init, num_updates=row.updates, momentum=row.momentum
            )
            cases.append(Case(label, inputs, params, row.quick))
        return cases

    def reference(self, case: Case) -> Arrays:
        """The batch statistics torch averaged, weighted m (1 - m)^(k - i) and normalized, in float64."""
        batches = [tensor(b) for b in case.inputs["batches"]]
        m, k = case.params["momentum"], len(batches)
        stats = []
        for batch in batches:
            dims = channel_dims(batch.dim())
            mean, var = (t.flatten() for t in moments(batch, dims))
            n = batch.numel() // batch.shape[1]
            stats.append(mean if case.params["buffer"] == "running_mean" else var * n / (n - 1))
        weights = torch.tensor([m * (1 - m) ** (k - i) for i in range(1, k + 1)], dtype=torch.float64)
        average = (weights[:, None] * torch.stack(stats)).sum(0) / weights.sum()
        return {"corrected": average.to(batches[0].dtype).numpy()}

    def compare(self, case: Case, got: Arrays, want: Arrays) -> Mismatch | None:
        return compare_arrays(got, want, channel_axes={"corrected": 0})

    def variants(self, case: Case) -> list[Variant]:
        running = tensor(case.inputs["running"]).double()
        init = float(case.inputs["init"][0]) if "init" in case.inputs else float(case.params["init"])
        k, m = int(case.inputs["num_updates"]), case.params["momentum"]

        def corrected(decay: float, start: float) -> Arrays | None:
            if decay == 1.0:
                return None  # nothing to divide by: the variant cannot be told apart
            return {
                "corrected": ((running - decay**k * start) / (1 - decay**k))
                .to(tensor(case.inputs["running"]).dtype)
                .numpy()
            }

        ignores_init = None if init == 0 else partial(corrected, 1 - m, 0.0)
        keras = None if m == 0.5 else partial(corrected, m, init)
        return [
            Variant(ids, compute)
            for ids, compute in ((("debias-ignores-init",), ignores_init), (("keras-momentum",), keras))
            if compute is not None
        ]


SPECS: list[ExerciseSpec] = [EmaUpdate(), UpdateRunningStats(), EmaDebias(), PopulationStats()]
