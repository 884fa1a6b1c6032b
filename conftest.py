"""Runs the `>>>` examples in docs/*.md as tests (fence lines end an example's expected output)."""

import doctest
import re

import pytest

FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)
OPTIONS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".md" and file_path.parent.name == "docs":
        return MarkdownDoctests.from_parent(parent, path=file_path)
    return None


class MarkdownDoctests(pytest.File):
    def collect(self):
        text = FENCE.sub("", self.path.read_text())
        test = doctest.DocTestParser().get_doctest(text, {}, self.path.name, str(self.path), 0)
        if test.examples:
            yield MarkdownDoctest.from_parent(self, name=self.path.name, test=test)


class MarkdownDoctest(pytest.Item):
    def __init__(self, *, test, **kwargs):
        super().__init__(**kwargs)
        self.test = test

    def runtest(self):
        runner = doctest.DocTestRunner(optionflags=OPTIONS)
        report = []
        runner.run(self.test, out=report.append, clear_globs=True)
        if runner.failures:
            raise DocExampleError("".join(report))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, DocExampleError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"[doctest] {self.name}"


class DocExampleError(Exception):
    pass
