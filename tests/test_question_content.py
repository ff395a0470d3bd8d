"""Issue 11: typing slips on the shipped sets, dated context notes, quote translations, topic
labels, and French spacing on rendered pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import answer_attempt
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from quizapp.bank.reader import read_file
from quizapp.config import shipped_dir
from quizapp.i18n import compile_catalog
from quizapp.models import QuestionSet, User, utcnow
from quizapp.qtypes import grade
from quizapp.typography import (
    _CANDIDATE,
    NBSP,
    NNBSP,
    _needs_spacing,
    french_spacing,
    french_spacing_html,
)

# --- French spacing on plain text -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        pytest.param("Pourquoi ?", f"Pourquoi{NNBSP}?", id="question-mark"),
        pytest.param("Bienvenue !", f"Bienvenue{NNBSP}!", id="exclamation"),
        pytest.param("oui ; non", f"oui{NNBSP}; non", id="semicolon"),
        pytest.param("Note : lire", f"Note{NBSP}: lire", id="colon"),
        pytest.param("« Bonjour »", f"«{NNBSP}Bonjour{NNBSP}»", id="guillemets-spaced"),
        pytest.param("«Bonjour»", f"«{NNBSP}Bonjour{NNBSP}»", id="guillemets-tight"),
        pytest.param(f"Quoi{NBSP}?", f"Quoi{NNBSP}?", id="no-break-space-made-narrow"),
        pytest.param("Quoi  ?!", f"Quoi{NNBSP}?!", id="several-spaces-one-mark"),
        pytest.param("à 10:30 précises", "à 10:30 précises", id="time-untouched"),
        pytest.param(
            "https://exemple.fr/a?b=1;c=2", "https://exemple.fr/a?b=1;c=2", id="url-untouched"
        ),
        pytest.param("Tom &amp; Jerry", "Tom &amp; Jerry", id="entity-untouched"),
        pytest.param(
            "[voir](https://exemple.fr/?q=1)", "[voir](https://exemple.fr/?q=1)", id="md-link"
        ),
        pytest.param("Why?", "Why?", id="no-space-no-change"),
    ],
)
def test_french_spacing(typed, shown):
    assert french_spacing(typed) == shown


def test_french_spacing_html_follows_lang_and_leaves_markup_alone():
    html = (
        '<html lang="en"><p title="Quoi ?">Why ?</p>'
        '<div lang="fr"><a href="/q?x=1 ;">Pourquoi ?</a> <code>a ; b</code>'
        '<span lang="en">So ?</span> <input value="Non ?"><br> Enfin ?</div>'
        "<p>After ?</p></html>"
    )
    assert french_spacing_html(html) == (
        '<html lang="en"><p title="Quoi ?">Why ?</p>'
        f'<div lang="fr"><a href="/q?x=1 ;">Pourquoi{NNBSP}?</a> <code>a ; b</code>'
        f'<span lang="en">So ?</span> <input value="Non ?"><br> Enfin{NNBSP}?</div>'
        "<p>After ?</p></html>"
    )


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t\n\u00a0\u202fab<>:;?!«»", max_size=12))
def test_the_quick_check_finds_what_the_spacing_pattern_finds(text):
    """The page pass is skipped when `_needs_spacing` says so: it must agree with the pattern
    that says what `french_spacing` changes, on every arrangement of spaces and marks."""
    assert _needs_spacing(text) == bool(_CANDIDATE.search(text))


def test_a_page_needs_spacing_exactly_when_the_pass_changes_it():
    spaced = f'<p lang="fr">Vraiment{NNBSP}? «{NNBSP}oui{NNBSP}» à 10:30, a{NBSP}: b</p>'
    assert not _needs_spacing(spaced) and french_spacing_html(spaced) == spaced
    typed = '<p lang="fr">Vraiment ? « oui »</p>'
    assert _needs_spacing(typed) and french_spacing_html(typed) != typed


def test_the_french_catalog_is_compiled_with_french_spacing(tmp_path: Path):
    from babel.messages.mofile import read_mo

    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Your answer:"\nmsgstr "Votre réponse :"\n\n'
        'msgid "Sure?"\nmsgstr "Vraiment ?"\n',
        encoding="utf-8",
    )
    mo = tmp_path / "out" / "messages.mo"
    compile_catalog(po, mo, po.stat().st_mtime_ns)
    with mo.open("rb") as handle:
        catalog = read_mo(handle)
    assert catalog["Your answer:"].string == f"Votre réponse{NBSP}:"
    assert catalog["Sure?"].string == f"Vraiment{NNBSP}?"


# --- on rendered pages --------------------------------------------------------------------------

FRENCH_QUESTIONS = [
    {
        "id": "pourquoi",
        "type": "single",
        "prompt": "Pourquoi OpenAI a-t-elle changé de statut ?",
        "choices": ["Pour conclure l’accord avec Microsoft", "Pour entrer en bourse"],
        "answer": "Pour conclure l’accord avec Microsoft",
        "explanation": "Voir [la source](https://exemple.fr/article?page=2) : à 10:30.",
        "quote": "« Personne ne voulait financer cela »",
    }
]


def _french_set(make_set):
    return make_set(
        FRENCH_QUESTIONS,
        id="fr-set",
        title="Le financement : les débuts",
        language="fr",
        settings={"feedback": "immediate", "shuffle_choices": False},
    )


def _first_question(client, slug):
    location = client.post(f"/quizzes/{slug}/start").headers["Location"]
    return location


def test_a_french_set_is_spaced_on_an_english_page(auth, client, make_set):
    _french_set(make_set)
    auth.register()
    first = _first_question(client, "fr-set")
    page = client.get(first).get_data(as_text=True)
    assert f"a-t-elle changé de statut{NNBSP}?" in page
    assert "changé de statut ?" not in page
    client.post(first, data={"answer": "1", "action": "check"})
    page = client.get(first).get_data(as_text=True)
    # The interface is English: its own strings keep their spacing.
    assert "Your answer:</strong>" in page
    assert f"«{NNBSP}Personne ne voulait financer cela{NNBSP}»" in page
    # The link target and the time are untouched; the colon typed with a space is not.
    assert 'href="https://exemple.fr/article?page=2"' in page
    assert f"</a>{NBSP}: à 10:30." in page


def test_an_english_page_whose_only_french_is_the_language_link_is_not_searched(
    auth, client, make_set, monkeypatch
):
    """The usual page skips the pass (and its search) altogether; a French set's page does not."""
    from quizapp import typography

    searched = []
    monkeypatch.setattr(typography, "_needs_spacing", lambda text: searched.append(1) or True)
    make_set(settings={"feedback": "immediate", "shuffle_choices": False})
    auth.register()
    page = client.get(_first_question(client, "sample")).get_data(as_text=True)
    assert 'lang="fr" hreflang="fr"' in page and not searched
    _french_set(make_set)
    client.get(_first_question(client, "fr-set"))
    assert searched


def test_the_french_interface_is_spaced(auth, client, make_set):
    make_set(settings={"feedback": "immediate", "shuffle_choices": False})
    auth.register()
    first = _first_question(client, "sample")
    client.post(first, data={"answer": "0", "action": "check"})
    page = client.get(first + "?lang=fr").get_data(as_text=True)
    assert f"Votre réponse{NBSP}:</strong>" in page
    # The English set's text inside the French page keeps English spacing.
    assert '<span lang="en">2014</span>' in page
    assert "Votre réponse :" not in page


# --- context notes and quote translations -------------------------------------------------------

NOTED = [
    {
        "id": "valuation",
        "type": "numeric",
        "prompt": "According to the article (2023), how many billion dollars was OpenAI worth?",
        "answer": 29,
        "explanation": "What investors reckoned it was worth.",
        "quote": {
            "text": "la start-up est désormais valorisée à 29 milliards de dollars.",
            "translation": "the start-up is currently valued at 29 billion dollars.",
        },
        "context": {"as_of": "2025-10", "text": "About **$500 billion** in October 2025."},
    }
]


def test_the_context_note_and_the_quote_translation_follow_the_answer(auth, client, make_set):
    make_set(
        NOTED,
        settings={"feedback": "immediate"},
        source={"title": "ChatGPT : OpenAI a failli", "language": "fr"},
    )
    auth.register()
    first = _first_question(client, "sample")
    before = client.get(first).get_data(as_text=True)
    assert "500 billion" not in before and "currently valued" not in before
    client.post(first, data={"answer": "30", "action": "check"})
    page = client.get(first).get_data(as_text=True)
    original = page.index('<blockquote lang="fr">la start-up est désormais valorisée')
    translation = page.index('Translation:</span> <span lang="en">the start-up is currently valued')
    note = page.index('<div class="context-note"')
    assert page.index("What investors reckoned") < original < translation < note
    assert "What has changed since</strong>" in page and "(as of October 2025)" in page
    assert "About <strong>$500 billion</strong> in October 2025." in page
    assert "style=" not in page[note : page.index("</div>", note)]
    french = client.get(first + "?lang=fr").get_data(as_text=True)
    assert "(situation en octobre 2025)" in french and f"Traduction{NBSP}:" in french


@pytest.mark.parametrize(
    ("as_of", "valid"), [("2025-10", True), ("2025-13", False), ("octobre", False)]
)
def test_context_as_of_is_a_year_and_month(tmp_path, as_of, valid):
    path = tmp_path / "set.yaml"
    path.write_text(
        "id: s\ntitle: S\nlanguage: en\nquestions:\n  - id: q\n    type: true_false\n"
        f"    prompt: P.\n    answer: true\n    context:\n      as_of: {as_of}\n      text: T.\n",
        encoding="utf-8",
    )
    report = read_file(path, display="set.yaml")
    assert (report.model is not None) is valid
    if not valid:
        assert "expected a year and month such as 2025-10" in str(report.diagnostics[0])
        assert str(report.diagnostics[0]).startswith("set.yaml:10:")


def test_a_translated_quote_is_still_checked_against_the_source(tmp_path):
    (tmp_path / "source.txt").write_text("Né en 2021, le projet ambitionne.", encoding="utf-8")
    path = tmp_path / "set.yaml"
    path.write_text(
        "id: s\ntitle: S\nlanguage: en\nsource:\n  title: T\n  file: source.txt\nquestions:\n"
        "  - id: q\n    type: true_false\n    prompt: P.\n    answer: true\n    quote:\n"
        "      text: Né en 2022, le projet\n      translation: Born in 2022, the project\n",
        encoding="utf-8",
    )
    report = read_file(path, display="set.yaml")
    assert report.model is None
    assert str(report.diagnostics[0]).startswith(
        "set.yaml:13:13: error: the quote is not in the source file"
    )


# --- topic labels ---------------------------------------------------------------------------------


def test_topic_labels_name_the_catalogue_filter_and_the_mastery_chart(auth, client, make_set, db):
    questions = [
        {"id": "a", "type": "true_false", "prompt": "A.", "answer": True, "tags": ["funding"]}
    ]
    make_set(questions, tags=["funding"], topics={"funding": "Funding"})
    make_set(
        questions,
        id="sample-fr",
        language="fr",
        tags=["funding"],
        topics={"funding": "Financement"},
    )
    auth.register()
    english = client.get("/quizzes").get_data(as_text=True)
    assert '<option value="funding">Funding</option>' in english
    french = client.get("/quizzes?lang=fr").get_data(as_text=True)
    assert '<option value="funding">Financement</option>' in french
    question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.slug == "sample-fr"))
    assert question_set.topics == {"funding": "Financement"}
    user = db.session.scalar(select(User))
    answer_attempt(db, user, question_set, [True], utcnow(), submit_at=utcnow())
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert '<th scope="row">Financement</th>' in dashboard
    chart = dashboard.index('aria-labelledby="mastery-caption"')
    assert "Financement" in dashboard[chart : dashboard.index("</svg>", chart)]
    assert '<th scope="row">funding</th>' not in dashboard


# --- the shipped sets grade what a teacher would accept -----------------------------------------


def _shipped(language: str) -> dict[str, dict]:
    model = read_file(shipped_dir("questions") / f"openai-crypto.{language}.yaml").model
    assert model is not None
    return {q.id: q.model_dump(mode="json") for q in model.questions}


ACCEPTED = {
    "worldcoin-name": ["World coin", "Worldcoin", "World", "Wordlcoin"],
    "tools-for-humanity": ["TFH", "Tools for Humanity (TFH)", "Tools for Humanty"],
    "ico-acronym": [
        "an initial coin offering",
        "initial coin offering (ICO)",
        "inital coin offering",
    ],
    "altman-name": ["Samuel Altman", "Samuel H. Altman", "Sam Altmann", "Altmn"],
}
ACCEPTED_FR = {
    "worldcoin-name": ["le Worldcoin"],
    "tools-for-humanity": ["la société Tools for Humanity"],
    "ico-acronym": ["une initial coin offering"],
}
REJECTED = {
    "worldcoin-name": ["Bitcoin", "OpenAI", "Wor"],
    "tools-for-humanity": ["TF1", "OpenAI", "Microsoft"],
    "ico-acronym": ["initial public offering", "ICO"],
    "altman-name": ["Elon Musk", "Sam", "Aldmn"],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_shipped_typed_answers_accept_what_a_teacher_would(language):
    specs = _shipped(language)
    for key, answers in ACCEPTED.items():
        for answer in answers + (ACCEPTED_FR.get(key, []) if language == "fr" else []):
            assert grade(specs[key], answer).correct, (key, answer)
    for key, answers in REJECTED.items():
        for answer in answers:
            assert not grade(specs[key], answer).correct, (key, answer)


@pytest.mark.parametrize(
    ("extra", "warning"),
    [
        pytest.param(
            "    accept: [ICO, TFH]\n    typos: 1\n",
            "15:12: warning: `typos` forgives nothing here: every accepted answer is 4 "
            "characters or fewer: short answers forgive no slip, so that a slip cannot make a "
            "wrong answer right",
            id="typos-on-short-answers",
        ),
        pytest.param("    accept: [Tools for Humanity, TFH]\n    typos: 1\n", None, id="typos-ok"),
    ],
)
def test_lint_on_typos(tmp_path, extra, warning):
    path = tmp_path / "set.yaml"
    path.write_text(
        "id: s\ntitle: S\nlanguage: en\ntags: [a]\ntopics:\n  a: A\n  b: B\nquestions:\n"
        "  - id: q\n    type: text\n    prompt: Which company?\n    explanation: E.\n"
        f"    tags: [b]\n{extra}",
        encoding="utf-8",
    )
    found = [str(d) for d in read_file(path, display="set.yaml").diagnostics]
    assert found == ([f"set.yaml:{warning}"] if warning else [])


def test_lint_names_a_tag_without_a_label(tmp_path):
    path = tmp_path / "set.yaml"
    path.write_text(
        "id: s\ntitle: S\nlanguage: en\ntags: [a]\ntopics:\n  a: A\nquestions:\n"
        "  - id: q\n    type: true_false\n    prompt: P.\n    answer: true\n"
        "    explanation: E.\n    tags: [a, b]\n",
        encoding="utf-8",
    )
    found = [str(d) for d in read_file(path, display="set.yaml").diagnostics]
    assert found == [
        "set.yaml:5:1: warning: the tag `b` has no label in `topics`: students see it as "
        "written: add a label"
    ]


def test_a_quote_mapping_without_its_text_is_an_error_at_the_quote(tmp_path):
    path = tmp_path / "set.yaml"
    path.write_text(
        "id: s\ntitle: S\nlanguage: en\nquestions:\n  - id: q\n    type: true_false\n"
        "    prompt: P.\n    answer: true\n    explanation: E.\n    quote:\n"
        "      translation: X\n",
        encoding="utf-8",
    )
    report = read_file(path, display="set.yaml")
    assert report.model is None
    assert [str(d) for d in report.diagnostics] == [
        "set.yaml:10:5: error: missing required key `text`"
    ]


def test_a_quote_without_translation_is_stored_as_plain_text(tmp_path):
    path = tmp_path / "set.yaml"
    path.write_text(
        "id: s\ntitle: S\nlanguage: en\nquestions:\n  - id: q\n    type: true_false\n"
        "    prompt: P.\n    answer: true\n    quote: Né en 2021\n  - id: r\n"
        "    type: true_false\n    prompt: R.\n    answer: true\n    quote:\n"
        "      text: Né en 2021\n      translation: Born in 2021\n",
        encoding="utf-8",
    )
    plain, translated = (q.model_dump(mode="json") for q in read_file(path).model.questions)
    assert plain["quote"] == "Né en 2021"
    assert translated["quote"] == {"text": "Né en 2021", "translation": "Born in 2021"}
