"""Files saved from GPUs, and the `map_location` values PyTorch users pass (torch 2.13: oracle).

The GPU files are torch.save files whose storage locations are rewritten to 'cuda:0' (and, as
old files have them, storage types to `torch.cuda.*Storage`): what a CUDA machine writes.
"""

import io

import pytest

import ember
import fuzz_corpus
import fuzz_pickle


def _on_cuda(pkl: bytes, cuda_types: bool) -> bytes:
    ops = []
    for name, arg in fuzz_pickle.decode(pkl):
        if arg == "cpu":
            arg = "cuda:0"
        elif cuda_types and name == "GLOBAL" and arg.startswith("torch ") and "Storage" in arg:
            arg = arg.replace("torch ", "torch.cuda ", 1)
        ops.append((name, arg))
    return fuzz_pickle.encode(ops)


def cuda_file(torch, zip_format: bool, cuda_types: bool = False) -> bytes:
    base = torch.arange(6.0)
    buf = io.BytesIO()
    obj = {"w": base, "v": base[1::2], "i": torch.tensor([7, 8], dtype=torch.int16)}
    torch.save(obj, buf, _use_new_zipfile_serialization=zip_format)
    data = buf.getvalue()
    if zip_format:
        pkl = fuzz_corpus.ZipReader(data).read("data.pkl")
        return fuzz_corpus.repack(data, {"data.pkl": _on_cuda(pkl, cuda_types)})
    cuts = fuzz_corpus.legacy_cuts(data)
    return data[: cuts[3]] + _on_cuda(data[cuts[3] : cuts[4]], cuda_types) + data[cuts[4] :]


FILES = [
    pytest.param(True, False, id="zip"),
    pytest.param(False, False, id="legacy"),
    pytest.param(False, True, id="legacy-cuda-types"),
]


def _map_locations(torch):
    return {
        "None": None,
        "'cpu'": "cpu",
        "'cpu:0'": "cpu:0",
        "ember.device": ember.device("cpu"),
        "torch.device": torch.device("cpu"),
        "dict": {"cuda:0": "cpu"},
        "dict of devices": {"cuda:0": torch.device("cpu")},
        "callable keeping the storage": lambda storage, location: storage,
        "callable returning None": lambda storage, location: None,
    }


@pytest.mark.parametrize("zip_format, cuda_types", FILES)
def test_gpu_files_load_on_the_cpu_with_every_map_location(torch, zip_format, cuda_types):
    data = cuda_file(torch, zip_format, cuda_types)
    with pytest.raises(RuntimeError):  # the oracle really sees a GPU file
        torch.load(io.BytesIO(data), weights_only=True)
    ref = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    for what, map_location in _map_locations(torch).items():
        back = ember.load(io.BytesIO(data), map_location=map_location)
        for key in ref:
            assert back[key].tolist() == ref[key].tolist(), what
            assert back[key].stride() == ref[key].stride(), what
        assert back["v"].untyped_storage() is back["w"].untyped_storage(), what
        assert back["w"].device == "cpu"


@pytest.mark.parametrize("zip_format, cuda_types", FILES)
def test_callable_sees_each_storage_and_its_location(torch, zip_format, cuda_types):
    data = cuda_file(torch, zip_format, cuda_types)
    seen = []

    def record(storage, location):
        seen.append((storage.nbytes(), location))

    ember.load(io.BytesIO(data), map_location=record)
    assert sorted(seen) == [(4, "cuda:0"), (24, "cuda:0")]


@pytest.mark.parametrize("zip_format", [True, False])
def test_callable_may_return_another_storage(torch, zip_format):
    data = cuda_file(torch, zip_format)
    copies = []

    def copy(storage, location):
        copies.append(storage.clone())
        return copies[-1]

    back = ember.load(io.BytesIO(data), map_location=copy)
    ref = torch.load(io.BytesIO(data), weights_only=True, map_location=lambda s, loc: s.clone())
    assert back["v"].tolist() == ref["v"].tolist() == [1, 3, 5]
    assert any(back["w"].untyped_storage() is c for c in copies)


def test_callable_sees_the_loaded_bytes_in_zip_files(torch):
    data = cuda_file(torch, zip_format=True)
    first = {}

    def peek(storage, location):
        first.setdefault(storage.nbytes(), bytes(storage._buf[:4]))

    ember.load(io.BytesIO(data), map_location=peek)
    assert first[4] == bytes(torch.tensor([7, 8], dtype=torch.int16).numpy())


def test_mmap_load_honours_a_callable(torch, tmp_path):
    path = tmp_path / "gpu.pt"
    path.write_bytes(cuda_file(torch, zip_format=True))
    seen = []
    back = ember.load(path, mmap=True, map_location=lambda s, loc: seen.append(loc))
    assert seen == ["cuda:0", "cuda:0"] and back["v"].tolist() == [1, 3, 5]


def test_asking_for_a_gpu_is_refused(torch):
    data = cuda_file(torch, zip_format=True)
    for map_location in ("cuda", "cuda:0", torch.device("cuda"), {"cuda:0": "cuda:1"}):
        with pytest.raises(RuntimeError, match="CPU only"):
            ember.load(io.BytesIO(data), map_location=map_location)
    buf = io.BytesIO()
    ember.save(ember.ones(2), buf)  # saved on the CPU: a dict entry for cuda:1 never applies
    back = ember.load(io.BytesIO(buf.getvalue()), map_location={"cuda:1": "cuda:0"})
    assert back.tolist() == [1, 1]


def test_bad_map_locations_are_type_errors(torch):
    data = cuda_file(torch, zip_format=True)
    with pytest.raises(TypeError, match="map_location"):
        ember.load(io.BytesIO(data), map_location=5)
    with pytest.raises(TypeError, match="map_location"):
        ember.load(io.BytesIO(data), map_location={0: "cpu"})
    with pytest.raises(TypeError, match="expected a storage"):
        ember.load(io.BytesIO(data), map_location=lambda s, loc: "cpu")
    with pytest.raises(ValueError, match="bytes"):
        ember.load(io.BytesIO(data), map_location=lambda s, loc: ember.UntypedStorage(1))
    with pytest.raises(RuntimeError, match="Invalid device|Expected one of"):
        ember.load(io.BytesIO(data), map_location="gpu")


def test_storage_location_must_be_text(torch):
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf)
    data = buf.getvalue()
    ops = [
        (n, 7 if a == "cpu" else a)
        for n, a in fuzz_pickle.decode(fuzz_corpus.ZipReader(data).read("data.pkl"))
    ]
    bad = fuzz_corpus.repack(data, {"data.pkl": fuzz_pickle.encode(ops)})
    with pytest.raises(ember.SerializationError, match="persistent id"):
        ember.load(io.BytesIO(bad))
