"""Reading and validating question files: every error class at its exact line and column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quizapp.bank import schema
from quizapp.bank.reader import MAX_NODES, normalize_quote, read_file
from quizapp.bank.schema import json_schema
from quizapp.config import shipped_dir

HEADER = "id: demo\ntitle: Demo\nlanguage: en\nquestions:\n"


def diagnose(tmp_path: Path, body: str, *, header: str = HEADER, name: str = "set.yaml"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return read_file(path, display=name)


def lines(report) -> list[str]:
    return [str(d) for d in report.diagnostics]


GOOD_SINGLE = """\
  - id: q1
    type: single
    prompt: Who invested more than 10 billion dollars?
    choices: [Microsoft, Google, Apple]
    answer: Microsoft
    explanation: Microsoft, from 2019.
"""


def test_a_valid_set_loads_without_diagnostics(tmp_path):
    report = diagnose(tmp_path, GOOD_SINGLE)
    assert report.model is not None
    assert report.diagnostics == [] or all(d.severity == "warning" for d in report.diagnostics)
    assert report.model.questions[0].choice_texts == ["Microsoft", "Google", "Apple"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            GOOD_SINGLE.replace("choices:", "choises:"),
            "set.yaml:8:5: error: unknown key `choises`: did you mean `choices`?",
            id="misspelt-key",
        ),
        pytest.param(
            GOOD_SINGLE.replace("type: single", "type: singel"),
            "set.yaml:6:11: error: unknown question type 'singel': did you mean `single`?",
            id="misspelt-type",
        ),
        pytest.param(
            GOOD_SINGLE.replace("answer: Microsoft", "answer: Microsfot"),
            "set.yaml:9:13: error: the answer 'Microsfot' is not one of the choices: "
            "did you mean 'Microsoft'?",
            id="answer-not-a-choice",
        ),
        pytest.param(
            GOOD_SINGLE.replace("prompt: Who", "prompt: Question: who"),
            "set.yaml:7:21: error: a `: ` in unquoted text is read as the start of a key: "
            'put the text in quotes: prompt: "Question: who invested more than 10 billion '
            'dollars?"',
            id="unquoted-colon",
        ),
        pytest.param(
            GOOD_SINGLE.replace("prompt: Who", "prompt: > Who"),
            "set.yaml:7:15: error: a value starting with `>` or `|` is read as a block of text: "
            'put the text in quotes: prompt: "> Who invested more than 10 billion dollars?"',
            id="leading-greater-than",
        ),
        pytest.param(
            GOOD_SINGLE + "    answer: Google\n",
            "set.yaml:11:5: error: duplicate key `answer`: it is already set at line 9",
            id="duplicate-key",
        ),
        pytest.param(
            GOOD_SINGLE.replace("id: q1", "id: Q_1"),
            "set.yaml:5:9: error: 'Q_1' is not a valid id: use lowercase letters, digits and "
            "hyphens, e.g. `founding-year`",
            id="bad-slug",
        ),
        pytest.param(
            GOOD_SINGLE.replace("    answer: Microsoft\n", ""),
            "set.yaml:5:5: error: missing required key `answer`",
            id="missing-answer",
        ),
        pytest.param(
            "  - id: q1\n    type: true_false\n    prompt: Musk co-founded OpenAI.\n"
            "    answer: yes\n",
            "set.yaml:8:13: error: expected true or false: only true and false are booleans: "
            "yes, no, on, off are text",
            id="yaml11-boolean",
        ),
        pytest.param(
            "  - id: q1\n    type: numeric\n    prompt: Year?\n    answer: 2015\n"
            "    min: 2014\n    max: 2016\n",
            "set.yaml:9:5: error: give either `answer` (with `tolerance`) or `min`/`max`, not both",
            id="numeric-answer-and-range",
        ),
        pytest.param(
            "  - id: q1\n    type: numeric\n    prompt: Year?\n    answer: twenty\n",
            "set.yaml:8:13: error: expected a number, found 'twenty': write digits with a dot "
            "for decimals: 10.5",
            id="numeric-not-a-number",
        ),
        pytest.param(
            GOOD_SINGLE + GOOD_SINGLE.replace("Who invested", "Which firm invested"),
            "set.yaml:11:9: error: question id 'q1' is used twice",
            id="duplicate-question-id",
        ),
        pytest.param(
            "  - id: q1\n    type: multiple\n    prompt: Pick\n    choices:\n"
            "      - Microsoft: Bing\n      - Google\n      - Apple\n    answer: [Google]\n",
            "set.yaml:9:9: error: unknown key `Microsoft`: a `: ` in unquoted text makes a key: "
            'put the text in quotes: "Microsoft: Bing"',
            id="colon-in-choice",
        ),
        pytest.param(
            "  - id: q1\n    type: order\n    prompt: Order\n    items: [a, b, a]\n",
            "set.yaml:8:19: error: item 'a' appears twice",
            id="duplicate-item",
        ),
        pytest.param(
            "  - id: q1\n    type: text\n    prompt: Who?\n    accept: [x]\n"
            "    accept_regex: '(unclosed'\n",
            "set.yaml:9:19: error: invalid regular expression: missing ): (unclosed",
            id="bad-regex",
        ),
    ],
)
def test_each_error_points_at_the_offending_key_or_value(tmp_path, body, expected):
    report = diagnose(tmp_path, body)
    assert report.model is None
    assert expected in lines(report), lines(report)


def test_a_tab_in_the_indentation(tmp_path):
    report = diagnose(tmp_path, "  - id: q1\n\ttype: single\n")
    assert lines(report) == [
        "set.yaml:6:1: error: a tab character cannot be used for indentation: indent with spaces"
    ]


def test_all_errors_of_a_file_are_reported_at_once(tmp_path):
    body = (
        GOOD_SINGLE.replace("choices:", "choises:")
        + GOOD_SINGLE.replace("id: q1", "id: q2").replace("answer: Microsoft", "answer: Nope")
        + "  - id: q3\n    type: true_false\n    prompt: P\n    answer: no\n"
    )
    report = diagnose(tmp_path, body)
    positions = [(d.line, d.column) for d in report.errors]
    assert positions == [(8, 5), (15, 13), (20, 13)]


def test_text_fields_keep_what_the_teacher_wrote(tmp_path):
    report = diagnose(
        tmp_path,
        "  - id: q1\n    type: single\n    prompt: Which version?\n"
        "    choices: [no, 1.10, 2015-03-06, null-ish]\n    answer: 1.10\n"
        "    explanation: 'Yes.'\n",
    )
    assert report.model is not None, lines(report)
    question = report.model.questions[0]
    assert question.choice_texts == ["no", "1.10", "2015-03-06", "null-ish"]
    assert question.answer == "1.10"


def test_an_alias_bomb_is_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 8):
        bomb += (
            f"l{level}: &l{level} ["
            + ", ".join([f"*{'a' if level == 1 else f'l{level - 1}'}"] * 10)
            + "]\n"
        )
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    report = read_file(path, display="bomb.yaml")
    assert report.model is None
    assert any(f"more than {MAX_NODES:,} values" in d.message for d in report.errors)


def test_an_absurdly_large_file_is_refused_without_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * 2_100_000)
    report = read_file(path, display="huge.yaml")
    assert [d.message for d in report.errors] == ["the file is larger than 2 MB"]


def test_non_utf8_and_empty_files(tmp_path):
    (tmp_path / "latin1.yaml").write_bytes("id: caf\xe9\n".encode("latin-1"))
    (tmp_path / "empty.yaml").write_text("")
    assert "not UTF-8" in read_file(tmp_path / "latin1.yaml").errors[0].message
    assert read_file(tmp_path / "empty.yaml").errors[0].message == "the file is empty"


SOURCE = "Il a dit : « Personne ne voulait financer cela. » C’est l’histoire d’OpenAI.\n"


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("Personne ne voulait financer cela.", True),
        ('"Personne ne voulait financer cela."', True),  # « » typed as "
        ("C'est l'histoire d'OpenAI.", True),  # ’ typed as '
        ("C’est   l’histoire\nd’OpenAI.", True),  # other spacing
        ("Personne ne voulait financer ceci.", False),
    ],
)
def test_quotes_are_checked_against_the_source(tmp_path, quote, found):
    (tmp_path / "source.txt").write_text(SOURCE, encoding="utf-8")
    header = HEADER.replace("questions:\n", "source:\n  title: T\n  file: source.txt\nquestions:\n")
    body = GOOD_SINGLE + f"    quote: {json.dumps(quote, ensure_ascii=False)}\n"
    report = diagnose(tmp_path, body, header=header)
    if found:
        assert report.model is not None, lines(report)
    else:
        assert lines(report) == [
            "set.yaml:14:12: error: the quote is not in the source file: the closest passage "
            "is: Il a dit : « Personne ne voulait financer cela. » (the quote has 'ceci' where "
            "the source has 'cela')"
        ]


def test_normalize_quote_folds_spacing_and_typographic_marks():
    assert normalize_quote("« Bonjour »\u00a0l’ami") == normalize_quote('"Bonjour" l\'ami')


WARNINGS = """\
  - id: q1
    type: single
    prompt: Who invested in OpenAI?
    choices: [Microsoft, Google]
    answer: Microsoft
  - id: q2
    type: single
    prompt: Who invested in OpenAI?
    choices: [Edge, Chrome, Firefox]
    answer: Edge
    explanation: Edge.
  - id: q3
    type: text
    prompt: Sam Altman leads which company? Not Sam Altman himself.
    accept: [Sam Altman]
    explanation: x
  - id: q4
    type: single
    prompt: Which one?
    choices: [a, b, c]
    answer: a
    explanation: x
"""


def test_teaching_advice_comes_as_warnings_that_do_not_block(tmp_path):
    header = HEADER.replace("questions:\n", "settings: {shuffle_choices: false}\nquestions:\n")
    report = diagnose(tmp_path, WARNINGS, header=header)
    assert report.model is not None
    assert lines(report) == [
        "set.yaml:5:1: warning: the right choice is always choice 1: students notice: vary its "
        "position",
        "set.yaml:6:5: warning: question `q1` has no explanation: students learn most from an "
        "`explanation:` of the right answer",
        "set.yaml:9:5: warning: only 2 choices: 3 or more make guessing harder",
        "set.yaml:13:13: warning: the same prompt as question `q1`",
        "set.yaml:19:13: warning: the prompt contains its own answer",
    ]


def test_the_committed_json_schema_is_current():
    committed = json.loads((shipped_dir("questions") / "schema.json").read_text())
    assert committed == json_schema(), (
        "run: flask --app quizapp questions schema > questions/schema.json"
    )


@pytest.mark.parametrize("name", ["openai-crypto.fr.yaml", "openai-crypto.en.yaml"])
def test_shipped_sets_pass_strictly(name):
    report = read_file(shipped_dir("questions") / name)
    assert report.diagnostics == []
    model = report.model
    assert model is not None and len(model.questions) >= 38
    assert {q.type for q in model.questions} == {
        "single",
        "multiple",
        "true_false",
        "numeric",
        "text",
        "order",
        "match",
    }


def test_shipped_sets_are_translations_of_each_other():
    fr = read_file(shipped_dir("questions") / "openai-crypto.fr.yaml").model
    en = read_file(shipped_dir("questions") / "openai-crypto.en.yaml").model
    assert [q.id for q in fr.questions] == [q.id for q in en.questions]
    assert [q.type for q in fr.questions] == [q.type for q in en.questions]
    assert [q.quote_text for q in fr.questions] == [q.quote_text for q in en.questions]
    # French quotes are translated for English readers, and every note is in both languages.
    assert all(isinstance(q.quote, schema.Quote) and q.quote.translation for q in en.questions)
    assert [q.context is not None for q in fr.questions] == [
        q.context is not None for q in en.questions
    ]
    # The article is undated: each set says when it appeared.
    assert "printemps 2023" in fr.description and "spring 2023" in en.description
    tags = {t for m in (fr, en) for t in [*m.tags, *(t for q in m.questions for t in q.tags)]}
    assert tags <= set(fr.topics) and tags <= set(en.topics)
    chronology = next(q for q in fr.questions if q.id == "chronology")
    assert chronology.type == "order" and len(chronology.items) >= 5
    assert "2014" in chronology.explanation and "2021" in chronology.explanation


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "    prompt: !important The Sun is a star.\n",
            "set.yaml:7:13: error: YAML tags such as `!important` are not supported: put the "
            'text in quotes: prompt: "..."',
            id="custom-tag",
        ),
        pytest.param(
            "    prompt: *starred\n",
            "set.yaml:7:13: error: a value starting with `*` is read as an alias: put the text "
            'in quotes: prompt: "*starred"',
            id="leading-star",
        ),
        pytest.param(
            "    prompt: @mention\n",
            "set.yaml:7:13: error: a value cannot start with this character (` @ %): put the "
            'text in quotes: prompt: "@mention"',
            id="leading-at",
        ),
        pytest.param(
            '    prompt: "(in )?\\d{4}"\n',
            "set.yaml:7:20: error: inside double quotes, `\\` starts an escape sequence: use "
            "single quotes for text with backslashes, such as regular expressions: '\\d{4}'",
            id="backslash-in-double-quotes",
        ),
    ],
)
def test_syntax_mistakes_in_a_teachers_words(tmp_path, line, expected):
    body = "  - id: q1\n    type: true_false\n" + line + "    answer: true\n"
    assert expected in lines(diagnose(tmp_path, body))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "  - id: q\n    type: numeric\n    prompt: N?\n    answer: nan\n",
            "set.yaml:8:13: error: expected a finite number, found 'nan'",
            id="nan",
        ),
        pytest.param(
            "  - id: q\n    type: single\n    prompt: S?\n    choices: [null, yes, no]\n"
            "    answer: 'yes'\n",
            "set.yaml:8:15: error: choices item 1 is empty: write the text; quote it if it is "
            "yes, no, null or ~",
            id="empty-choice",
        ),
        pytest.param(
            "  - id: q\n    type: match\n    prompt: M?\n    pairs: [[a, b, c], [d, e]]\n",
            "set.yaml:8:13: error: a pair has exactly two sides: write it as [left, right]",
            id="three-sided-pair",
        ),
    ],
)
def test_value_mistakes_in_a_teachers_words(tmp_path, body, expected):
    assert expected in lines(diagnose(tmp_path, body))


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("{pass_mark: 0.6}", "expected a percentage such as 60%, found '0.6': add the % sign"),
        ("{max_attempts: 0}", "`max_attempts` must be at least 1, not 0"),
        ("{time_limit: 90}", "expected a duration such as 90s, 15m or 1h"),
    ],
)
def test_settings_mistakes(tmp_path, settings, expected):
    header = HEADER.replace("questions:\n", f"settings: {settings}\nquestions:\n")
    messages = [d.message for d in diagnose(tmp_path, GOOD_SINGLE, header=header).errors]
    assert messages == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "  - id: q\n    type: text\n    prompt: T?\n    accept: [x, '']\n",
            "set.yaml:8:17: error: accept item 2 is empty",
        ),
        (
            "  - id: q\n    type: single\n    prompt: S?\n    choices: [a, '', c]\n    answer: a\n",
            "set.yaml:8:18: error: choices item 2 is empty",
        ),
        (
            "  - id: q\n    type: numeric\n    prompt: N?\n    answer: 3\n    tolerance: -1\n",
            "set.yaml:9:16: error: `tolerance` must be at least 0, not -1",
        ),
    ],
)
def test_empty_items_and_bounds_name_the_item(tmp_path, body, expected):
    assert expected in lines(diagnose(tmp_path, body))


def test_the_authoring_guide_documents_every_key_of_the_schema():
    """docs/AUTHORING.md's key reference follows the schema: a new key must be documented."""
    from quizapp import qtypes
    from quizapp.bank import schema

    path = shipped_dir("questions").parent / "docs" / "AUTHORING.md"
    if not path.exists():  # an installed wheel carries no docs/
        pytest.skip("docs/ is not installed")
    guide = path.read_text()
    table_keys = set(re.findall(r"^\| `([a-z_]+)`", guide, flags=re.M))
    models = [
        schema.QuestionSetFile,
        schema.Source,
        schema.Settings,
        schema.Choice,
        *(qtype.model for qtype in qtypes.REGISTRY.values()),
    ]
    keys = {name for model in models for name in model.model_fields}
    assert keys - table_keys == set()
