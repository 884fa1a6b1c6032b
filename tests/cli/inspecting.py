"""Helpers for the `ember` command's tests: running it in-process and reading its output."""

import json

from ember.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `ember *argv`."""
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def report(capsys, path, *options) -> dict:
    """The `--json` report on `path` (which must inspect cleanly)."""
    status, out, err = run(capsys, "inspect", "--json", *options, path)
    assert status == 0 and err == "", err
    return json.loads(out)


def rows(node: dict, path: str = "") -> dict:
    """Every node under `node` by dotted path (its own fields, children left out)."""
    out = {}
    for child in node.get("children", ()):
        where = f"{path}.{child['name']}" if path else child["name"]
        out[where] = {k: v for k, v in child.items() if k != "children"}
        out.update(rows(child, where))
    return out


def section(text: str, title: str) -> list[str]:
    """The lines of the output section starting with `title` (up to the next blank line)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]
