"""`ember check`, and the `ember` command as installed."""

import subprocess
import sys

from tests.cli.inspecting import run

import ember


class Payload:
    def __reduce__(self):
        return (print, ("pwned",))


def test_check_names_unsafe_globals_without_running_them(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    ember.save({"w": ember.zeros(1), "x": Payload()}, path)
    status, out, _ = run(capsys, "check", path)
    assert status == 1 and "builtins.print" in out and "pwned" not in out


def test_check_accepts_weights_only_files(tmp_path, capsys):
    path = tmp_path / "ok.pt"
    ember.save({"w": ember.zeros(1)}, path)
    status, out, _ = run(capsys, "check", path)
    assert status == 0 and "no unsafe globals" in out


def test_check_says_what_is_wrong_with_a_damaged_file(tmp_path, capsys):
    path = tmp_path / "bad.pt"
    path.write_bytes(b"PK\x03\x04 and then nothing")
    status, out, err = run(capsys, "check", path)
    assert (status, out) == (2, "") and err.startswith(f"ember check: {path}: ")


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "ember.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "inspect" in result.stdout and "check" in result.stdout
    ember_exe = sys.executable.rpartition("/")[0] + "/ember"
    result = subprocess.run([ember_exe, "inspect", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--json" in result.stdout and "--code" in result.stdout
