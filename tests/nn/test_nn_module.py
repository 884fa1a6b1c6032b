"""nn.Module and Parameter: registration, iteration, state dicts, reprs, against torch 2.13."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember as torch_like
from compare import from_torch
from ember import nn


class MyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 2)
        self.l1 = nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = nn.functional.relu(out0)
        return self.l1(out0_relu)


def build_nested(nn_mod):
    """The same nested model in ember.nn or torch.nn (order of keys is what's compared)."""

    class Block(nn_mod.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn_mod.Conv2d(3, 4, 3, bias=False)
            self.bn = nn_mod.BatchNorm2d(4)
            self.register_buffer("scale", torch_ones(nn_mod, 1))
            self.register_buffer("cache", torch_ones(nn_mod, 2), persistent=False)

    class Net(nn_mod.Module):
        def __init__(self):
            super().__init__()
            self.stem = Block()
            self.blocks = nn_mod.ModuleList([Block(), Block()])
            self.head = nn_mod.Sequential(
                nn_mod.Flatten(), nn_mod.Linear(4, 2), nn_mod.LayerNorm(2), nn_mod.ReLU()
            )
            self.table = nn_mod.ModuleDict({"emb": nn_mod.Embedding(5, 2, padding_idx=0)})
            self.alpha = nn_mod.Parameter(torch_ones(nn_mod, 3))

    return Net()


def torch_ones(nn_mod, n):
    if nn_mod is nn:
        return ember.ones(n)
    import torch

    return torch.ones(n)


# -- the seeds ---------------------------------------------------------------------------------


def test_seed_batchnorm1d_parameters_buffers_state_dict():
    bn = torch_like.nn.BatchNorm1d(3, track_running_stats=True)
    assert repr(list(bn.named_parameters())) == (
        "[('weight', Parameter containing:\ntensor([1., 1., 1.], requires_grad=True)), "
        "('bias', Parameter containing:\ntensor([0., 0., 0.], requires_grad=True))]"
    )
    assert repr(list(bn.named_buffers())) == (
        "[('running_mean', tensor([0., 0., 0.])), ('running_var', tensor([1., 1., 1.])), "
        "('num_batches_tracked', tensor(0))]"
    )
    sd = bn.state_dict()
    assert type(sd) is OrderedDict
    assert repr(list(sd.items())) == (
        "[('weight', tensor([1., 1., 1.])), ('bias', tensor([0., 0., 0.])), "
        "('running_mean', tensor([0., 0., 0.])), ('running_var', tensor([1., 1., 1.])), "
        "('num_batches_tracked', tensor(0))]"
    )
    new_bn = torch_like.nn.BatchNorm1d(3, track_running_stats=True)
    assert repr(new_bn.load_state_dict(bn.state_dict())) == "<All keys matched successfully>"


def test_seed_mymodule_state_dict_keys(torch):
    m = MyModule()
    sd = m.state_dict()
    assert list(sd) == ["l0.weight", "l0.bias", "l1.weight", "l1.bias"]
    assert dict(sd._metadata) == {"": {"version": 1}, "l0": {"version": 1}, "l1": {"version": 1}}
    assert repr(MyModule().load_state_dict(sd)) == "<All keys matched successfully>"
    assert m(ember.ones(4)).shape == ember.Size([1])


def test_parameter_repr_and_storage_sharing(torch):
    data = ember.ones(3)
    p = nn.Parameter(data)
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(3))).replace("torch.", "ember.")
    assert p.requires_grad and isinstance(p, ember.Tensor)
    assert p.untyped_storage() is data.untyped_storage()
    assert not nn.Parameter(data, requires_grad=False).requires_grad


# -- registration and attributes -------------------------------------------------------------


def test_setattr_registers_and_moves_between_tables():
    m = nn.Module()
    m.w = nn.Parameter(ember.ones(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("buf", ember.zeros(2))
    m.plain = 3
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"]
    assert list(m._buffers) == ["buf"] and m.plain == 3
    m.buf = ember.ones(2)
    assert m._buffers["buf"].tolist() == [1.0, 1.0]
    m.w = None
    assert m._parameters["w"] is None and list(m.parameters()) == list(m.sub.parameters())
    with pytest.raises(TypeError, match="cannot assign 'ember.Tensor' as parameter 'w'"):
        m.w = ember.ones(2)
    with pytest.raises(TypeError, match="child module 'sub'"):
        m.sub = 3
    m.sub = nn.Parameter(ember.ones(1))
    assert "sub" not in m._modules and "sub" in m._parameters
    del m.sub
    assert "sub" not in m._parameters
    with pytest.raises(AttributeError, match="has no attribute 'sub'"):
        m.sub  # noqa: B018
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("plain", None)
    assert "buf" in dir(m) and "w" in dir(m)


def test_assign_before_init_fails():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_named_members_and_modules_match_torch(torch):
    ours, theirs = build_nested(nn), build_nested(torch.nn)
    for method in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        got = [name for name, _ in getattr(ours, method)()]
        assert got == [name for name, _ in getattr(theirs, method)()], method
    got = [n for n, _ in ours.named_parameters(prefix="net", recurse=True)]
    assert got == [n for n, _ in theirs.named_parameters(prefix="net")]
    assert [n for n, _ in ours.named_buffers(recurse=False)] == []
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert len(list(ours.children())) == 4


def test_shared_modules_and_parameters_dedupe(torch):
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    got = [n for n, _ in seq.named_parameters(remove_duplicate=False)]
    assert got == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in seq.named_modules()] == ["", "0"]
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


# -- state dicts -------------------------------------------------------------------------------


def test_state_dict_keys_order_and_metadata_match_torch(torch):
    ours, theirs = build_nested(nn), build_nested(torch.nn)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    assert dict(sd._metadata) == dict(tsd._metadata)
    loaded = build_nested(nn)
    result = loaded.load_state_dict({k: from_torch(v) for k, v in tsd.items()})
    assert repr(result) == "<All keys matched successfully>"
    np.testing.assert_array_equal(loaded.stem.conv.weight.detach().numpy(), tsd["stem.conv.weight"])


def test_state_dict_shares_storage_and_is_detached():
    lin = nn.Linear(3, 2)
    sd = lin.state_dict()
    assert type(sd["weight"]) is ember.Tensor and not sd["weight"].requires_grad
    assert sd["weight"].untyped_storage() is lin.weight.untyped_storage()
    sd["bias"].numpy()[0] = 5.0
    assert lin.bias[0].item() == 5.0
    assert lin.state_dict(keep_vars=True)["weight"] is lin.weight


def test_load_state_dict_copies_in_place():
    src, dst = nn.Linear(3, 2), nn.Linear(3, 2)
    weight = dst.weight
    view = dst.weight[0]
    dst.load_state_dict(src.state_dict())
    assert dst.weight is weight
    np.testing.assert_array_equal(view.numpy(), src.weight.detach().numpy()[0])
    dst.load_state_dict({"weight": ember.zeros(2, 3), "bias": ember.zeros(2)}, assign=True)
    assert dst.weight is not weight and isinstance(dst.weight, nn.Parameter)


def test_load_state_dict_errors_match_torch(torch):
    ours = MyModule()
    sd = ours.state_dict()
    bad = OrderedDict(sd)
    bad["l0.weight"] = ember.zeros(3, 4)
    del bad["l1.bias"]
    bad["extra"] = ember.zeros(1)
    with pytest.raises(RuntimeError) as ours_err:
        MyModule().load_state_dict(bad)
    assert isinstance(ours_err.value, ember.EmberError)
    tmod = torch.nn.Module()
    tmod.l0, tmod.l1 = torch.nn.Linear(4, 2), torch.nn.Linear(2, 1)
    tbad = {k: torch.zeros(tuple(v.shape)) for k, v in bad.items()}
    with pytest.raises(RuntimeError) as torch_err:
        tmod.load_state_dict(tbad)
    expected = str(torch_err.value).replace("torch.", "ember.").replace("Module:", "MyModule:")
    assert str(ours_err.value) == expected
    result = MyModule().load_state_dict({"l0.weight": sd["l0.weight"], "x": sd["l0.bias"]}, False)
    assert result.missing_keys == ["l0.bias", "l1.weight", "l1.bias"]
    assert result.unexpected_keys == ["x"]
    assert repr(result) == (
        "_IncompatibleKeys(missing_keys=['l0.bias', 'l1.weight', 'l1.bias'], unexpected_keys=['x'])"
    )


@pytest.mark.parametrize("prefix", ["module.", "_orig_mod."])
def test_prefix_mismatch_is_explained_and_fixable(prefix):
    sd = MyModule().state_dict()
    wrapped = OrderedDict((prefix + k, v) for k, v in sd.items())
    wrapped._metadata = OrderedDict((prefix + k if k else k, v) for k, v in sd._metadata.items())
    with pytest.raises(nn.StateDictError) as err:
        MyModule().load_state_dict(wrapped)
    message = str(err.value)
    assert f'prefix "{prefix}"' in message
    assert "consume_prefix_in_state_dict_if_present" in message
    nn.utils.consume_prefix_in_state_dict_if_present(wrapped, prefix)
    assert list(wrapped) == list(sd)
    assert set(wrapped._metadata) == set(sd._metadata)
    assert repr(MyModule().load_state_dict(wrapped)) == "<All keys matched successfully>"


def test_missing_prefix_on_checkpoint_side_is_explained():
    outer = nn.Module()
    outer.module = MyModule()
    with pytest.raises(nn.StateDictError, match=r"model's keys carry the prefix \"module.\""):
        outer.load_state_dict(MyModule().state_dict())


def test_consume_prefix_matches_torch(torch):
    from torch.nn.modules.utils import consume_prefix_in_state_dict_if_present as theirs

    keys = ["module.a", "module.b.c", "other.d"]
    meta = {"": {"version": 1}, "module": {"version": 1}, "module.b": {"version": 2}}
    ours_sd, torch_sd = OrderedDict.fromkeys(keys, 0), OrderedDict.fromkeys(keys, 0)
    ours_sd._metadata, torch_sd._metadata = OrderedDict(meta), OrderedDict(meta)
    nn.utils.consume_prefix_in_state_dict_if_present(ours_sd, "module.")
    theirs(torch_sd, "module.")
    assert list(ours_sd) == list(torch_sd)
    assert ours_sd._metadata == torch_sd._metadata


def test_size_mismatch_in_non_strict_mode_still_raises():
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: .*ember.Size\(\[1, 3\]\)"):
        nn.Linear(3, 2).load_state_dict({"weight": ember.zeros(1, 3)}, strict=False)


def test_batchnorm_old_checkpoint_without_num_batches_tracked():
    bn = nn.BatchNorm1d(2)
    sd = bn.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata[""] = {"version": 1}
    assert repr(nn.BatchNorm1d(2).load_state_dict(sd)) == "<All keys matched successfully>"
    sd._metadata[""] = {"version": 2}
    assert nn.BatchNorm1d(2).load_state_dict(sd, strict=False).missing_keys == [
        "num_batches_tracked"
    ]


# -- modes, transforms, pickling ----------------------------------------------------------------


def test_train_eval_apply_to():
    net = build_nested(nn)
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Conv2d"
    net.double()
    assert net.stem.conv.weight.dtype == ember.float64
    assert isinstance(net.stem.conv.weight, nn.Parameter)
    assert net.stem.bn.num_batches_tracked.dtype == ember.int64
    net.to(ember.float16)
    assert net.head[1].bias.dtype == ember.float16
    assert net.requires_grad_(False).alpha.requires_grad is False
    net.zero_grad()


def test_modules_pickle_and_deepcopy():
    m = MyModule()
    for clone in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert type(clone) is MyModule
        assert list(clone.state_dict()) == list(m.state_dict())
        np.testing.assert_array_equal(
            clone.l0.weight.detach().numpy(), m.l0.weight.detach().numpy()
        )
        assert isinstance(clone.l0.weight, nn.Parameter)
        assert clone.l0.weight.untyped_storage() is not m.l0.weight.untyped_storage()


# -- containers and reprs --------------------------------------------------------------------


def test_sequential_and_module_list_behave_like_torch(torch):
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert [type(m).__name__ for m in seq[1:]] == ["ReLU", "Linear"]
    assert list(seq[1:]._modules) == ["1", "2"]
    seq.append(nn.Tanh())
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2"]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    assert named(ember.ones(1, 2)).shape == ember.Size([1, 2])
    ml = nn.ModuleList([nn.ReLU()])
    ml += [nn.Tanh()]
    ml.insert(0, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Identity", "ReLU", "Tanh"]
    md = nn.ModuleDict({"a": nn.ReLU()})
    md["b"] = nn.Tanh()
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2


def test_nested_repr_matches_torch(torch):
    ours, theirs = build_nested(nn), build_nested(torch.nn)
    assert repr(ours) == repr(theirs).replace("torch.", "ember.")
    ml = [nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()]
    tml = [torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.ReLU()]
    assert repr(nn.ModuleList(ml)) == repr(torch.nn.ModuleList(tml))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential())


def test_state_dicts_cross_to_torch_and_back(torch, tmp_path):
    ours, theirs = build_nested(nn), build_nested(torch.nn)
    ember.save(ours.state_dict(), tmp_path / "ours.pt")
    loaded = torch.load(tmp_path / "ours.pt", weights_only=True)
    assert dict(loaded._metadata) == dict(ours.state_dict()._metadata)
    assert repr(theirs.load_state_dict(loaded)) == "<All keys matched successfully>"
    np.testing.assert_array_equal(
        theirs.head[1].weight.detach().numpy(), ours.head[1].weight.detach().numpy()
    )
    torch.save(theirs.state_dict(), tmp_path / "theirs.pt")
    back = build_nested(nn)
    state = ember.load(tmp_path / "theirs.pt")
    assert repr(back.load_state_dict(state)) == "<All keys matched successfully>"
    assert back.stem.bn.num_batches_tracked.dtype == ember.int64
    np.testing.assert_array_equal(
        back.table["emb"].weight.detach().numpy(), ours.table["emb"].weight.detach().numpy()
    )


def test_parameter_data_views_and_repoints():
    lin = nn.Linear(2, 2)
    data = lin.weight.data
    assert type(data) is ember.Tensor and data.untyped_storage() is lin.weight.untyped_storage()
    replacement = ember.zeros(2, 2)
    lin.weight.data = replacement
    assert lin.weight.untyped_storage() is replacement.untyped_storage()
    assert isinstance(lin.weight, nn.Parameter) and lin.weight.requires_grad
