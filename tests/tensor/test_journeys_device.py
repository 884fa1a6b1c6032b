"""Devices as PyTorch code names them: ember.device, model.to('cpu', dtype), .cuda() refusing."""

import pytest

import ember


def _net():
    return ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.BatchNorm1d(2))


def test_module_to_device_then_dtype(torch):
    for args, kwargs in [
        (("cpu", ember.float64), {}),
        ((ember.device("cpu"), ember.float64), {}),
        ((), {"device": "cpu", "dtype": ember.float64}),
        ((ember.zeros(1, dtype=ember.float64),), {}),
    ]:
        net = _net()
        assert net.to(*args, **kwargs) is net
        assert net[0].weight.dtype == ember.float64, (args, kwargs)
        assert net[1].num_batches_tracked.dtype == ember.int64
    t = torch.nn.Linear(3, 2).to("cpu", torch.float64)
    assert t.weight.dtype == torch.float64


def test_module_to_other_device_and_cuda_fail():
    net = _net()
    with pytest.raises(RuntimeError, match="CPU"):
        net.to("cuda")
    with pytest.raises(RuntimeError, match="CPU"):
        net.to(device="cuda:0")
    with pytest.raises(RuntimeError, match="CPU"):
        net.cuda()
    assert net.cpu() is net and net.to("cpu") is net


def test_device_object(torch):
    d = ember.device("cpu")
    assert repr(d) == repr(torch.device("cpu")).replace("torch", "ember") == "device(type='cpu')"
    assert str(d) == "cpu" and d.type == "cpu" and d.index is None
    assert str(ember.device("cpu", 0)) == str(torch.device("cpu", 0)) == "cpu:0"
    assert ember.device("cpu:0").index == 0
    assert ember.device(d) == d
    x = ember.ones(2)
    assert x.device == ember.device("cpu")
    assert ember.ones(2, device=ember.device("cpu")).tolist() == [1.0, 1.0]
    assert x.to(ember.device("cpu")) is x
    with pytest.raises(RuntimeError):
        ember.device("gpu")


def test_is_tensor(torch):
    p = ember.nn.Parameter(ember.ones(1))
    assert ember.is_tensor(p) and ember.is_tensor(ember.ones(1))
    assert not ember.is_tensor(1) and not ember.is_tensor([ember.ones(1)])
    assert ember.is_storage(ember.ones(1).untyped_storage())
    assert not ember.is_storage(ember.ones(1))
    assert ember.is_floating_point(ember.ones(1)) and not ember.is_floating_point(
        ember.ones(1).long()
    )
