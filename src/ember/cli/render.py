"""`ember inspect`'s report as text for a terminal: a header, the records, the object tree
with aligned columns, shared storages and code files. The same report prints as JSON with
``--json``; both are deterministic.

Example:
    >>> import io, ember
    >>> from ember.cli.inspect_file import inspect_file
    >>> buf = io.BytesIO()
    >>> ember.save({"w": ember.zeros(2, 3), "epoch": 3}, buf)
    >>> print(render(inspect_file(buf.getvalue()), "model.pt", records=False))
    file       model.pt
    kind       checkpoint (zip)
    writer     ember: .data/serialization_id is ember's hash of the records
    version    3
    upgraders  none: a checkpoint holds no code
    byteorder  little
    <BLANKLINE>
    entries: dict, 2 entries
    ├── w      tensor  float32  [2, 3]  24 B  storage 0
    └── epoch  int     3
    <BLANKLINE>
    storages   1 tensor in 1 storage, 24 B; none shared
"""

from __future__ import annotations

from ember.cli.escaping import printable, printable_report

__all__ = ["render"]


def render(report: dict, path: str, records: bool = True, program: bool = False) -> str:
    """The text form of an `ember.cli.inspect_file` report on the file at `path`
    (`records=False` leaves out the table of zip records; `program=True` adds an archive's
    program record in full). Every string from the file is printed escaped
    (`ember.cli.escaping`): no escape sequence or newline in a name reaches the terminal.

    >>> import io, ember
    >>> from ember.cli.inspect_file import inspect_file
    >>> buf = io.BytesIO()
    >>> ember.save(ember.ones(2), buf)
    >>> print("\\n".join(render(inspect_file(buf.getvalue()), "one.pt").splitlines()[-4:]))
    entries
    <root>  tensor  float32  [2]  8 B  storage 0
    <BLANKLINE>
    storages   1 tensor in 1 storage, 8 B; none shared
    """
    report = printable_report(report)
    out = _header(report, printable(str(path)))
    if records and report["records"]:
        out += ["", *_records(report)]
    title = "entries" if report["kind"] == "checkpoint" else "modules"
    out += ["", *_tree(title, report[title])]
    if report.get("constants"):
        root = {"name": "", "kind": "container", "type": "tuple",
                "length": len(report["constants"]), "children": report["constants"]}  # fmt: skip
        out += ["", *_tree("constants", root)]
    out += ["", *_storages(report)]
    if report["code"]:
        out += ["", *_code(report["code"])]
    if "program" in report:
        out += ["", *_program(report["program"], program)]
    return "\n".join(out)


def _size(n: int) -> str:
    if n < 10 * 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        n /= 1024
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"
    raise AssertionError("unreachable")


def _aligned(rows: list[tuple], right: tuple = ()) -> list[str]:
    """Rows of cells as lines, each column as wide as its widest cell (`right`: right-aligned
    column indexes); rows shorter than the widest are padded only as far as they go."""
    columns = max(len(r) for r in rows)
    widths = [max(len(r[i]) for r in rows if len(r) > i) for i in range(columns)]
    lines = []
    for row in rows:
        cells = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


# -- header ----------------------------------------------------------------------------------


def _header(report: dict, path: str) -> list[str]:
    kind = "TorchScript archive" if report["kind"] == "archive" else "checkpoint"
    writer = report["writer"]
    rows = [
        ("file", path),
        ("kind", f"{kind} ({report['format']})"),
        ("writer", f"{writer['name']}: {writer['evidence']}"),
        ("version", _version(report)),
        ("upgraders", _upgraders(report)),
    ]
    if report["byteorder"]:
        rows.append(("byteorder", report["byteorder"]))
    if report.get("trailing_bytes"):
        rows.append(("trailing", f"{report['trailing_bytes']} bytes follow the checkpoint"))
    rows += [("refused", why) for why in report["refusals"]]
    return _aligned(rows)


def _version(report: dict) -> str:
    if report["version"] is not None:
        return str(report["version"])
    return (
        "none (the legacy format has no version record)" if report["format"] == "legacy" else "none"
    )


def _upgraders(report: dict) -> str:
    upgraders = report["upgraders"]
    if upgraders is None:
        return "none: a checkpoint holds no code"
    covering, apply, version = upgraders["in_range"], upgraders["may_apply"], report["version"]
    if apply:
        return f"{', '.join(apply)} (for operators the code calls)"
    if version is None:
        return "none: the version is unknown"
    if not covering:
        return f"none: no upgrader covers version {version}"
    return f"none apply: {len(covering)} cover version {version}, none an operator the code calls"


def _records(report: dict) -> list[str]:
    rows = [("name", "bytes", "stored as", "offset")]
    for rec in report["records"]:
        method = rec["method"]
        if method == "deflated":
            method += f" to {rec['compressed_bytes']}"
        rows.append((rec["name"], str(rec["bytes"]), method, str(rec["offset"])))
    title = f"records ({len(report['records'])}, in folder {report['folder']!r})"
    return [title, *("  " + line for line in _aligned(rows, right=(1, 3)))]


# -- trees -----------------------------------------------------------------------------------


def _tree(title: str, root: dict) -> list[str]:
    """`title` with what the root is, then its children as a tree (a leaf root: one row)."""
    rows: list[tuple] = []
    if "children" not in root:
        _rows({**root, "name": "<root>"}, "", "", rows)
    else:
        _children(root["children"], "", rows)
        cells = _cells(root)
        title += ": " + (cells[1] if root["kind"] in ("module", "object") else ", ".join(cells))
    return [title, *_table(rows)]


def _table(rows: list[tuple]) -> list[str]:
    if not rows:
        return []
    tensors = [r for r in rows if len(r) > 3]
    widths = [max((len(r[i]) for r in tensors), default=0) for i in range(2, 5)]
    label = max(len(r[0]) for r in rows)
    kind = max(len(r[1]) for r in rows)
    lines = []
    for row in rows:
        cells = [row[0].ljust(label), row[1].ljust(kind)]
        if len(row) > 3:
            dtype, shape, size, storage = row[2:]
            cells += [dtype.ljust(widths[0]), shape.ljust(widths[1]), size.rjust(widths[2]),
                      storage]  # fmt: skip
        else:
            cells.append(row[2])
        lines.append("  ".join(cells).rstrip())
    return lines


def _rows(node: dict, lead: str, inner: str, rows: list) -> None:
    """Append `node`'s row (label drawn with `lead`) and its children's (under `inner`)."""
    rows.append((lead + node["name"], *_cells(node)))
    _children(node.get("children", ()), inner, rows)


def _children(children: list, inner: str, rows: list) -> None:
    for i, child in enumerate(children):
        last = i == len(children) - 1
        _rows(child, inner + ("└── " if last else "├── "), inner + ("    " if last else "│   "),
              rows)  # fmt: skip


def _cells(node: dict) -> tuple:
    kind = node["kind"]
    if kind in ("tensor", "parameter", "buffer"):
        storage = f"storage {node['storage']}"
        if node["offset"]:
            storage += f", offset {node['offset']}"
        return (kind, node["dtype"], str(node["shape"]), _size(node["bytes"]), storage)
    if kind == "container":
        n = node["length"]
        noun = ("item", "items") if node["type"] in ("list", "tuple") else ("entry", "entries")
        return (node["type"], f"{n} {noun[n != 1]}")
    if kind in ("module", "object"):
        return (kind, f"{node['type']} ({node['qualified_name']})")
    if kind == "same":
        return (node["type"], f"the same object as {node['path']}")
    if kind == "refused":
        return ("refused", f"{node['text']}  (stand-in: nothing was run)")
    if kind == "omitted":
        return ("omitted", node["text"])
    return ("None" if node["type"] == "NoneType" else node["type"], node["text"])


# -- storages and code -----------------------------------------------------------------------


def _storages(report: dict) -> list[str]:
    totals = report["totals"]
    n, s = totals["tensors"], totals["storages"]
    summary = f"{n} tensor{'s' * (n != 1)} in {s} storage{'s' * (s != 1)}, {_size(totals['bytes'])}"
    shared = [entry for entry in report["storages"] if len(entry["tensors"]) > 1]
    if not shared:
        return [f"{'storages':11}{summary}; none shared"]
    lines = [f"{'storages':11}{summary}; shared:"]
    for entry in shared:
        where = f"{entry['record']}, " if entry["record"] else ""
        head = f"storage {entry['storage']} ({where}{_size(entry['bytes'])})"
        lines.append(f"  {head}: {', '.join(entry['tensors'])}")
    return lines


def _code(files: list[dict]) -> list[str]:
    total = sum(f["lines"] for f in files)
    rows = [(f["file"], f"{f['lines']} lines") for f in files]
    lines = [f"{'code':11}{len(files)} file{'s' * (len(files) != 1)}, {total} lines"]
    lines += ["  " + line for line in _aligned(rows, right=(1,))]
    for f in files:
        if "text" in f:
            lines += ["", f"--- {f['file']}", f["text"].rstrip("\n")]
    return lines


def _program(entry: dict | None, full: bool) -> list[str]:
    if entry is None:
        return [f"{'program':11}none: `ember convert` adds one (the C++ runtime needs it)"]
    if "error" in entry:
        return [f"{'program':11}{entry['record']}: unreadable: {entry['error']}"]
    methods, n = entry["methods"], len(entry["methods"])
    text = (f"{entry['record']}: {n} method{'s' * (n != 1)} ({', '.join(methods)}), "
            f"{entry['ops']} ops, {entry['operators']} operators")  # fmt: skip
    if entry["upgraders"]:
        text += f", upgraders {', '.join(entry['upgraders'])}"
    if "stale" in entry:
        text += f"; {entry['stale']}: run `ember convert`"
    lines = [f"{'program':11}{text}"]
    if full and "text" in entry:
        lines += ["", entry["text"].rstrip("\n")]
    return lines
