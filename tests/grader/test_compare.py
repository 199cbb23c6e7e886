"""compare_arrays: shapes, keys, dtypes, NaN/Inf, tolerances per dtype, where the worst error is."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from autograder.grader.compare import Tolerance, compare_arrays, default_tolerance, tolerance_for


def test_equal_arrays_match() -> None:
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2)
    assert compare_arrays({"y": x.copy()}, {"y": x}) is None


def test_missing_output_is_named() -> None:
    mismatch = compare_arrays({}, {"y": np.zeros(3)})
    assert mismatch is not None and mismatch.output == "y" and "no 'y'" in mismatch.detail


def test_extra_outputs_are_ignored() -> None:
    assert compare_arrays({"y": np.zeros(3), "extra": np.ones(2)}, {"y": np.zeros(3)}) is None


def test_shape_mismatch() -> None:
    mismatch = compare_arrays({"mean": np.zeros((1, 3, 1, 1))}, {"mean": np.zeros(3)})
    assert mismatch is not None and "shape (1, 3, 1, 1), expected (3,)" in mismatch.detail


def test_dtype_mismatch() -> None:
    mismatch = compare_arrays({"y": np.zeros(3, np.float64)}, {"y": np.zeros(3, np.float32)})
    assert mismatch is not None and "dtype float64, expected float32" in mismatch.detail


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_the_answer(bad: float) -> None:
    want = np.ones((2, 3, 2, 2), np.float32)
    got = want.copy()
    got[1, 2, 0, 1] = bad
    mismatch = compare_arrays({"y": got}, {"y": want}, channel_axes={"y": 1})
    assert mismatch is not None
    assert "NaN or Inf" in mismatch.detail and "index (1, 2, 0, 1) (channel 2)" in mismatch.detail


def test_nan_where_the_reference_has_nan_matches() -> None:
    want = np.array([1.0, np.nan])
    assert compare_arrays({"y": want.copy()}, {"y": want}) is None
    assert compare_arrays({"y": np.array([1.0, 0.0])}, {"y": want}) is not None


def test_opposite_infinities_differ() -> None:
    assert compare_arrays({"y": np.array([np.inf])}, {"y": np.array([-np.inf])}) is not None


def test_detail_locates_worst_error_and_states_tolerance() -> None:
    want = np.zeros((2, 4, 3), np.float32)
    got = want.copy()
    got[0, 1, 0] = 1e-3
    got[1, 3, 2] = 5e-2
    mismatch = compare_arrays({"y": got}, {"y": want}, channel_axes={"y": 1})
    assert mismatch is not None
    assert "2 of 24 values differ" in mismatch.detail
    assert "index (1, 3, 2) (channel 3)" in mismatch.detail
    assert "max abs error 5.00e-02" in mismatch.detail
    assert "1e-05 + 1e-04 * |want|" in mismatch.detail


def test_first_mismatching_output_in_reference_order() -> None:
    want = {"mean": np.zeros(2), "var": np.ones(2)}
    got = {"var": np.zeros(2), "mean": np.ones(2)}
    assert compare_arrays(got, want).output == "mean"


def test_float32_tolerance_accepts_rounding_but_not_mistakes() -> None:
    want = np.linspace(-3, 3, 50).astype(np.float32)
    assert compare_arrays({"y": want * np.float32(1 + 2e-6)}, {"y": want}) is None
    assert compare_arrays({"y": want * np.float32(1 + 1e-3)}, {"y": want}) is not None


def test_float64_is_tight() -> None:
    want = np.linspace(-3, 3, 50)
    assert compare_arrays({"y": want * (1 + 1e-12)}, {"y": want}) is None
    assert compare_arrays({"y": want * (1 + 1e-6)}, {"y": want}) is not None


def test_integers_are_exact() -> None:
    assert tolerance_for(np.dtype(np.int64)) == Tolerance(0.0, 0.0)
    mismatch = compare_arrays({"n": np.array(2)}, {"n": np.array(1)})
    assert mismatch is not None and "exact" in mismatch.detail


def test_per_output_tolerance_override() -> None:
    want = {"y": np.array([1.0], np.float32)}
    got = {"y": np.array([1.01], np.float32)}
    assert compare_arrays(got, want) is not None
    assert compare_arrays(got, want, tolerances={"y": Tolerance(rtol=0.0, atol=0.1)}) is None


float_arrays = st.sampled_from([np.float32, np.float64]).flatmap(
    lambda dtype: arrays(
        dtype, array_shapes(min_dims=1, max_dims=4, max_side=5), elements=st.floats(-1e3, 1e3, width=32)
    )
)


@settings(max_examples=60, deadline=None)
@given(float_arrays)
def test_property_an_array_matches_itself(x: np.ndarray) -> None:
    assert compare_arrays({"y": x.copy()}, {"y": x}) is None


@settings(max_examples=60, deadline=None)
@given(float_arrays, st.data())
def test_property_errors_within_tolerance_pass_and_beyond_fail(x: np.ndarray, data: st.DataObject) -> None:
    tolerance = default_tolerance(x)
    index = data.draw(st.tuples(*(st.integers(0, n - 1) for n in x.shape)))
    allowed = tolerance.atol + tolerance.rtol * abs(float(x[index]))
    inside, beyond = x.astype(np.float64).copy(), x.astype(np.float64).copy()
    inside[index] += 0.25 * allowed
    beyond[index] += 4 * allowed + 1e-3 * abs(float(x[index]))
    assert compare_arrays({"y": inside.astype(x.dtype)}, {"y": x}) is None
    mismatch = compare_arrays({"y": beyond.astype(x.dtype)}, {"y": x})
    assert mismatch is not None and f"index {tuple(int(i) for i in index)}" in mismatch.detail


@settings(max_examples=40, deadline=None)
@given(float_arrays, st.data())
def test_property_compare_is_silent_or_names_the_output(x: np.ndarray, data: st.DataObject) -> None:
    noise = data.draw(arrays(np.float64, x.shape, elements=st.floats(-1, 1)))
    got = (x + noise).astype(x.dtype)
    mismatch = compare_arrays({"y": got}, {"y": x})
    close = np.allclose(
        got.astype(np.float64),
        x.astype(np.float64),
        rtol=default_tolerance(x).rtol,
        atol=default_tolerance(x).atol,
    )
    assert (mismatch is None) == close
    assert mismatch is None or mismatch.output == "y"
