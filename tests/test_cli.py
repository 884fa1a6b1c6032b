"""The `ember` command: inspect and check checkpoints without running them."""

import pickle
import subprocess
import sys

import ember
from ember.cli import main


def test_inspect_lists_tensors_and_shared_storages(tmp_path, capsys):
    base = ember.arange(10, dtype=ember.float32)
    path = tmp_path / "c.pt"
    ember.save({"model": {"w": base.view(2, 5), "tail": base[6:]}, "step": 3}, path)
    assert main(["inspect", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "model.w  float32  [2, 5]  storage 0 (40 bytes), offset 0",
        "model.tail  float32  [4]  storage 0 (40 bytes), offset 6",
        "2 tensors, 1 storage, 40 bytes",
    ]


def test_inspect_reads_torch_files_with_mmap(tmp_path, capsys, torch):
    path = tmp_path / "t.pt"
    torch.save([torch.ones(3, dtype=torch.int8)], path)
    assert main(["inspect", "--mmap", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "0  int8  [3]  storage 0 (3 bytes), offset 0"


class Payload:
    def __reduce__(self):
        return (print, ("pwned",))


def test_check_names_unsafe_globals_without_running_them(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    ember.save({"w": ember.zeros(1), "x": Payload()}, path)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "builtins.print" in out and "pwned" not in out


def test_check_accepts_weights_only_files(tmp_path, capsys):
    path = tmp_path / "ok.pt"
    ember.save({"w": ember.zeros(1)}, path)
    assert main(["check", str(path)]) == 0
    assert "no unsafe globals" in capsys.readouterr().out


def test_damaged_file_exits_2_with_a_message(tmp_path, capsys):
    path = tmp_path / "bad.pt"
    path.write_bytes(pickle.dumps([1, 2])[:5])
    assert main(["inspect", str(path)]) == 2
    assert f"ember inspect: {path}:" in capsys.readouterr().err


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "ember.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "inspect" in result.stdout and "check" in result.stdout
