"""The `ember` command: look inside checkpoints and TorchScript archives without running them.

    ember inspect FILE   what the file is: kind, writer, version and upgraders, records, the
                         tensors and other entries (or the module tree), shared storages, code,
                         the program record
    ember check FILE     list what a full-pickle load would import or call that ember's safe
                         loaders refuse (every pickle followed exactly); exit 1 if anything
    ember upgrade OLD NEW
                         rewrite an old TorchScript archive at the current version, its
                         operator upgraders inlined (docs/versioning.md)
    ember convert IN OUT add the program record the C++ runtime runs to an archive that lacks
                         it (one torch.jit.save wrote, or an older ember's), keeping every other
                         record as it is (docs/program.md)

Nothing in the file executes: pickles are read by restricted unpicklers, and archive code is
only listed (`inspect`) or compiled by ember (`upgrade`, `convert`). Exit status 2 means the
file could not be read; the message names the problem.

Each subcommand is one `_add_<name>(commands)` function that adds its parser and sets the
function to run; `SUBCOMMANDS` lists them.

Example:
    >>> import os, tempfile, ember
    >>> path = os.path.join(tempfile.mkdtemp(), "w.pt")
    >>> ember.save({"w": ember.zeros(2)}, path)
    >>> main(["check", path])
    /.../w.pt: loads with weights_only=True (no unsafe globals)
    0
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys

from ember.cli.escaping import printable
from ember.cli.inspect_file import inspect_file
from ember.cli.render import render
from ember.errors import EmberError
from ember.jit.converting import convert_archive
from ember.jit.upgrading import upgrade_archive
from ember.serializer.scan import scan_file

__all__ = ["main", "inspect_file", "render"]


def _inspect(args) -> int:
    found = inspect_file(args.file, mmap=args.mmap, code=args.code, program=args.program)
    report = {"file": args.file, **found}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report, args.file, records=not args.no_records, program=args.program))
    return 0


def _add_inspect(commands) -> None:
    p = commands.add_parser("inspect", help="tell what a checkpoint or TorchScript archive holds")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the report as one JSON document")
    p.add_argument("--code", action="store_true", help="print the archive's code files in full")
    p.add_argument("--no-records", action="store_true", help="leave out the zip records")
    p.add_argument(
        "--program", action="store_true", help="print the archive's program record in full"
    )
    p.add_argument(
        "--mmap", action="store_true", help="map the file: tensor bytes are not read or checked"
    )
    p.set_defaults(run=_inspect)


def _check(args) -> int:
    scan = scan_file(args.file)
    file = printable(args.file)
    safe_load = "weights_only=True" if scan.kind == "checkpoint" else "ember.jit.load"
    if scan.unsafe:
        print(f"{file}: a full-pickle load would import or call these, which {safe_load} refuses:")
        for name in scan.unsafe:
            print(f"  {printable(name)}")
    for damage in scan.damage:
        print(f"{file}: {printable(damage)}", file=sys.stderr)
    if scan.unsafe or scan.damage:
        return 1 if scan.unsafe else 2
    print(f"{file}: loads with {safe_load} (no unsafe globals)")
    return 0


def _add_check(commands) -> None:
    p = commands.add_parser(
        "check", help="list what a full-pickle load would import or call that ember refuses"
    )
    p.add_argument("file")
    p.set_defaults(run=_check)


def _upgrade(args) -> int:
    if not os.path.isfile(args.file):  # before jit.load raises torch's ValueError for it
        raise FileNotFoundError(errno.ENOENT, "no such file", args.file)
    report = upgrade_archive(args.file, args.new)
    print(report.summary(args.file, args.new))
    return 0


def _add_upgrade(commands) -> None:
    p = commands.add_parser(
        "upgrade", help="rewrite an old TorchScript archive at the current version"
    )
    p.add_argument("file", metavar="OLD", help="the archive to read")
    p.add_argument("new", metavar="NEW", help="where to write it (may be OLD: replaced atomically)")
    p.set_defaults(run=_upgrade)


def _convert(args) -> int:
    if not os.path.isfile(args.file):
        raise FileNotFoundError(errno.ENOENT, "no such file", args.file)
    report = convert_archive(args.file, args.out)
    print(report.summary(args.file, args.out))
    return 0


def _add_convert(commands) -> None:
    p = commands.add_parser(
        "convert", help="add the C++ runtime's program record to a TorchScript archive"
    )
    p.add_argument("file", metavar="IN", help="the archive to read")
    p.add_argument("out", metavar="OUT", help="where to write it (may be IN: replaced atomically)")
    p.set_defaults(run=_convert)


SUBCOMMANDS = (_add_inspect, _add_check, _add_upgrade, _add_convert)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ember", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for add in SUBCOMMANDS:
        add(commands)
    return parser


def main(argv=None) -> int:
    """Run the `ember` command with `argv` (default: `sys.argv[1:]`); returns the exit status:
    0 done, 1 `check` found unsafe globals, 2 the file could not be read (message on stderr).

    >>> main(["inspect", "/no/such/file.pt"])
    2
    """
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (EmberError, OSError) as error:
        where = f"{args.file}: " if hasattr(args, "file") else ""
        print(printable(f"ember {args.command}: {where}{error}"), file=sys.stderr)
        return 2
