"""Gradient-mode switches exist as no-ops, used the way PyTorch code uses them."""

import ember


def test_no_grad_context_and_decorator():
    with ember.no_grad():
        assert not ember.is_grad_enabled()
        y = ember.ones(2) * 2
    assert ember.is_grad_enabled()
    assert y.tolist() == [2.0, 2.0]

    @ember.no_grad()
    def f(x):
        return ember.is_grad_enabled(), x + 1

    assert f(ember.zeros(1))[0] is False
    assert ember.is_grad_enabled()


def test_enable_inference_and_set_grad_enabled():
    with ember.no_grad():
        with ember.enable_grad():
            assert ember.is_grad_enabled()
        assert not ember.is_grad_enabled()
    with ember.inference_mode():
        assert not ember.is_grad_enabled()
    with ember.inference_mode(False):
        assert ember.is_grad_enabled()

    @ember.inference_mode()
    def g():
        return ember.is_grad_enabled()

    assert g() is False
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not ember.is_grad_enabled()
    ember.set_grad_enabled(True)

    @ember.set_grad_enabled(False)
    def h():
        return ember.is_grad_enabled()

    assert ember.is_grad_enabled() and h() is False and ember.is_grad_enabled()


def test_model_eval_under_no_grad(torch):
    model = ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.ReLU()).eval()
    with ember.no_grad():
        out = model(ember.ones(1, 3))
    assert out.shape == (1, 2)
