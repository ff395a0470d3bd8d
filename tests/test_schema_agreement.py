"""questions/schema.json and the app agree: what the app loads, an editor reading the schema
accepts (with YAML 1.2's types, as editors read YAML), and what the app refuses for a rule the
schema can say, the schema refuses too. Checked with jsonschema, a standard validator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import set_document
from PIL import Image

from quizapp import qtypes
from quizapp.bank.reader import read_file
from quizapp.config import shipped_dir

SHIPPED = shipped_dir("questions")
SCHEMA = json.loads((SHIPPED / "schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2's core schema, as editors' language servers read a file: only `true`/`false`
    are booleans, `1.10` is a number, `2025-10-01` and `no` are text."""


Yaml12Loader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    Yaml12Loader.add_implicit_resolver(tag, re.compile(pattern), list(first))


def editor_errors(text: str) -> list[str]:
    data = yaml.load(text, Loader=Yaml12Loader)
    return [error.message for error in VALIDATOR.iter_errors(data)]


def app_errors(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(d) for d in read_file(path, lint=False).errors]


def dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def sample_sets():
    for name, qtype in qtypes.REGISTRY.items():
        yield pytest.param(dump(set_document([{"id": "q", **qtype.sample.spec}])), id=name)
    yield pytest.param(dump(set_document()), id="helpers.set_document")


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_set_is_valid_for_the_schema(path):
    assert not read_file(path).errors
    assert editor_errors(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("text", list(sample_sets()))
def test_every_fixture_set_is_valid_for_both(text, tmp_path):
    assert app_errors(text, tmp_path) == []
    assert editor_errors(text) == []


PLAIN = """\
id: 2015
title: 1.10
language: en
questions:
  - id: version
    type: single
    prompt: Which version came after 1.9?
    choices:
      - 1.10
      - 1.91
      - true
    answer: 1.10
    explanation: no
    image: {file: maps/a.png, decorative: true}
"""


def test_unquoted_numbers_and_booleans_as_text_agree(tmp_path):
    (tmp_path / "maps").mkdir()
    Image.new("RGB", (2, 1)).save(tmp_path / "maps" / "a.png")
    assert app_errors(PLAIN, tmp_path) == []
    assert editor_errors(PLAIN) == []


@pytest.mark.parametrize(
    ("change", "word"),
    [
        (("maps/a.png, decorative: true", "maps/a.png"), "alt"),
        (("maps/a.png", "../a.png"), "image"),
        (("type: single", "type: essay"), "type"),
        (("explanation: no", "explain: no"), "explain"),
        (("language: en", "language: 12"), "language"),
    ],
    ids=["image-without-alt", "image-outside", "unknown-type", "unknown-key", "bad-language"],
)
def test_what_the_app_refuses_the_schema_refuses(change, word, tmp_path):
    text = PLAIN.replace(*change)
    assert app_errors(text, tmp_path), word
    assert editor_errors(text), word
