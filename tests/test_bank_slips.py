"""A beginner's slips: each named on its own line, with a hint that fits, all at once, in English
and in French (issue 20's table, one case per row)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.bank.messages import NBSP, NNBSP, localize
from quizapp.bank.reader import read_file
from quizapp.bank.slips import find_slips
from quizapp.cli import validate_command
from quizapp.i18n import translations

HEADER = "id: histoire-bitcoin\ntitle: Histoire du bitcoin\nlanguage: fr\nquestions:\n"
GOOD = (
    "  - id: genese\n"
    "    type: single\n"
    "    prompt: Quand le bloc de genèse a-t-il été miné ?\n"
    "    choices: [2008, 2009, 2010]\n"
    '    answer: "2009"\n'
    "    explanation: Le 3 janvier 2009.\n"
)


def lines_of(tmp_path: Path, body: str, language: str = "en") -> list[str]:
    path = tmp_path / "bitcoin.fr.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    report = read_file(path, display="bitcoin.fr.yaml")
    assert report.model is None
    return [str(localize(d, translations(language), language)) for d in report.diagnostics]


# (id, the file's questions, the line expected in English, the same in French)
SLIPS = [
    pytest.param(
        GOOD.replace("type: single", "type single"),
        "bitcoin.fr.yaml:6:9: error: the key `type` has no colon: write `type: single`",
        f"bitcoin.fr.yaml:6:9: error: la clé `type` n’a pas de deux-points{NBSP}: "
        "écrivez `type: single`",
        id="missing-colon-with-value",
    ),
    pytest.param(
        GOOD.replace(
            "    choices: [2008, 2009, 2010]\n", "    choices\n      - 2008\n      - 2009\n"
        ),
        "bitcoin.fr.yaml:8:12: error: the key `choices` has no colon: write `choices:`",
        f"bitcoin.fr.yaml:8:12: error: la clé `choices` n’a pas de deux-points{NBSP}: "
        "écrivez `choices:`",
        id="missing-colon-before-a-list",
    ),
    pytest.param(
        GOOD + GOOD.replace("  - id: genese", "  id: bloc-2"),
        "bitcoin.fr.yaml:11:3: error: `id:` starts each item of this list, but here it has no "
        "`- `: did you forget `- ` before `id:`?",
        "bitcoin.fr.yaml:11:3: error: `id:` commence chaque élément de cette liste, mais ici il "
        f"manque `- `{NBSP}: avez-vous oublié `- ` avant `id:`{NNBSP}?",
        id="forgotten-dash-at-the-dash-column",
    ),
    pytest.param(
        GOOD + GOOD.replace("  - id: genese", "    id: bloc-2"),
        "bitcoin.fr.yaml:11:5: error: `id:` starts each item of this list, but here it has no "
        "`- `: did you forget `- ` before `id:`?",
        "bitcoin.fr.yaml:11:5: error: `id:` commence chaque élément de cette liste, mais ici il "
        f"manque `- `{NBSP}: avez-vous oublié `- ` avant `id:`{NNBSP}?",
        id="forgotten-dash-at-the-key-column",
    ),
    pytest.param(
        GOOD.replace("    answer:", "\tanswer:"),
        "bitcoin.fr.yaml:9:1: error: a tab character cannot be used for indentation: "
        "indent with spaces",
        "bitcoin.fr.yaml:9:1: error: une tabulation ne peut pas servir à indenter"
        f"{NBSP}: indentez avec des espaces",
        id="tab-after-a-list",
    ),
    pytest.param(
        GOOD.replace("    explanation:", "  \t  explanation:"),
        "bitcoin.fr.yaml:10:3: error: a tab character cannot be used for indentation: "
        "indent with spaces",
        "bitcoin.fr.yaml:10:3: error: une tabulation ne peut pas servir à indenter"
        f"{NBSP}: indentez avec des espaces",
        id="tab-after-a-quoted-value",
    ),
    pytest.param(
        GOOD.replace(
            "explanation: Le 3 janvier 2009.", "explanation: 'Il est aujourd'hui célèbre.'"
        ),
        "bitcoin.fr.yaml:10:33: error: an apostrophe ends this text in single quotes: inside "
        "single quotes write `''`, or use double quotes: \"Il est aujourd'hui célèbre.\"",
        "bitcoin.fr.yaml:10:33: error: une apostrophe termine ce texte entre apostrophes"
        f"{NBSP}: entre apostrophes, écrivez `''`, ou prenez des guillemets droits{NBSP}: "
        '"Il est aujourd\'hui célèbre."',
        id="apostrophe-in-single-quotes",
    ),
    pytest.param(
        GOOD.replace("explanation: Le 3", 'explanation: "Le 3'),
        "bitcoin.fr.yaml:10:18: error: this quoted text is not closed: end it with the same "
        'quote mark, ", before the next key',
        "bitcoin.fr.yaml:10:18: error: ce texte entre guillemets n’est pas fermé"
        f'{NBSP}: terminez-le par le même guillemet, ", avant la clé suivante',
        id="quote-not-closed",
    ),
    pytest.param(
        GOOD.replace("type: single", "type: numeric")
        .replace("    choices: [2008, 2009, 2010]\n", "")
        .replace('answer: "2009"', "answer: 210 000"),
        "bitcoin.fr.yaml:8:13: error: expected a number, found '210 000': no spaces inside "
        "numbers: 210000",
        f"bitcoin.fr.yaml:8:13: error: un nombre est attendu, pas «{NNBSP}210 000{NNBSP}»"
        f"{NBSP}: pas d’espace dans un nombre{NBSP}: 210000",
        id="spaces-in-a-number",
    ),
    pytest.param(
        GOOD.replace("answer:", "réponse:"),
        "bitcoin.fr.yaml:9:5: error: unknown key `réponse`: did you mean `answer`?",
        f"bitcoin.fr.yaml:9:5: error: clé inconnue{NBSP}: `réponse`{NBSP}: "
        f"vouliez-vous dire `answer`{NNBSP}?",
        id="french-key-answer",
    ),
    pytest.param(
        GOOD.replace("choices:", "choix:"),
        "bitcoin.fr.yaml:8:5: error: unknown key `choix`: did you mean `choices`?",
        f"bitcoin.fr.yaml:8:5: error: clé inconnue{NBSP}: `choix`{NBSP}: "
        f"vouliez-vous dire `choices`{NNBSP}?",
        id="french-key-choices",
    ),
    pytest.param(
        GOOD.replace("explanation:", "explication:"),
        "bitcoin.fr.yaml:10:5: error: unknown key `explication`: did you mean `explanation`?",
        f"bitcoin.fr.yaml:10:5: error: clé inconnue{NBSP}: `explication`{NBSP}: "
        f"vouliez-vous dire `explanation`{NNBSP}?",
        id="french-key-explanation",
    ),
    pytest.param(
        "  - id: halving\n    type: true_false\n    prompt: Le halving divise par deux.\n"
        "    answer: vrai\n",
        "bitcoin.fr.yaml:8:13: error: expected true or false: write true or false, in English: "
        "vrai, faux, oui and non are text",
        f"bitcoin.fr.yaml:8:13: error: true ou false est attendu{NBSP}: écrivez true ou false, "
        f"en anglais{NBSP}: vrai, faux, oui et non sont du texte",
        id="vrai-for-true",
    ),
    pytest.param(
        "  - id: halving\n    type: true_false\n    prompt: Le halving divise par deux.\n"
        "    answer: non\n",
        "bitcoin.fr.yaml:8:13: error: expected true or false: write true or false, in English: "
        "vrai, faux, oui and non are text",
        f"bitcoin.fr.yaml:8:13: error: true ou false est attendu{NBSP}: écrivez true ou false, "
        f"en anglais{NBSP}: vrai, faux, oui et non sont du texte",
        id="non-for-false",
    ),
    pytest.param(
        GOOD.replace("id: genese", "id: bloc-genèse"),
        "bitcoin.fr.yaml:5:9: error: 'bloc-genèse' is not a valid id: use letters a-z without "
        "accents, digits and hyphens: `bloc-genese`",
        f"bitcoin.fr.yaml:5:9: error: «{NNBSP}bloc-genèse{NNBSP}» n’est pas un id valide{NBSP}: "
        f"utilisez les lettres a-z sans accents, des chiffres et des traits d’union{NBSP}: "
        "`bloc-genese`",
        id="accent-in-an-id",
    ),
    pytest.param(
        GOOD.replace(
            "    choices: [2008, 2009, 2010]\n", "    choices:\n      - Laszlo : 2009\n"
        ).replace('answer: "2009"', 'answer: "Laszlo : 2009"'),
        "bitcoin.fr.yaml:9:9: error: unknown key `Laszlo`: a `: ` in unquoted text makes a key: "
        'put the text in quotes: "Laszlo : 2009"',
        f"bitcoin.fr.yaml:9:9: error: clé inconnue{NBSP}: `Laszlo`{NBSP}: un `: ` dans un texte "
        f"sans guillemets en fait une clé{NBSP}: mettez le texte entre guillemets{NBSP}: "
        '"Laszlo : 2009"',
        id="french-colon-in-a-choice",
    ),
    pytest.param(
        GOOD.replace("explanation: Le 3 janvier 2009.", "explanation: Date : 3 janvier 2009."),
        "bitcoin.fr.yaml:10:23: error: a `: ` in unquoted text is read as the start of a key: "
        'put the text in quotes: explanation: "Date : 3 janvier 2009."',
        "bitcoin.fr.yaml:10:23: error: un `: ` dans un texte sans guillemets est lu comme le "
        f"début d’une clé{NBSP}: mettez le texte entre guillemets{NBSP}: "
        'explanation: "Date : 3 janvier 2009."',
        id="french-colon-names-the-real-key",
    ),
]


@pytest.mark.parametrize(("body", "english", "french"), SLIPS)
def test_each_slip_is_named_on_its_line_with_a_hint_that_fits(tmp_path, body, english, french):
    assert english in lines_of(tmp_path, body)
    assert french in lines_of(tmp_path, body, "fr")


def test_all_slips_of_a_file_are_reported_in_one_run(tmp_path):
    body = (
        GOOD.replace("type: single", "type single")
        + GOOD.replace("  - id: genese", "  id: bloc-2").replace("    answer:", "\tanswer:")
        + GOOD.replace("id: genese", "id: bloc-3").replace(
            "explanation: Le 3 janvier 2009.", "explanation: 'aujourd'hui'"
        )
        + GOOD.replace("id: genese", "id: bloc-4").replace("prompt: Quand", 'prompt: "Quand')
        + GOOD.replace("id: genese", "id: bloc-5").replace("choices:", "choices")
    )
    at = [line.split(": error: ")[0] for line in lines_of(tmp_path, body)]
    assert at == [
        "bitcoin.fr.yaml:6:9",  # type single
        "bitcoin.fr.yaml:11:3",  # id: without its dash
        "bitcoin.fr.yaml:15:1",  # a tab
        "bitcoin.fr.yaml:22:26",  # 'aujourd'hui'
        "bitcoin.fr.yaml:25:13",  # a quote never closed
        "bitcoin.fr.yaml:32:12",  # choices without its colon
    ]


def test_once_the_slips_are_fixed_the_file_is_checked_again(tmp_path):
    """A file that parses is never refused by the slips pass: its other errors come next."""
    body = GOOD.replace(
        "    choices: [2008, 2009, 2010]\n", "    choices:\n      - 2008\n      - 2010\n"
    )
    lines = lines_of(tmp_path, body)
    assert lines == [
        "bitcoin.fr.yaml:11:13: error: the answer '2009' is not one of the choices: "
        "did you mean '2010'?"
    ]


def test_valid_files_with_tricky_lines_have_no_slips(tmp_path):
    """Block texts with tabs, quotes over several lines, lists over several lines, comments."""
    body = (
        "  - id: q1\n"
        "    type: text\n"
        '    prompt: "A quoted text\n'
        '      over two lines"\n'
        "    accept: [a,\n"
        "      b]\n"
        "    explanation: |\n"
        "      Code:\n"
        "      \tindented with a tab inside the block\n"
        "    # a comment without colon\n"
        "    quote: 'It''s fine'\n"
        "  - id: q2\n"
        "    type: single\n"
        "    prompt: >-\n"
        "      folded\n"
        "      text\n"
        "    choices:\n"
        "      - text: a\n"
        "        feedback: b\n"
        "      - c\n"
        "    answer: c\n"
    )
    path = tmp_path / "ok.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    report = read_file(path)
    assert report.errors == [], [str(d) for d in report.errors]
    assert find_slips(HEADER + body) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            GOOD.replace("explanation: Le 3", 'explanation: "Le 3') + "  - id: x\n",
            "bitcoin.fr.yaml:10:18: error: a quoted text is not closed (reading stopped at line "
            "12): a text that starts with a quote must end with the same quote",
            id="quote",
        ),
        pytest.param(
            GOOD.replace("[2008, 2009, 2010]", "[2008, 2009, 2010"),
            "bitcoin.fr.yaml:8:14: error: a list in [brackets] is not closed as expected "
            "(reading stopped at line 9): quote the items that contain commas or brackets",
            id="bracket",
        ),
    ],
)
def test_a_construct_left_open_is_shown_where_it_starts(body, expected):
    """The parser's own message, at the opening line, saying where reading stopped."""
    import yaml

    from quizapp.bank.yaml_errors import describe

    text = HEADER + body
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    line, column, message, hint = describe(caught.value, text)
    assert f"bitcoin.fr.yaml:{line}:{column}: error: {message}: {hint}" == expected


def test_the_cli_speaks_the_locale_and_keeps_the_prefix(tmp_path, monkeypatch):
    path = tmp_path / "bitcoin.fr.yaml"
    path.write_text(HEADER + GOOD.replace("answer:", "réponse:"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = CliRunner().invoke(validate_command, ["bitcoin.fr.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"bitcoin.fr.yaml:9:5: error: clé inconnue{NBSP}: `réponse`{NBSP}: "
        f"vouliez-vous dire `answer`{NNBSP}?",
        f"1 fichier, 0 question{NBSP}: 1 erreur, 0 avertissement",
    ]
    monkeypatch.setenv("LANGUAGE", "en")
    english = CliRunner().invoke(validate_command, ["bitcoin.fr.yaml"]).output
    assert "unknown key `réponse`: did you mean `answer`?" in english
    assert english.endswith("1 file, 0 questions: 1 error, 0 warnings\n")


YAMLISH = st.from_regex(r"[ \t]{0,6}(- )?[a-z'\"\[\]{}:#|> -]{0,14}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(YAMLISH, max_size=25))
def test_the_slips_pass_reads_anything_and_stays_on_its_lines(lines):
    text = "\n".join(lines)
    for slip in find_slips(text):
        assert 1 <= slip.line <= len(lines)
        assert 1 <= slip.column <= len(lines[slip.line - 1]) + 1
