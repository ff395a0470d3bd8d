"""Property tests: whatever a file holds, reading it gives a report, never an exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from helpers import set_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.bank.reader import read_file

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["single", "numeric", "order", "yes", "2015", "1.10"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.text(max_size=12) | st.sampled_from(list(set_document())), inner, max_size=6
        ),
    ),
    max_leaves=30,
)


def check(text: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "set.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        report = read_file(path, display="set.yaml")
    assert (report.model is None) == bool(report.errors)
    for diagnostic in report.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.message


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data):
    check(data)


@SETTINGS
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300))
def test_arbitrary_text(text):
    check(text)


@SETTINGS
@given(values)
def test_arbitrary_yaml_documents(document):
    check(yaml.safe_dump(document, allow_unicode=True))


@SETTINGS
@given(st.data())
def test_a_valid_set_with_one_value_replaced(data):
    document = set_document()
    question = data.draw(st.sampled_from(document["questions"]))
    key = data.draw(st.sampled_from(sorted(question)))
    question[key] = data.draw(values)
    check(yaml.safe_dump(document, allow_unicode=True))


@SETTINGS
@given(st.data())
def test_a_valid_set_with_one_line_cut(data):
    lines = yaml.safe_dump(set_document(), allow_unicode=True).splitlines(keepends=True)
    index = data.draw(st.integers(0, len(lines) - 1))
    cut = data.draw(st.integers(0, len(lines[index])))
    lines[index] = lines[index][:cut] + data.draw(
        st.sampled_from(["", ":", "\t", "'", "- ", "&a", "*b"])
    )
    check("".join(lines))
