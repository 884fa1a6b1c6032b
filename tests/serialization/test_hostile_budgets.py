"""Memory and time bombs in pickles (issue 13, findings 3 and 4): nesting depth, memo-doubled
structures hashed or printed, builtins iterating huge stride-0 tensors, colliding hash keys,
conj/neg copies per view. Each is refused with a SerializationError naming its budget."""

import io
import pickle
import tracemalloc

import pytest

import ember
from crafted import checkpoint
from hostile_files import (
    PROTO,
    STOP,
    call_on,
    deep_tuple_key,
    doubling_tuple,
    legacy_conj_views,
    run_python,
    tensor_call,
    zip_checkpoint,
)


def _load(pkl: bytes, **kw):
    return ember.load(io.BytesIO(checkpoint(pkl, {"data/0": bytes(4)})), **kw)


_LOAD_FILE = """
    import io, sys
    import ember
    data = open(sys.argv[1], "rb").read()
    try:
        ember.load(io.BytesIO(data))
    except ember.SerializationError as exc:
        print("refused:", exc)
"""


def test_deeply_nested_tuple_key_is_refused_not_a_segfault(tmp_path):
    """461 bytes: 200,000 nested one-element tuples as a dict key; hashing them recursed in
    C until the process died."""
    bomb = zip_checkpoint(deep_tuple_key(200_000))  # stored: deflated, the pickle budget refuses
    path = tmp_path / "deep.pt"
    path.write_bytes(bomb)
    done = run_python(_LOAD_FILE, str(path))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refused:" in done.stdout and "nest" in done.stdout


def _nested_lists(depth: int) -> bytes:
    return PROTO + b"]" * depth + b"a" * (depth - 1) + STOP


def test_nesting_depth_budget():
    assert len(_load(_nested_lists(1000))) == 1
    with pytest.raises(ember.SerializationError, match="1000") as info:
        _load(_nested_lists(1001))
    assert "nest" in str(info.value)
    with pytest.raises(ember.SerializationError, match="nest"):
        _load(deep_tuple_key(1001))
    key = 1
    for _ in range(500):  # compared recursively below, within Python's recursion limit
        key = (key,)
    assert _load(deep_tuple_key(500)) == {key: 2}
    assert list(_load(deep_tuple_key(998)).values()) == [2]


def test_nesting_depth_is_checked_in_archives_too():
    from ember.serializer.script_unpickler import unpickle_script

    with pytest.raises(ember.SerializationError, match="nest"):
        unpickle_script(_nested_lists(1500), None)


def test_memo_doubled_key_is_refused_before_hashing():
    """(t, t) doubled 24 times: 2**24 leaves in 200 bytes, hashed in full as a dict key."""
    pkl = PROTO + b"}" + doubling_tuple(24) + b"K\x01s" + STOP
    assert len(pkl) < 250
    with pytest.raises(ember.SerializationError, match="work budget"):
        _load(pkl)


def test_memo_doubled_set_member_is_refused():
    pkl = PROTO + b"\x8f(" + doubling_tuple(24) + b"\x90" + STOP  # EMPTY_SET MARK .. ADDITEMS
    with pytest.raises(ember.SerializationError, match="work budget"):
        _load(pkl)


def test_ordinary_tuple_keys_still_load():
    state = {(i, "w", (i, i + 1)): i for i in range(2000)}
    assert _load(pickle.dumps(state, protocol=2)) == state


def test_error_messages_abbreviate_what_they_show():
    """An error naming a memo-doubled tuple printed all of its 2**22 leaves."""
    pkl = PROTO + doubling_tuple(22) + b")R" + STOP  # call the tuple
    tracemalloc.start()
    try:
        with pytest.raises(ember.SerializationError) as info:
            _load(pkl)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(str(info.value)) < 600
    assert peak < 4 << 20


@pytest.mark.parametrize(
    "builtin",
    [("builtins", "set"), ("builtins", "frozenset"), ("collections", "Counter"),
     ("torch", "Size")],
)  # fmt: skip
def test_builtins_iterating_a_huge_stride0_tensor_are_refused(builtin):
    """set(t) of a 2**40-element stride-0 tensor made 2**40 tensors (471 bytes -> 1.9 GB)."""
    pkl = call_on(*builtin, tensor_call((1 << 16,), (0,), numel=1))
    with pytest.raises(ember.SerializationError, match="work budget"):
        _load(pkl)


def test_builtins_on_small_tensors_and_lists_still_work():
    pkl = call_on("builtins", "set", tensor_call((2,), (1,), numel=1))
    with pytest.raises(ember.SerializationError, match="smaller"):
        _load(pkl)  # a 2-element view of a 1-element storage: refused as before
    assert _load(pickle.dumps({1, 2, 3}, protocol=2)) == {1, 2, 3}
    assert _load(pickle.dumps(frozenset({"a"}), protocol=2)) == frozenset({"a"})


_COLLIDING = [k * (2**61 - 1) for k in range(1, 2001)]  # all hash to 0


@pytest.mark.parametrize("kind", [dict, set, frozenset])
def test_keys_sharing_one_hash_are_refused(kind):
    """50,000 keys hashing to 0 took 15-20 s to insert (each compared with all before it)."""
    assert {hash(k) for k in _COLLIDING} == {0}
    value = dict.fromkeys(_COLLIDING, 0) if kind is dict else kind(_COLLIDING)
    with pytest.raises(ember.SerializationError, match="share one hash"):
        _load(pickle.dumps(value, protocol=2))


def test_a_few_equal_hashes_still_load():
    value = {-1: "a", -2: "b", 0: "c", 2**61 - 1: "d", 0.0 + 1e-300: "e"}
    assert _load(pickle.dumps(value, protocol=2)) == value


def test_conj_copies_per_view_are_budgeted():
    """A legacy file whose storage views each carry conj metadata: each view copied the whole
    storage (1.26 MB -> 2 GB)."""
    bomb = legacy_conj_views(views=200, numel=8192)
    with pytest.raises(ember.SerializationError, match="copy budget"):
        ember.load(io.BytesIO(bomb))
    few = ember.load(io.BytesIO(legacy_conj_views(views=2, numel=8)))
    assert [t.dtype for t in few] == [ember.complex64] * 2
