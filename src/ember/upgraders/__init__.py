"""Operator upgraders: old archives keep the meaning their operators had when written.

When an operator's meaning changes (integer ``torch.div`` stopped truncating in version 4),
archives record the version their code was written at (the dynamic version rule, see
docs/versioning.md), and a reader gives calls in older archives their old meaning. The
table (`UPGRADERS`, in `ember.upgraders.table`) lists, per operator overload and inclusive
version range, the body that computes the old meaning with current operators (built as IR in
`ember.upgraders.bodies`); `upgrade(unit, version)` replaces the calls in a compiled unit by
those bodies. The archive loader calls it right after compiling an archive's code, with the
archive's version. The table covers every upgrader torch 2.13 has for an overload of
`ember.ops`; torch 2.13 loading the same archives is the oracle (tests/fixtures/upgraders).

Example:
    >>> [(u.overload, u.versions) for u in UPGRADERS if u.body is not None][-3:]
    [('aten::full', (0, 4)), ('aten::linspace', (0, 7)), ('aten::logspace', (0, 8))]
    >>> print(for_version(4)["aten::full"].source)
    def full_0_4(size: List[int],
        fill_value: number,
        *,
        dtype: Optional[int]=None,
        layout: Optional[int]=None,
        device: Optional[Device]=None,
        pin_memory: Optional[bool]=None) -> Tensor:
      if torch.__is__(dtype, None):
        _0 : number = float(fill_value)
      else:
        _0 = fill_value
      _1 = torch.full(size, _0, dtype=dtype, layout=layout, device=device, pin_memory=pin_memory)
      return _1
    <BLANKLINE>
"""

from ember.upgraders.rewrite import check_calls, upgrade, upgrade_graph
from ember.upgraders.table import UPGRADERS, Upgrader, for_version

__all__ = ["upgrade", "upgrade_graph", "check_calls", "UPGRADERS", "Upgrader", "for_version"]
