"""`ember upgrade OLD NEW`: an old archive rewritten at the current version, which torch 2.13
and ember load with the old file's meaning and no upgrader; refusals exit 2 and leave NEW
alone."""

import shutil
import subprocess
import sys

from tests.upgraders.archives import FIXTURES

import ember
from ember.cli import main
from ember.jit.loading import load_with_report


def test_upgrade_prints_what_it_did(tmp_path, capsys):
    old, new = FIXTURES / "div_v3.pt", tmp_path / "div.pt"
    assert main(["upgrade", str(old), str(new)]) == 0
    assert capsys.readouterr().out == (
        f"{old} (version 3) -> {new} (version 4): 5 calls upgraded "
        "(div_Tensor_0_3 1, div_Scalar_0_3 4)\n"
    )
    _, report = load_with_report(new)
    assert (report.version, report.upgraded) == (4, {})


def test_torch_loads_the_result_with_the_old_meaning(torch, tmp_path):
    new = tmp_path / "div.pt"
    assert main(["upgrade", str(FIXTURES / "div_v3.pt"), str(new)]) == 0
    a, b = [-7, 7, -8, 5], [2, 2, 3, -2]
    theirs = torch.jit.load(new)(torch.tensor(a), torch.tensor(b), 2, 2.0)
    ours = ember.jit.load(FIXTURES / "div_v3.pt")(ember.tensor(a), ember.tensor(b), 2, 2.0)
    assert [t.tolist() for t in theirs] == [t.tolist() for t in ours]
    assert theirs[0].tolist() == [-3, 3, -2, -2]  # truncated toward zero, as at version 3


def test_a_current_archive_is_rewritten_unchanged_in_meaning(tmp_path, capsys):
    path = tmp_path / "gelu.pt"
    shutil.copy(FIXTURES / "gelu_v10.pt", path)
    assert main(["upgrade", str(path), str(path)]) == 0
    assert capsys.readouterr().out.endswith("(version 10): no upgrader applies\n")
    x = ember.tensor([-1.0, 0.5])
    assert repr(ember.jit.load(path)(x)) == repr(ember.jit.load(FIXTURES / "gelu_v10.pt")(x))


def test_refusals_exit_2_and_leave_new_alone(tmp_path):
    new = tmp_path / "new.pt"
    new.write_bytes(b"precious")
    for old, message in [
        (FIXTURES / "gelu_tanh_v9.pt", "an argument the operator gained in version 10"),
        (tmp_path / "missing.pt", "no such file"),
        (new, "not a zip archive"),
    ]:
        result = subprocess.run([sys.executable, "-m", "ember.cli", "upgrade", str(old), str(new)],
                                capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith(f"ember upgrade: {old}: ") and message in result.stderr
        assert "Traceback" not in result.stderr
        assert new.read_bytes() == b"precious"
