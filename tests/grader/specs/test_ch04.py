"""Chapter 04 specs against real torch: right answers pass, wrong ones fail with the right diagnosis."""

from __future__ import annotations

import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from inprocess import define, grade
from torch import nn

from autograder.grader import variants

RIGHT_EMA = {
    "formula": "def ema_update(running, value, momentum):\n    return (1 - momentum) * running + momentum * value",
    "lerp": "def ema_update(running, value, momentum):\n    return torch.lerp(running, value, momentum)",
    "increment": "def ema_update(running, value, momentum):\n    return running + momentum * (value - running)",
}
KERAS_EMA = "def ema_update(running, value, momentum):\n    return momentum * running + (1 - momentum) * value"
MUTATING_EMA = "def ema_update(running, value, momentum):\n    return running.mul_(1 - momentum).add_(momentum * value)"

# A student's update_running_stats and population_stats, with one slot per common slip.
TEMPLATE = """
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    count = num_batches_tracked + {increment}
    f = {weight}
    d = (0, 2, 3)
    n = x.numel() // x.shape[1]
    mean = x.mean(d)
    var = {var}
    return {update}, count

def population_stats(batches):
    d = (0, 2, 3)
    n = batches[0].numel() // batches[0].shape[1]
    means = torch.stack([b.mean(d) for b in batches])
    variances = torch.stack([{batch_var} for b in batches])
    return means.mean(0), variances.mean(0)
"""
RIGHT = {
    "increment": "1",
    "weight": "1.0 / float(count) if momentum is None else momentum",
    "var": "((x - mean[:, None, None]) ** 2).sum(d) / (n - 1)",
    "update": "(1 - f) * running_mean + f * mean, (1 - f) * running_var + f * var",
    "batch_var": "b.var(d, unbiased=True)",
}
KERAS = "f * running_mean + (1 - f) * mean, f * running_var + (1 - f) * var"
BIASED = "((x - mean[:, None, None]) ** 2).mean(d)"


def student(**slips: str) -> dict:
    """The template's namespace with some slots replaced by a slip."""
    return define(TEMPLATE.format(**(RIGHT | slips)))


OTHER_RUNNING = {
    "var_mean, lerp, python count": """
        def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
            n = x.numel() // x.shape[1]
            var, mean = torch.var_mean(x.transpose(0, 1).reshape(x.shape[1], -1), dim=1, correction=1)
            count = num_batches_tracked.clone()
            count += 1
            f = 1 / count.item() if momentum is None else momentum
            return torch.lerp(running_mean, mean, f), torch.lerp(running_var, var, f), count
    """,
    "float64 then cast": """
        def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
            x64 = x.double()
            count = num_batches_tracked + 1
            f = 1.0 / count.item() if momentum is None else momentum
            mean = x64.mean((0, 2, 3))
            var = x64.var((0, 2, 3), unbiased=True)
            new_mean = (1 - f) * running_mean.double() + f * mean
            new_var = (1 - f) * running_var.double() + f * var
            return new_mean.to(x.dtype), new_var.to(x.dtype), count
    """,
}
OTHER_POPULATION = {
    "numpy": """
        def population_stats(batches):
            a = np.stack([b.numpy() for b in batches])
            means = a.mean(axis=(1, 3, 4))
            variances = a.var(axis=(1, 3, 4), ddof=1)
            return torch.from_numpy(means.mean(0)), torch.from_numpy(variances.mean(0))
    """,
    "loop, unbiasing at the end": """
        def population_stats(batches):
            n = batches[0].numel() // batches[0].shape[1]
            total_mean = total_var = 0
            for b in batches:
                var, mean = torch.var_mean(b, dim=(0, 2, 3), unbiased=False)
                total_mean = total_mean + mean
                total_var = total_var + var
            return total_mean / len(batches), total_var / len(batches) * n / (n - 1)
    """,
}

ONE_PASS = "((x * x).mean(d) - mean ** 2) * n / (n - 1)"
WRONG_RUNNING = {
    "keras momentum": ({"update": KERAS}, {"keras-momentum"}),
    "biased running var": ({"var": BIASED}, {"biased-running-var"}),
    "keras and biased": ({"update": KERAS, "var": BIASED}, {"keras-momentum", "biased-running-var"}),
    "None freezes": ({"weight": "0.0 if momentum is None else momentum"}, {"no-cumulative-average"}),
    "None as the default": ({"weight": "0.1 if momentum is None else momentum"}, {"no-cumulative-average"}),
    "None as the last batch": ({"weight": "1.0 if momentum is None else momentum"}, {"no-cumulative-average"}),
    "count not incremented": (
        {"increment": "0", "weight": "1.0 / float(count + 1) if momentum is None else momentum"},
        {"batch-count-wrong"},
    ),
    "counted twice": (
        {"increment": "2", "weight": "1.0 / float(count - 1) if momentum is None else momentum"},
        {"batch-count-wrong"},
    ),
    "one pass": ({"var": ONE_PASS}, {"one-pass-variance"}),
    "float64 count": ({"increment": "1.0"}, {"dtype-changed"}),
}
WRONG_POPULATION = {
    "biased": ({"batch_var": "b.var(d, unbiased=False)"}, {"biased-running-var"}),
    "one pass": ({"batch_var": "((b * b).mean(d) - b.mean(d) ** 2) * n / (n - 1)"}, {"one-pass-variance"}),
}
EMA_POPULATION = """
def population_stats(batches):
    channels, dtype = batches[0].shape[1], batches[0].dtype
    mean, var = torch.zeros(channels, dtype=dtype), torch.ones(channels, dtype=dtype)
    for b in batches:
        mean = 0.9 * mean + 0.1 * b.mean((0, 2, 3))
        var = 0.9 * var + 0.1 * b.var((0, 2, 3), unbiased=True)
    return mean, var
"""


@pytest.mark.parametrize("code", RIGHT_EMA.values(), ids=RIGHT_EMA.keys())
def test_right_ema_updates_pass(code: str) -> None:
    result = grade("04.ema_update", define(code)["ema_update"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize(
    ("code", "named"), [(KERAS_EMA, ["keras-momentum"]), (MUTATING_EMA, ["input-mutated"])], ids=["keras", "in place"]
)
def test_wrong_ema_updates_diagnosed(code: str, named: list[str]) -> None:
    result = grade("04.ema_update", define(code)["ema_update"])
    assert result.status == "failed" and result.misconceptions == named, result.feedback


def test_template_is_right() -> None:
    ns = student()
    for name in ("update_running_stats", "population_stats"):
        result = grade(f"04.{name}", ns[name])
        assert result.status == "passed", result.feedback


@pytest.mark.parametrize("code", OTHER_RUNNING.values(), ids=OTHER_RUNNING.keys())
def test_right_running_stats_pass(code: str) -> None:
    result = grade("04.update_running_stats", define(code)["update_running_stats"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize("code", OTHER_POPULATION.values(), ids=OTHER_POPULATION.keys())
def test_right_population_stats_pass(code: str) -> None:
    result = grade("04.population_stats", define(code)["population_stats"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize(("slips", "named"), WRONG_RUNNING.values(), ids=WRONG_RUNNING.keys())
def test_wrong_running_stats_diagnosed(slips: dict[str, str], named: set[str]) -> None:
    result = grade("04.update_running_stats", student(**slips)["update_running_stats"])
    assert result.status == "failed"
    assert set(result.misconceptions) == named, result.feedback


def test_in_place_running_stats_are_input_mutation() -> None:
    code = """
        def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
            num_batches_tracked += 1
            f = 1 / num_batches_tracked.item() if momentum is None else momentum
            var, mean = torch.var_mean(x, dim=(0, 2, 3))
            running_mean.mul_(1 - f).add_(f * mean)
            running_var.mul_(1 - f).add_(f * var)
            return running_mean, running_var, num_batches_tracked
    """
    result = grade("04.update_running_stats", define(code)["update_running_stats"])
    assert result.status == "failed" and result.misconceptions == ["input-mutated"], result.feedback


@pytest.mark.parametrize(("slips", "named"), WRONG_POPULATION.values(), ids=WRONG_POPULATION.keys())
def test_wrong_population_stats_diagnosed(slips: dict[str, str], named: set[str]) -> None:
    result = grade("04.population_stats", student(**slips)["population_stats"])
    assert result.status == "failed"
    assert set(result.misconceptions) == named, result.feedback


def test_ema_as_population_stats_is_no_cumulative_average() -> None:
    result = grade("04.population_stats", define(EMA_POPULATION)["population_stats"])
    assert result.status == "failed" and result.misconceptions == ["no-cumulative-average"], result.feedback


@settings(max_examples=25, deadline=None)
@given(
    momentum=st.one_of(st.none(), st.floats(0.0, 1.0)),
    tracked=st.integers(0, 5),
    batches=st.integers(1, 4),
    shape=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(2, 3)),
    seed=st.integers(0, 2**16),
)
def test_running_stats_variant_is_torchs(
    momentum: float | None, tracked: int, batches: int, shape: tuple[int, ...], seed: int
) -> None:
    """variants.running_stats with no mistake follows nn.BatchNorm2d's buffers batch after batch."""
    gen = torch.Generator().manual_seed(seed)
    xs = [torch.randn(shape, generator=gen, dtype=torch.float64) for _ in range(batches)]
    bn = nn.BatchNorm2d(shape[1], momentum=momentum, dtype=torch.float64)
    bn.num_batches_tracked.fill_(tracked)
    history = variants.running_stats(bn.running_mean.clone(), bn.running_var.clone(), tracked, xs, momentum)
    with torch.no_grad():
        for x, (mean, var) in zip(xs, history):
            bn(x)
            torch.testing.assert_close(mean, bn.running_mean)
            torch.testing.assert_close(var, bn.running_var)


# update_running_stats calls the student's ema_update: its own part is what it passes (statistics,
# weight, count); a mistake of ema_update is charged to ema_update once.
CALLS_EMA = """
def update_running_stats(running_mean, running_var, num_batches_tracked, x, momentum=0.1):
    dims = (0,) + tuple(range(2, x.dim()))
    n = x.numel() // x.shape[1]
    mean = x.mean(dim=dims)
    var = {var}
    count = num_batches_tracked + 1
    f = 1.0 / float(count) if momentum is None else momentum
    return ema_update(running_mean, mean, f), ema_update(running_var, var, f), count
"""
UNBIASED_VAR = "x.var(dim=dims, unbiased=True)"
EMA = "def ema_update(running, value, momentum):\n    return "
KERAS_EMAS = {"weights swapped": KERAS_EMA, "lerp towards running": EMA + "torch.lerp(value, running, momentum)"}
UNNAMED_EMAS = {
    "offset": EMA + "(1 - momentum) * running + momentum * value + 0.01",
    "scaled": EMA + "torch.lerp(running, 1.01 * value, momentum)",
}


def calls_ema(ema: str, var: str = UNBIASED_VAR) -> dict:
    return define(ema + "\n" + CALLS_EMA.format(var=var))


@pytest.mark.parametrize("ema", KERAS_EMAS.values(), ids=KERAS_EMAS.keys())
def test_a_keras_ema_update_is_charged_to_ema_update_once(ema: str) -> None:
    ns = calls_ema(ema)
    assert grade("04.ema_update", ns["ema_update"]).misconceptions == ["keras-momentum"]
    result = grade("04.update_running_stats", ns["update_running_stats"])
    assert result.status == "passed" and result.misconceptions == [], result.feedback
    assert "your ema_update has keras-momentum (charged to 04.ema_update)" in result.feedback


@pytest.mark.parametrize("ema", KERAS_EMAS.values(), ids=KERAS_EMAS.keys())
def test_update_running_stats_is_named_for_its_own_mistake_only(ema: str) -> None:
    result = grade(
        "04.update_running_stats", calls_ema(ema, var="x.var(dim=dims, unbiased=False)")["update_running_stats"]
    )
    assert result.status == "failed" and result.misconceptions == ["biased-running-var"], result.feedback
    assert "your ema_update has keras-momentum" in result.feedback


@pytest.mark.parametrize("ema", UNNAMED_EMAS.values(), ids=UNNAMED_EMAS.keys())
def test_an_unexplained_ema_update_is_named_as_the_cause(ema: str) -> None:
    result = grade("04.update_running_stats", calls_ema(ema)["update_running_stats"])
    assert result.status == "failed" and "fix ema_update first" in result.feedback, result.feedback


def test_sequence_cases_read_as_batches_and_channels() -> None:
    """(batch, channel) indices and the sequence's shape are spelled out, not left as bare tuples."""
    result = grade("04.update_running_stats", student(update=KERAS)["update_running_stats"])
    assert "3 batches, each x (4, 3, 3, 3) float32" in result.feedback, result.feedback
    assert re.search(r"index \(\d, \d\), i\.e\. batch \d, channel \d \(counted from 0\)", result.feedback)
