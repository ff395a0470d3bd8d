"""Diagnostics in French: every message of the guide's examples translated, typography kept;
quotes cut with `[…]`; the bank package free of import cycles."""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import set_document
from test_authoring_guide import examples

from quizapp.bank.messages import NBSP, NNBSP, localize, localize_line
from quizapp.bank.reader import read_file
from quizapp.i18n import translations

FRENCH = translations("fr")


def test_every_message_of_the_guide_has_its_french(tmp_path):
    """The guide's examples produce most messages; each one and its hint come out in French."""
    untranslated = []
    for number, example in enumerate(examples("en")):
        folder = tmp_path / str(number)
        folder.mkdir()
        for name, text in example.files.items():
            (folder / name).write_text(text.replace("→   ", "\t"), encoding="utf-8")
        for diagnostic in read_file(folder / "my-set.yaml", display="my-set.yaml").diagnostics:
            french = localize(diagnostic, FRENCH, "fr")
            if french.message == diagnostic.message:
                untranslated.append(diagnostic.message)
            if diagnostic.hint and french.hint == diagnostic.hint:
                untranslated.append(diagnostic.hint)
    assert untranslated == []


def test_french_messages_follow_french_typography():
    """A narrow no-break space before ? ! ; and inside « », a no-break space before :."""
    import re

    from quizapp.bank import messages, reader  # noqa: F401 -- registers every template

    problems = []
    for template in set(messages._TEMPLATES):
        french = FRENCH.gettext(template)
        # Outside code spans and quoted examples, which are written as in the file.
        prose = re.sub(r"`[^`]*`|(\w+: )?\"[^\"]*\"|'[^']*'", "", french)
        if re.search(r"[^\u202f][?!;]|[^\u00a0]:|« | »", prose.replace("%(", "(")):
            problems.append(french)
    assert problems == []


def test_french_quotes_values_and_translates_nested_words():
    line = "set.yaml:8:15: error: choices item 1 is empty: write the text; quote it if it is yes"
    assert localize_line(line, FRENCH, "fr") == line  # no such hint: left as it is
    stored = (
        "set.yaml:9:13: error: the answer 'Mercure' is not one of the choices: "
        "did you mean 'Mercury'?"
    )
    assert localize_line(stored, FRENCH, "fr") == (
        f"set.yaml:9:13: error: la réponse «{NNBSP}Mercure{NNBSP}» n’est pas l’un des choix"
        f"{NBSP}: vouliez-vous dire «{NNBSP}Mercury{NNBSP}»{NNBSP}?"
    )
    empty = "set.yaml:8:15: error: choices item 1 is empty"
    assert localize_line(empty, FRENCH, "fr") == (
        "set.yaml:8:15: error: l’élément 1 de choices est vide"
    )


SOURCE = (
    "Le 3 janvier 2009, Satoshi Nakamoto mine le premier bloc, le bloc de genèse. "
    "Il y inscrit un titre du Times sur le sauvetage des banques.\n"
)
HEADER = (
    "id: demo\ntitle: Demo\nlanguage: fr\nsource:\n  title: T\n  file: source.txt\n"
    "questions:\n  - id: q1\n    type: true_false\n    prompt: P\n    answer: true\n"
    "    explanation: E\n"
)


def quote_report(tmp_path: Path, quote: str):
    (tmp_path / "source.txt").write_text(SOURCE, encoding="utf-8")
    path = tmp_path / "set.yaml"
    path.write_text(HEADER + f"    quote: {quote}\n", encoding="utf-8")
    return read_file(path, display="set.yaml")


@pytest.mark.parametrize(
    "quote",
    [
        '"Le 3 janvier 2009, Satoshi Nakamoto mine le premier bloc […] un titre du Times"',
        '"Satoshi Nakamoto mine le premier bloc [...] sauvetage des banques."',
        '"[…] le bloc de genèse."',
        '"Le 3 janvier 2009 […]"',
    ],
)
def test_a_quote_cut_with_brackets_is_accepted(tmp_path, quote):
    report = quote_report(tmp_path, quote)
    assert report.model is not None, [str(d) for d in report.diagnostics]


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        pytest.param(
            '"Satoshi Nakamoto mine le second bloc […] sauvetage des banques."',
            "set.yaml:13:12: error: part 1 of the quote (cut at `[…]`) is not in the source: the "
            "closest passage is: Le 3 janvier 2009, Satoshi Nakamoto mine le premier bloc, le "
            "bloc de genèse. (the quote has 'second' where the source has 'premier')",
            id="wrong-word-before",
        ),
        pytest.param(
            '"Satoshi Nakamoto mine le premier bloc […] sauvetage des états."',
            "set.yaml:13:12: error: part 2 of the quote (cut at `[…]`) is not in the source: the "
            "closest passage is: Il y inscrit un titre du Times sur le sauvetage des banques. "
            "(the quote has 'états' where the source has 'banques')",
            id="wrong-word-after",
        ),
        pytest.param(
            '"le sauvetage des banques […] Satoshi Nakamoto"',
            "set.yaml:13:12: error: the parts of the quote around `[…]` are not in this order "
            "in the source",
            id="out-of-order",
        ),
    ],
)
def test_a_cut_quote_with_a_wrong_word_on_either_side_is_refused(tmp_path, quote, expected):
    report = quote_report(tmp_path, quote)
    assert [str(d) for d in report.diagnostics] == [expected]


def test_a_near_miss_is_marked_at_its_first_different_word_in_french(tmp_path):
    report = quote_report(tmp_path, '"Il y inscrit un titre du Monde sur le sauvetage"')
    [diagnostic] = report.diagnostics
    assert localize(diagnostic, FRENCH, "fr").hint == (
        f"le passage le plus proche est{NBSP}: Il y inscrit un titre du Times sur le sauvetage "
        f"des banques. (la citation a «{NNBSP}Monde{NNBSP}» là où la source a "
        f"«{NNBSP}Times{NNBSP}»)"
    )


def test_the_server_logs_one_line_per_set(app, db, questions_dir, caplog):
    from quizapp.bank.sync import sync_directory

    (questions_dir / "good.yaml").write_text(yaml.safe_dump(set_document()))
    (questions_dir / "bad.yaml").write_text("id: bad\ntitle: B\nlanguage: en\n")
    with caplog.at_level(logging.INFO, logger="quizapp.bank.sync"):
        sync_directory(questions_dir)
    messages = [r.getMessage() for r in caplog.records if r.name == "quizapp.bank.sync"]
    questions = len(set_document()["questions"])
    assert messages == [
        "question bank: bad.yaml not loaded (1 error, the first: bad.yaml:1:1: error: missing "
        "required key `questions`)",
        f"loaded good.yaml: {questions} question{'s' if questions > 1 else ''}",
    ]


def test_the_bank_page_shows_errors_in_the_interface_language(
    auth, client, db, make_user, questions_dir
):
    from quizapp.bank.sync import sync_directory

    (questions_dir / "sample.yaml").write_text(yaml.safe_dump(set_document()))
    sync_directory(questions_dir)
    (questions_dir / "sample.yaml").write_text(
        yaml.safe_dump(set_document()).replace("type: single", "type: singel", 1)
    )
    (questions_dir / "draft.yaml").write_text("id: draft\ntitle: Draft\nlanguage: en\n")
    sync_directory(questions_dir)
    db.session.commit()
    make_user("teach", role="teacher")
    auth.login("teach")
    page = client.get("/teacher/bank?lang=fr").get_data(as_text=True)
    assert f"type de question inconnu{NBSP}: «{NNBSP}singel{NNBSP}»" in page  # stored error
    assert f"draft.yaml:1:1: error: clé obligatoire manquante{NBSP}: `questions`" in page
    english = client.get("/teacher/bank?lang=en").get_data(as_text=True)
    assert "unknown question type &#39;singel&#39;" in english


@pytest.mark.parametrize(
    "command",
    [["--help"], ["questions", "validate"], ["questions", "schema"], ["questions", "--help"]],
)
def test_commands_that_need_no_database_create_none(tmp_path, command):
    database = tmp_path / "quizapp.sqlite3"
    env = {
        "PATH": str(Path(sys.executable).parent),
        "QUIZAPP_DATABASE_URL": f"sqlite:///{database}",
        "QUIZAPP_AUTO_SETUP": "1",
        "QUIZAPP_QUESTIONS_DIR": str(tmp_path),
        "QUIZAPP_SECRET_KEY": "x" * 32,
    }
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run(
        [str(flask), "--app", "quizapp", *command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not database.exists()


def test_the_bank_modules_import_no_cycle():
    """Each module of the bank imports others in one direction only."""
    package = Path(__file__).resolve().parents[1] / "quizapp" / "bank"
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for module in graph.get(start, ()):
            if module == target or (
                module not in seen and reaches(module, target, seen | {module})
            ):
                return True
        return False

    assert [m for m in graph if reaches(m, m, {m})] == []


QUESTION = "  - id: q\n    explanation: E\n"


@pytest.mark.parametrize(
    "body",
    [
        "    type: single\n    prompt: P\n    choices: [a, a, b]\n    answer: a\n",
        "    type: multiple\n    prompt: P\n    choices: [a, b, c]\n    answer: [a, a]\n",
        "    type: order\n    prompt: P\n    items: [a, b, a]\n",
        "    type: match\n    prompt: P\n    pairs: [[a, b], [a, c]]\n",
        "    type: text\n    prompt: P\n    accept: [x]\n    accept_regex: '('\n",
        "    type: numeric\n    prompt: P\n    tolerance: 1\n",
        "    type: numeric\n    prompt: P\n    min: 3\n    max: 1\n",
        "    type: single\n    prompt: P\n    choices: [a, b]\n    answer: z\n",
        "    type: true_false\n    prompt: P\n    answer: 'true'\n    points: -1\n",
    ],
)
def test_messages_written_outside_the_reader_are_translated(tmp_path, body):
    """schema.py's rules (and the models that move out of it) keep words the catalogue knows."""
    path = tmp_path / "set.yaml"
    path.write_text(
        "id: s\ntitle: T\nlanguage: en\nquestions:\n" + QUESTION + body, encoding="utf-8"
    )
    diagnostics = read_file(path).errors
    assert diagnostics
    for diagnostic in diagnostics:
        french = localize(diagnostic, FRENCH, "fr")
        assert french.message != diagnostic.message, diagnostic.message
        assert diagnostic.hint is None or french.hint != diagnostic.hint, diagnostic.hint
