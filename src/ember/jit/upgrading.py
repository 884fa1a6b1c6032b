"""`ember upgrade OLD NEW`: an old TorchScript archive rewritten at the current version.

Loading an archive applies the operator upgraders its version calls for (`ember.upgraders`);
saving the loaded module prints the upgraded code, whose version record then follows the
operators it calls now (torch's dynamic rule). The new archive means what the old one meant
without needing any upgrader: `torch.jit.load` and `ember.jit.load` give the same results
for both. Tensors, extra files and source ranges carry over.

Example: a version-3 archive whose ``a / b`` divided integer tensors truncating.
    >>> import io, ember
    >>> from pathlib import Path
    >>> old = Path(ember.__file__).parents[2] / "tests/fixtures/upgraders/div_v3.pt"
    >>> new = io.BytesIO()
    >>> upgrade_archive(old, new)
    UpgradeReport(old_version=3, new_version=4, upgraded={'div_Tensor_0_3': 1, 'div_Scalar_0_3': 4})
    >>> m = ember.jit.load(io.BytesIO(new.getvalue()))
    >>> m(ember.tensor([-7, 7]), ember.tensor([2, 2]), 2, 2.0)[0]
    tensor([-3,  3])
"""

from __future__ import annotations

from dataclasses import dataclass

from ember.jit.loading import load_with_report
from ember.jit.saving import archive_contents, save

__all__ = ["upgrade_archive", "UpgradeReport"]


@dataclass(frozen=True)
class UpgradeReport:
    """The versions before and after, and the calls upgraded (upgrader name -> count)."""

    old_version: int
    new_version: int
    upgraded: dict

    def summary(self, old="OLD", new="NEW") -> str:
        """One line for a terminal.

        >>> print(UpgradeReport(3, 4, {"div_Tensor_0_3": 2}).summary("a.pt", "b.pt"))
        a.pt (version 3) -> b.pt (version 4): 2 calls upgraded (div_Tensor_0_3 2)
        >>> print(UpgradeReport(10, 10, {}).summary())
        OLD (version 10) -> NEW (version 10): no upgrader applies
        """
        head = f"{old} (version {self.old_version}) -> {new} (version {self.new_version})"
        if not self.upgraded:
            return f"{head}: no upgrader applies"
        total = sum(self.upgraded.values())
        calls = ", ".join(f"{name} {count}" for name, count in self.upgraded.items())
        return f"{head}: {total} call{'' if total == 1 else 's'} upgraded ({calls})"


def upgrade_archive(old, new) -> UpgradeReport:
    """Rewrite the TorchScript archive `old` as `new` with its upgraders inlined.

    `old` and `new` are paths or binary files (`new` may be the same path as `old`: it is
    replaced atomically). Raises `ember.VersionError` for an archive outside the versions
    ember reads, `SerializationError` for a damaged one; `new` is then left untouched.
    """
    module, report = load_with_report(old)
    save(module, new, _extra_files=report.extra_files)
    new_version = archive_contents(module).version
    return UpgradeReport(report.version, new_version, report.upgraded)
