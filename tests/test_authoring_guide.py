"""docs/AUTHORING.md and its French translation: every example reproduces exactly, in step."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from quizapp.cli import validate_command
from quizapp.config import shipped_dir

DOCS = shipped_dir("questions").parent / "docs"
GUIDES = {"en": DOCS / "AUTHORING.md", "fr": DOCS / "AUTHORING.fr.md"}
HEADER = {
    "en": "id: my-set\ntitle: My set\nlanguage: en\nquestions:\n",
    "fr": "id: mon-jeu\ntitle: Mon jeu\nlanguage: fr\nquestions:\n",
}
SET_FILE = {"en": "my-set.yaml", "fr": "mon-jeu.yaml"}
# The sections whose examples are checked, in each language.
CHECKED = {
    "en": ("Common mistakes", "Warnings", "Writing in French"),
    "fr": ("Erreurs courantes", "Avertissements", "Écrire en français"),
}


@dataclass
class Example:
    heading: str
    files: dict[str, str] = field(default_factory=dict)
    output: str = ""


def guide(language: str) -> str:
    path = GUIDES[language]
    if not path.exists():  # an installed wheel carries no docs/
        pytest.skip("docs/ is not installed")
    return path.read_text(encoding="utf-8")


def examples(language: str) -> list[Example]:
    """Each snippet of the checked sections with the file(s) it needs and the output it shows."""
    found: list[Example] = []
    section = heading = last_paragraph = ""
    pending: dict[str, str] = {}
    name = SET_FILE[language]
    tokens = MarkdownIt().parse(guide(language))
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            title = tokens[index + 1].content
            section, heading = (title, title) if token.tag == "h2" else (section, title)
            pending = {}
        elif token.type == "paragraph_open":
            last_paragraph = tokens[index + 1].content
        elif token.type == "fence" and section in CHECKED[language]:
            text = token.content
            if token.info == "yaml":
                pending = {name: text if text.startswith("id:") else HEADER[language] + text}
            elif token.info == "text" and pending:
                if re.match(rf"{re.escape(name)}:\d+:\d+: |\d+ (file|fichier)", text):
                    found.append(Example(f"{section} / {heading}", dict(pending), text))
                    pending = {}
                else:  # a source file, named in the paragraph before it
                    source = re.search(r"`([\w.-]+\.txt)`", last_paragraph)
                    assert source, f"{heading}: a text block neither output nor a named file"
                    pending[source.group(1)] = text
    return found


def headings(language: str) -> list[str]:
    """Every heading's level and number in its section, and its code spans, in order."""
    result = []
    tokens = MarkdownIt().parse(guide(language))
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1].children or []
            codes = [f"`{child.content}`" for child in inline if child.type == "code_inline"]
            result.append(" ".join([token.tag, *codes]))
    return result


def run_example(example: Example, tmp_path: Path, monkeypatch, language: str) -> str:
    for name, text in example.files.items():
        # `→` stands for a tab in the guide, which editors often show as spaces.
        (tmp_path / name).write_text(text.replace("→   ", "\t"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANGUAGE", language)
    result = CliRunner().invoke(validate_command, [SET_FILE[language]])
    return result.output


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_example_of_the_guide_reproduces_exactly(language, tmp_path, monkeypatch):
    found = examples(language)
    assert len(found) >= 25
    problems = []
    for number, example in enumerate(found):
        folder = tmp_path / str(number)
        folder.mkdir()
        output = run_example(example, folder, monkeypatch, language)
        lines = output.splitlines()
        shown = example.output.splitlines()
        # The summary line is shown only in some examples.
        if not re.match(r"\d+ (file|fichier)", shown[-1]):
            lines = lines[:-1]
        if lines != shown:
            problems.append(f"{example.heading}:\n  guide: {shown}\n  now:   {lines}")
    assert not problems, "\n".join(problems)


def test_the_french_guide_keeps_in_step_with_the_english_one():
    """Same headings (level and code spans) and as many examples, in the same order."""
    assert headings("fr") == headings("en")
    english, french = examples("en"), examples("fr")
    assert len(french) == len(english)
    for en, fr in zip(english, french, strict=True):
        # The same snippet, but for the set's own header and the texts a teacher would translate:
        # the keys of each line and the lines reported.
        keys = re.compile(r"^\s*-?\s*([a-z_]+):", flags=re.M)  # keys, not texts such as `Moons:`
        en_keys = keys.findall(en.files[SET_FILE["en"]])
        fr_keys = keys.findall(fr.files[SET_FILE["fr"]])
        assert en_keys == fr_keys, (en.heading, fr.heading)
        # Lines, not columns: a translated text is longer or shorter.
        en_at = re.findall(r":(\d+):\d+: (error|warning)", en.output)
        fr_at = re.findall(r":(\d+):\d+: (error|warning)", fr.output)
        assert en_at == fr_at, (en.heading, fr.heading)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_link_inside_the_guide_reaches_a_heading(language):
    from quizapp.markup import guide as render

    html = str(render(guide(language)))
    ids = set(re.findall(r' id="([^"]+)"', html))
    targets = set(re.findall(r"\]\(#([^)]+)\)", guide(language)))
    assert targets - ids == set()


def test_teachers_read_the_guide_in_their_language(auth, client, make_user):
    make_user("teach", role="teacher")
    auth.login("teach")
    bank = client.get("/teacher/bank?lang=fr").get_data(as_text=True)
    assert 'href="/teacher/guide"' in bank
    french = client.get("/teacher/guide").get_data(as_text=True)
    assert "Écrire des jeux de questions" in french and 'id="erreurs-courantes"' in french
    assert 'href="?lang=en"' in french  # the link to the other language's guide
    english = client.get("/teacher/guide?lang=en").get_data(as_text=True)
    assert "Writing question sets" in english and 'id="common-mistakes"' in english
    assert "<script" not in english.split("</head>", 1)[1].split("<footer", 1)[0]
