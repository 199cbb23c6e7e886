"""Chapter 02 specs against real torch: right answers pass, wrong ones fail with the right diagnosis."""

from __future__ import annotations

import textwrap

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from inprocess import define, grade
from torch import nn

from autograder.grader import specs as exercises
from autograder.grader import variants
from autograder.submission import probes

# A student's forward and backward, with one slot per common slip.
TEMPLATE = """
def bn_forward(x, gamma, beta, eps=1e-5):
    d = {dims}
    mean = x.mean(dim=d, keepdim=True)
    var = {var}
    invstd = 1 / {den}
    xhat = (x - mean) * invstd
    return {y}, (xhat, invstd, gamma)

def bn_backward(dy, cache):
    xhat, invstd, gamma = cache
    d = (0, 2, 3)
    g = gamma[None, :, None, None]
    dx = g * invstd * (dy {mean_term} {var_term})
    return dx, {dgamma}, {dbeta}

class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        y, ctx.cache = bn_forward(x, gamma, beta, eps)
        return y

    @staticmethod
    def backward(ctx, dy):
        return (*bn_backward(dy, ctx.cache), None)
"""
RIGHT = {
    "dims": "(0, 2, 3)",
    "var": "((x - mean) ** 2).mean(dim=d, keepdim=True)",
    "den": "torch.sqrt(var + eps)",
    "y": "xhat * gamma[None, :, None, None] + beta[None, :, None, None]",
    "mean_term": "- dy.mean(d, keepdim=True)",
    "var_term": "- xhat * (dy * xhat).mean(d, keepdim=True)",
    "dgamma": "(dy * xhat).sum(d)",
    "dbeta": "dy.sum(d)",
}


def student(**slips: str) -> dict:
    """The template's namespace with some slots replaced by a slip."""
    return define(TEMPLATE.format(**(RIGHT | slips)))


OTHER_FORWARDS = {
    "var_mean": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False, keepdim=True)
            y = (x - mean) * torch.rsqrt(var + eps) * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)
            return y, None
    """,
    "float64 then cast": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            x64 = x.double()
            mean = x64.mean((0, 2, 3), keepdim=True)
            var = x64.var((0, 2, 3), unbiased=False, keepdim=True)
            y = (x64 - mean) / (var + eps).sqrt() * gamma.double()[:, None, None] + beta.double()[:, None, None]
            return y.to(x.dtype), None
    """,
    "numpy": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            a = x.numpy()
            mean = a.mean(axis=(0, 2, 3), keepdims=True)
            var = ((a - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
            y = (a - mean) / np.sqrt(var + eps) * gamma.numpy()[:, None, None] + beta.numpy()[:, None, None]
            return torch.from_numpy(np.ascontiguousarray(y, dtype=a.dtype)), None
    """,
    "einsum": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            n = x.numel() // x.shape[1]
            mean = torch.einsum("nchw->c", x) / n
            xc = x - mean[:, None, None]
            var = torch.einsum("nchw,nchw->c", xc, xc) / n
            return torch.einsum("nchw,c->nchw", xc, gamma / torch.sqrt(var + eps)) + beta[:, None, None], None
    """,
    "loop over channels": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            channels = []
            for c in range(x.shape[1]):
                v = x[:, c]
                centered = v - v.mean()
                channels.append(centered / torch.sqrt((centered ** 2).mean() + eps) * gamma[c] + beta[c])
            return torch.stack(channels, dim=1), {"unused": True}
    """,
}

OTHER_BACKWARDS = {
    "staged chain rule": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            mean = x.mean((0, 2, 3), keepdim=True)
            var = ((x - mean) ** 2).mean((0, 2, 3), keepdim=True)
            xhat = (x - mean) / torch.sqrt(var + eps)
            return xhat * gamma[:, None, None] + beta[:, None, None], (x, mean, var, gamma, eps)

        def bn_backward(dy, cache):
            x, mean, var, gamma, eps = cache
            n = x.numel() // x.shape[1]
            d = (0, 2, 3)
            std = torch.sqrt(var + eps)
            dxhat = dy * gamma[:, None, None]
            dvar = (dxhat * (x - mean) * -0.5 * std ** -3).sum(d, keepdim=True)
            dmean = (-dxhat / std).sum(d, keepdim=True) + dvar * (-2 * (x - mean)).sum(d, keepdim=True) / n
            dx = dxhat / std + dvar * 2 * (x - mean) / n + dmean / n
            return dx, (dy * (x - mean) / std).sum(d), dy.sum(d)
    """,
    "autograd inside": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            mean = x.mean((0, 2, 3), keepdim=True)
            var = x.var((0, 2, 3), unbiased=False, keepdim=True)
            y = (x - mean) / torch.sqrt(var + eps) * gamma[:, None, None] + beta[:, None, None]
            return y, (x, gamma, beta, eps)

        def bn_backward(dy, cache):
            x, gamma, beta, eps = (t.detach().requires_grad_() if torch.is_tensor(t) else t for t in cache)
            with torch.enable_grad():
                y, _ = bn_forward(x, gamma, beta, eps)
                return torch.autograd.grad(y, (x, gamma, beta), dy)
    """,
    "loop over channels": """
        def bn_forward(x, gamma, beta, eps=1e-5):
            mean = x.mean((0, 2, 3))
            invstd = 1 / torch.sqrt(((x - mean[:, None, None]) ** 2).mean((0, 2, 3)) + eps)
            xhat = (x - mean[:, None, None]) * invstd[:, None, None]
            return xhat * gamma[:, None, None] + beta[:, None, None], {"xhat": xhat, "invstd": invstd, "gamma": gamma}

        def bn_backward(dy, cache):
            dx = torch.empty_like(dy)
            dgamma, dbeta = torch.empty_like(cache["gamma"]), torch.empty_like(cache["gamma"])
            for c in range(dy.shape[1]):
                g, h = dy[:, c], cache["xhat"][:, c]
                dgamma[c], dbeta[c] = (g * h).sum(), g.sum()
                dx[:, c] = cache["gamma"][c] * cache["invstd"][c] * (g - g.mean() - h * (g * h).mean())
            return dx, dgamma, dbeta
    """,
}

SAVED_TENSORS_FUNCTION = """
class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False, keepdim=True)
        invstd = torch.rsqrt(var + eps)
        xhat = (x - mean) * invstd
        ctx.save_for_backward(xhat, invstd, gamma)
        return xhat * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)

    @staticmethod
    def backward(ctx, dy):
        xhat, invstd, gamma = ctx.saved_tensors
        d = (0, 2, 3)
        dx = gamma.view(1, -1, 1, 1) * invstd * (dy - dy.mean(d, True) - xhat * (dy * xhat).mean(d, True))
        return dx, (dy * xhat).sum(d), dy.sum(d), None
"""

ONE_PASS = "(x * x).mean(dim=d, keepdim=True) - mean ** 2"
UNBIASED = "x.var(dim=d, keepdim=True, unbiased=True)"

WRONG_FORWARDS = {
    "unbiased": ({"var": UNBIASED}, {"unbiased-normalization"}),
    "no eps": ({"den": "torch.sqrt(var)"}, {"missing-eps"}),
    "eps outside": ({"den": "(torch.sqrt(var) + eps)"}, {"eps-outside-sqrt"}),
    "dims (0,)": ({"dims": "(0,)"}, {"wrong-reduction-dims"}),
    "layer norm dims": ({"dims": "(1, 2, 3)"}, {"wrong-reduction-dims"}),
    "no affine": ({"y": "xhat"}, {"ignores-affine"}),
    "no beta": ({"y": "xhat * gamma[None, :, None, None]"}, {"ignores-affine"}),
    "one pass": ({"var": ONE_PASS}, {"one-pass-variance"}),
    "one pass by einsum": (
        {"var": "torch.einsum('nchw,nchw->c', x, x)[:, None, None] / (x.numel() // x.shape[1]) - mean ** 2"},
        {"one-pass-variance"},
    ),
    "one pass by sums": (
        {"var": "(x ** 2).sum(d, keepdim=True) / (x.numel() // x.shape[1]) - mean ** 2"},
        {"one-pass-variance"},
    ),
    "unbiased, eps outside": (
        {"var": UNBIASED, "den": "(torch.sqrt(var) + eps)"},
        {"unbiased-normalization", "eps-outside-sqrt"},
    ),
    "no eps, no affine": ({"den": "torch.sqrt(var)", "y": "xhat"}, {"missing-eps", "ignores-affine"}),
    "mutates x": ({"var": "((x.sub_(mean)) ** 2).mean(dim=d, keepdim=True)", "y": "x * invstd"}, {"input-mutated"}),
    "float64 out": (
        {"y": "(xhat * gamma[None, :, None, None] + beta[None, :, None, None]).double()"},
        {"dtype-changed"},
    ),
}

WRONG_BACKWARDS = {
    "no mean term": ({"mean_term": ""}, {"dx-missing-mean-term"}),
    "no var term": ({"var_term": ""}, {"dx-missing-var-term"}),
    "neither term": ({"mean_term": "", "var_term": ""}, {"dx-missing-mean-term", "dx-missing-var-term"}),
    "dgamma without xhat": ({"dgamma": "dy.sum(d)"}, {"wrong-param-grad"}),
    "dbeta as a mean": ({"dbeta": "dy.mean(d)"}, {"wrong-param-grad"}),
    "no mean term, dgamma without xhat": (
        {"mean_term": "", "dgamma": "dy.sum(d)"},
        {"dx-missing-mean-term", "wrong-param-grad"},
    ),
}


def test_template_is_right() -> None:
    ns = student()
    for name in ("bn_forward", "bn_backward", "BatchNormFunction"):
        result = grade(f"02.{name}", ns[name])
        assert result.status == "passed", result.feedback


@pytest.mark.parametrize("code", OTHER_FORWARDS.values(), ids=OTHER_FORWARDS.keys())
def test_right_forwards_pass(code: str) -> None:
    result = grade("02.bn_forward", define(code)["bn_forward"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize("code", OTHER_BACKWARDS.values(), ids=OTHER_BACKWARDS.keys())
def test_right_backwards_pass(code: str) -> None:
    result = grade("02.bn_backward", define(code)["bn_backward"])
    assert result.status == "passed", result.feedback


def test_function_with_saved_tensors_passes() -> None:
    result = grade("02.BatchNormFunction", define(SAVED_TENSORS_FUNCTION)["BatchNormFunction"])
    assert result.status == "passed", result.feedback


@pytest.mark.parametrize(("slips", "named"), WRONG_FORWARDS.values(), ids=WRONG_FORWARDS.keys())
def test_wrong_forwards_are_diagnosed(slips: dict[str, str], named: set[str]) -> None:
    result = grade("02.bn_forward", student(**slips)["bn_forward"])
    assert result.status == "failed"
    assert set(result.misconceptions) == named, result.feedback


@pytest.mark.parametrize(("slips", "named"), WRONG_BACKWARDS.values(), ids=WRONG_BACKWARDS.keys())
def test_wrong_backwards_are_diagnosed(slips: dict[str, str], named: set[str]) -> None:
    result = grade("02.bn_backward", student(**slips)["bn_backward"])
    assert result.status == "failed"
    assert set(result.misconceptions) == named, result.feedback


@pytest.mark.parametrize(("slips", "named"), WRONG_BACKWARDS.values(), ids=WRONG_BACKWARDS.keys())
def test_a_function_calling_a_wrong_bn_backward_is_charged_nothing(slips: dict[str, str], named: set[str]) -> None:
    """The Function's wiring is right: bn_backward's named mistake is charged to bn_backward, once."""
    result = grade("02.BatchNormFunction", student(**slips)["BatchNormFunction"])
    assert result.status == "passed", result.feedback
    assert "charged to 02.bn_backward" in result.feedback and all(m in result.feedback for m in named)


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (("dy - dy.mean(d, True) - xhat", "dy - xhat"), {"dx-missing-mean-term"}),
        (("(dy * xhat).sum(d), dy.sum(d)", "dy.sum(d), dy.sum(d)"), {"wrong-param-grad"}),
    ],
    ids=["no mean term", "dgamma without xhat"],
)
def test_a_function_with_its_own_wrong_backward_fails(slip: tuple[str, str], named: set[str]) -> None:
    """Beside a right bn_forward and bn_backward, a Function that computes its own wrong backward is charged."""
    code = textwrap.dedent(OTHER_BACKWARDS["staged chain rule"]) + SAVED_TENSORS_FUNCTION.replace(*slip)
    result = grade("02.BatchNormFunction", define(code)["BatchNormFunction"])
    assert result.status == "failed" and set(result.misconceptions) == named, result.feedback


def test_dgamma_summed_over_batch_only() -> None:
    result = grade("02.bn_backward", student(dgamma="(dy * xhat).sum(0)")["bn_backward"])
    assert result.status == "failed" and result.misconceptions == ["wrong-param-grad"], result.feedback


def test_forged_gradcheck_gains_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Function whose backward is wrong fails on its gradients, whatever gradcheck says."""
    monkeypatch.setattr(torch.autograd, "gradcheck", lambda *args, **kwargs: True)  # as a student's process could
    wrong = SAVED_TENSORS_FUNCTION.replace("- xhat * (dy * xhat).mean(d, True)", "")
    result = grade("02.BatchNormFunction", define(wrong)["BatchNormFunction"])
    assert result.status == "failed" and "dx" in result.feedback


def test_backward_needs_the_students_forward() -> None:
    ns = define(OTHER_BACKWARDS["staged chain rule"])
    del ns["bn_forward"]
    result = grade("02.bn_backward", ns["bn_backward"])
    assert result.status == "failed" and "define bn_forward" in result.feedback


def test_function_must_be_an_autograd_function() -> None:
    result = grade("02.BatchNormFunction", student()["bn_forward"])
    assert result.status == "failed" and "torch.autograd.Function" in result.feedback


def test_quick_cases_are_a_subset() -> None:
    for name in ("bn_forward", "bn_backward", "BatchNormFunction"):
        spec = exercises.spec(f"02.{name}")
        full = {c.label for c in spec.cases()}
        quick = spec.cases(quick=True)
        assert quick and {c.label for c in quick} <= full


shapes = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).filter(
    lambda s: s[0] * s[2] * s[3] > 1
)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), eps=st.sampled_from([1e-5, 1e-3, 0.1]))
def test_variants_reference_math_is_torchs(shape: tuple[int, ...], seed: int, eps: float) -> None:
    """bn_train, bn_backward and param_grads with no mistake equal nn.BatchNorm2d and autograd."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=gen, dtype=torch.float64, requires_grad=True)
    gamma, beta, dy = (
        torch.randn(shape[1], generator=gen, dtype=torch.float64),
        torch.randn(shape[1], generator=gen, dtype=torch.float64),
        torch.randn(shape, generator=gen, dtype=torch.float64),
    )
    bn = nn.BatchNorm2d(shape[1], eps=eps, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
    y = bn(x)
    y.backward(dy)
    torch.testing.assert_close(variants.bn_train(x.detach(), gamma, beta, eps), y.detach())
    torch.testing.assert_close(variants.bn_backward(x.detach(), gamma, dy, eps), x.grad)
    grads = variants.param_grads(x.detach(), dy, eps)
    torch.testing.assert_close(grads["dgamma"]["right"], bn.weight.grad)
    torch.testing.assert_close(grads["dbeta"]["right"], bn.bias.grad)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 8), st.integers(1, 3), st.integers(1, 8), st.integers(2, 8)),
    ratio=st.floats(1.0, 1e4),
    seed=st.integers(0, 2**16),
)
def test_one_pass_bound_covers_one_pass_variances(shape: tuple[int, ...], ratio: float, seed: int) -> None:
    """Every usual way of writing E[x^2] - E[x]^2 in float32 stays within variants.one_pass_bound."""
    gen = torch.Generator().manual_seed(seed)
    x = (ratio + torch.randn(shape, generator=gen, dtype=torch.float64)).float()
    dims = (0, 2, 3)
    n = x.numel() // x.shape[1]
    mean = x.mean(dims, keepdim=True)
    one_pass = [
        (x * x).mean(dims, keepdim=True) - mean**2,
        (x**2).sum(dims, keepdim=True) / n - (x.sum(dims, keepdim=True) / n) ** 2,
        torch.einsum("nchw,nchw->c", x, x)[None, :, None, None] / n - mean**2,
    ]
    true_var = variants.moments(x, dims)[1]
    for var in one_pass:
        assert ((var.double() - true_var).abs() <= variants.one_pass_bound(x, dims)).all()


# A mistake in bn_forward is charged to bn_forward once: bn_backward and BatchNormFunction, which
# run on it, are graded on their own part. Each form written two ways.
DICT_STYLE = """
def bn_forward(x, gamma, beta, eps=1e-5):
    var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False, keepdim=True)
    invstd = {invstd}
    xhat = (x - mean) * invstd
    return xhat * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1), {{"xhat": xhat, "invstd": invstd, "gamma": gamma}}

def bn_backward(dy, cache):
    xhat, invstd, gamma = cache["xhat"], cache["invstd"], cache["gamma"]
    d = (0, 2, 3)
    dx = gamma.view(1, -1, 1, 1) * invstd * (dy - dy.mean(d, True) {var_term})
    return dx, (dy * xhat).sum(d), dy.sum(d)

class BatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        y, cache = bn_forward(x, gamma, beta, eps)
        ctx.save_for_backward(cache["xhat"], cache["invstd"], cache["gamma"])
        return y

    @staticmethod
    def backward(ctx, dy):
        xhat, invstd, gamma = ctx.saved_tensors
        return (*bn_backward(dy, {{"xhat": xhat, "invstd": invstd, "gamma": gamma}}), None)
"""
DICT_VAR_TERM = "- xhat * (dy * xhat).mean(d, True)"


def dict_style(invstd: str = "torch.rsqrt(var + eps)", var_term: str = DICT_VAR_TERM) -> dict:
    return define(DICT_STYLE.format(invstd=invstd, var_term=var_term))


MISSING_EPS = {
    "template": lambda: student(den="torch.sqrt(var)"),
    "dict cache, rsqrt": lambda: dict_style(invstd="torch.rsqrt(var)"),
}
UNNAMED_FORWARD = {
    "template": lambda: student(den="(1.01 * torch.sqrt(var + eps))"),
    "dict cache, rsqrt": lambda: dict_style(invstd="torch.rsqrt(var + eps) * 1.01"),
}


@pytest.mark.parametrize("make", MISSING_EPS.values(), ids=MISSING_EPS.keys())
def test_a_forward_mistake_is_charged_to_bn_forward_once(make) -> None:
    ns = make()
    forward = grade("02.bn_forward", ns["bn_forward"])
    assert forward.status == "failed" and forward.misconceptions == ["missing-eps"], forward.feedback
    backward = grade("02.bn_backward", ns["bn_backward"])
    assert backward.status == "passed" and backward.misconceptions == [], backward.feedback
    assert "your bn_forward has missing-eps" in backward.feedback and "charged to 02.bn_forward" in backward.feedback
    assert "backward of the forward you have" in backward.feedback
    function = grade("02.BatchNormFunction", ns["BatchNormFunction"])
    assert function.status == "passed" and "its y is your bn_forward's" in function.feedback, function.feedback


@pytest.mark.parametrize(
    ("ns", "named"),
    [
        (lambda: student(den="torch.sqrt(var)", mean_term=""), ["dx-missing-mean-term"]),
        (lambda: dict_style(invstd="torch.rsqrt(var)", var_term=""), ["dx-missing-var-term"]),
    ],
    ids=["template, no mean term", "dict cache, no var term"],
)
def test_bn_backward_is_named_for_its_own_mistake_only(ns, named: list[str]) -> None:
    result = grade("02.bn_backward", ns()["bn_backward"])
    assert result.status == "failed" and result.misconceptions == named, result.feedback  # missing-eps is bn_forward's


@pytest.mark.parametrize("make", UNNAMED_FORWARD.values(), ids=UNNAMED_FORWARD.keys())
def test_an_unexplained_forward_is_named_as_the_cause(make) -> None:
    """Nothing separates the parts: bn_backward fails, and the feedback says to fix bn_forward first."""
    ns = make()
    backward = grade("02.bn_backward", ns["bn_backward"])
    assert backward.status == "failed" and backward.misconceptions == [], backward.feedback
    assert "your bn_forward fails this case too" in backward.feedback and "fix bn_forward first" in backward.feedback
    function = grade("02.BatchNormFunction", ns["BatchNormFunction"])
    assert function.status == "failed" and "your bn_forward fails this case too" in function.feedback


BLANK_FORWARD = "def bn_forward(x, gamma, beta, eps=1e-5):\n    raise NotImplementedError\n"


def test_a_blank_forward_is_named_as_the_cause() -> None:
    staged = textwrap.dedent(OTHER_BACKWARDS["staged chain rule"])
    ns = define(BLANK_FORWARD + staged[staged.index("def bn_backward") :])
    result = grade("02.bn_backward", ns["bn_backward"])
    assert result.status == "failed" and "implement bn_forward first" in result.feedback, result.feedback


@pytest.mark.parametrize("blank", ["raise NotImplementedError", "raise NotImplementedError('todo')"])
def test_a_blank_backward_on_a_blank_forward_is_not_implemented(blank: str) -> None:
    ns = define(BLANK_FORWARD + f"def bn_backward(dy, cache):\n    {blank}\n")
    assert grade("02.bn_backward", ns["bn_backward"]).status == "not-implemented"


# gradcheck: a right backward with a term that is 0 in exact arithmetic and does not depend on dy
ZERO_TERM = {
    "mean of x_hat": SAVED_TENSORS_FUNCTION.replace("return dx, ", "return dx + xhat.mean(d, True), "),
    "sum of centred x_hat": SAVED_TENSORS_FUNCTION.replace(
        "return dx, ", "return dx - 1e-3 * gamma.view(1, -1, 1, 1) * xhat.sum(d, True), "
    ),
}


@pytest.mark.parametrize("code", ZERO_TERM.values(), ids=ZERO_TERM.keys())
def test_a_rounding_noise_term_passes_gradcheck(code: str) -> None:
    result = grade("02.BatchNormFunction", define(code)["BatchNormFunction"])
    assert result.status == "passed", result.feedback


def _gradcheck_case_mismatch(code: str):
    spec = exercises.spec("02.BatchNormFunction")
    case = next(c for c in spec.cases() if c.params.get("gradcheck"))
    got = probes.probe("02.BatchNormFunction")(define(code)["BatchNormFunction"], case.inputs, case.params)
    return spec.compare(case, got, spec.reference(case))


@pytest.mark.parametrize(
    "term",
    ["(dy.abs().sum() == 0).to(dy.dtype)", "(1.0 if not dy.any() else 0.0)"],
    ids=["tensor flag", "python branch"],
)
def test_gradcheck_names_the_zero_grad_output_subtest(term: str) -> None:
    found = _gradcheck_case_mismatch(SAVED_TENSORS_FUNCTION.replace("return dx, ", f"return dx + {term}, "))
    assert found is not None and "'backward multiplied by grad_output'" in found.detail, found
    assert "grad_output = 0: dx" in found.detail and "finite differences" not in found.detail


@pytest.mark.parametrize(
    "slip",
    [("- xhat * (dy * xhat).mean(d, True)", ""), ("dy - dy.mean(d, True)", "dy")],
    ids=["no var term", "no mean term"],
)
def test_gradcheck_names_the_jacobian_subtest(slip: tuple[str, str]) -> None:
    found = _gradcheck_case_mismatch(SAVED_TENSORS_FUNCTION.replace(*slip))
    assert found is not None and "Jacobian check failed" in found.detail, found
    assert "with respect to input 0" in found.detail and "finite differences of forward" in found.detail
