"""Every registered question type passes the same cases, from the sample its module declares.

A new type is covered by registering it in `quizapp.qtypes`: its sample must read as a valid
question through the real reader, its invalid variants must be refused, its answers must grade
right, partly and wrong, survive the form through any shuffled layout, carry over to an edited
version, and its page must be the same whatever the key.
"""

from __future__ import annotations

import ast
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from quizapp import create_app, qtypes
from quizapp.bank.reader import FileReport, read_file
from quizapp.config import TestConfig
from quizapp.models import Question, QuestionAttempt, QuestionSet
from quizapp.qtypes import QuestionType
from quizapp.quiz.forms import QuestionForm, answer_from, build_form
from tests.helpers import set_document

TYPES = list(qtypes.REGISTRY.values())
NAMES = list(qtypes.REGISTRY)
SEEDS = [0, 1, 2, 3, 42, 2015]
FORGED = {"forged": 1}  # the shape of no type's answer


@pytest.fixture(scope="module")
def web() -> Iterator[Flask]:
    app = create_app(TestConfig)
    with app.test_request_context():
        yield app


def _read(tmp_path: Path, question: dict[str, Any], *, lint: bool = False) -> FileReport:
    path = tmp_path / "set.yaml"
    document = set_document([question])
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return read_file(path, display="set.yaml", lint=lint)


def _spec(tmp_path: Path, question: dict[str, Any]) -> dict[str, Any]:
    """The question as the database stores it: validated by the reader, dumped as JSON."""
    report = _read(tmp_path, question)
    assert report.errors == [], [str(d) for d in report.errors]
    assert report.model is not None
    return report.model.questions[0].model_dump(mode="json")


def _answers(qtype: QuestionType) -> list[Any]:
    sample = qtype.sample
    return [a for a in (sample.right, sample.partial, sample.wrong) if a is not None]


def _question(spec: dict[str, Any]) -> Question:
    """A question row, never added to a session: the form and templates only read it."""
    return Question(
        type=spec["type"],
        spec=spec,
        points=1.0,
        question_set=QuestionSet(language="en", title="Sample"),
    )


def _post_data(form: Any) -> MultiDict[str, str]:
    """What a browser sends for a form showing its data (checked boxes, selected options)."""
    sent: MultiDict[str, str] = MultiDict()
    fields = list(form.answer) if hasattr(form.answer, "form") else [form.answer]
    for field in fields:
        if isinstance(field.data, list):
            sent.setlist(field.name, field.data)
        elif field.data not in (None, ""):
            sent[field.name] = field.data
    return sent


# --- the registry ------------------------------------------------------------------------


def test_every_type_is_named_as_its_model_says_and_has_its_template(web):
    for name, qtype in qtypes.REGISTRY.items():
        assert qtype.name == name == qtype.sample.spec["type"]
        assert qtype.model.model_validate(qtype.sample.spec).type == name
        assert web.jinja_env.get_template(qtype.template).module.fields


def test_the_check_constraint_lists_the_registry_in_its_order():
    constraint = next(
        c for c in Question.__table__.constraints if str(c.name).endswith("type_known")
    )
    assert str(constraint.sqltext) == "type IN ({})".format(", ".join(f"'{n}'" for n in NAMES))


def test_the_pure_parts_do_not_import_flask():
    """Grading, layout, schema and translation load without Flask: only `web` imports it,
    and the form and display methods import `web` when called."""
    package = Path(qtypes.__file__).parent
    for path in package.glob("*.py"):
        if path.name == "web.py":
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [alias.name for alias in node.names]
                for name in names:
                    assert not name.startswith(("flask", "wtforms", "web")), (path.name, name)


# --- the schema, through the real reader ---------------------------------------------------


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_the_sample_is_a_valid_question_of_its_type(tmp_path, qtype):
    report = _read(tmp_path, qtype.sample.spec)
    assert report.errors == []
    assert type(report.model.questions[0]) is qtype.model
    _spec(tmp_path, qtype.sample.edited)
    _spec(tmp_path, qtype.sample.rekeyed)


INVALID = [
    pytest.param(qtype, change, word, id=f"{qtype.name}-{i}")
    for qtype in TYPES
    for i, (change, word) in enumerate(qtype.sample.invalid)
]


@pytest.mark.parametrize(("qtype", "change", "word"), INVALID)
def test_an_invalid_question_is_refused_with_a_located_message(tmp_path, qtype, change, word):
    report = _read(tmp_path, {**qtype.sample.spec, **change})
    messages = [str(d) for d in report.errors]
    assert report.model is None
    assert any(word in m and m.startswith("set.yaml:") for m in messages), messages


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_lint_warns_when_the_prompt_names_the_key(tmp_path, qtype):
    spec = {**qtype.sample.spec, "explanation": "Because."}
    model = _read(tmp_path, spec).model
    for text in qtype.key_texts(model.questions[0]):
        giveaway = {**spec, "prompt": f"{spec['prompt']} ({text})"}
        warnings = [d.message for d in _read(tmp_path, giveaway, lint=True).warnings]
        assert warnings == ["the prompt contains its own answer"]
    assert _read(tmp_path, spec, lint=True).warnings == []


def test_every_type_has_invalid_samples():
    assert all(len(qtype.sample.invalid) >= 2 for qtype in TYPES)


# --- grading -------------------------------------------------------------------------------


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_right_partial_and_wrong_answers(tmp_path, qtype):
    spec = _spec(tmp_path, qtype.sample.spec)
    sample = qtype.sample
    assert qtypes.grade(spec, sample.right).score == 1.0
    assert qtypes.grade(spec, sample.right).correct
    assert qtypes.grade(spec, sample.wrong).score == 0.0
    if sample.partial is not None:
        assert 0 < qtypes.grade(spec, sample.partial).score < 1
    assert qtypes.grade(spec, None).score == 0.0


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_a_forged_answer_is_refused(tmp_path, qtype):
    spec = _spec(tmp_path, qtype.sample.spec)
    with pytest.raises(qtypes.InvalidAnswer):
        qtypes.grade(spec, FORGED)


# --- layout and form, both ways ------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_an_answer_survives_the_form_through_any_shuffled_layout(web, tmp_path, qtype, seed):
    spec = _spec(tmp_path, qtype.sample.spec)
    layout = qtype.layout(spec, random.Random(seed), True)
    assert layout == qtype.layout(spec, random.Random(seed), True)  # a seed gives one layout
    for order in layout.values():
        assert sorted(order) == list(range(len(order)))
    question = _question(spec)
    for answer in _answers(qtype):
        saved = QuestionAttempt(question=question, layout=layout, answer=answer)
        shown = build_form(saved)
        sent = build_form(QuestionAttempt(question=question, layout=layout), _post_data(shown))
        assert sent.validate(), sent.errors
        back = answer_from(sent, saved)
        assert back == (answer.strip() if isinstance(answer, str) else answer)
        assert qtypes.grade(spec, back) == qtypes.grade(spec, answer)


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_a_stored_question_shares_its_form_class_only_with_the_same_layout(web, tmp_path, qtype):
    """Form classes are kept by the question's content hash and the layout: every student
    with another shuffle, and every new version of the question, gets a class of its own."""
    from quizapp.bank.sync import spec_hash

    spec = _spec(tmp_path, qtype.sample.spec)
    question = _question(spec)
    question.content_hash = spec_hash(spec)
    layouts = [qtype.layout(spec, random.Random(seed), True) for seed in range(40)]
    distinct = {json.dumps(layout, sort_keys=True) for layout in layouts}
    classes = {}
    for layout in layouts:
        form = build_form(QuestionAttempt(question=question, layout=layout))
        classes.setdefault(json.dumps(layout, sort_keys=True), set()).add(type(form))
        # The controls follow this layout, not an earlier student's.
        fresh = type("Fresh", (QuestionForm,), {"answer": qtype.field(spec, layout, "x")})()
        assert form.answer() == fresh.answer()
    assert all(len(found) == 1 for found in classes.values())
    assert len({next(iter(found)) for found in classes.values()}) == len(distinct)
    edited = {**spec, "prompt": spec["prompt"] + " (edited)"}
    newer = _question(edited)
    newer.content_hash = spec_hash(edited)
    assert type(build_form(QuestionAttempt(question=newer, layout=layouts[0]))) not in {
        next(iter(found)) for found in classes.values()
    }


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_a_blank_form_is_no_answer(web, tmp_path, qtype):
    spec = _spec(tmp_path, qtype.sample.spec)
    layout = qtype.layout(spec, random.Random(1), True)
    response = QuestionAttempt(question=_question(spec), layout=layout)
    form = build_form(response, MultiDict())
    assert form.validate(), form.errors
    assert answer_from(form, response) is None


# --- display: never the key before it may be shown ---------------------------------------

FIELDS = '{% from "quiz/_answer.html" import answer_fields %}{{ answer_fields(q, form, false) }}'
FEEDBACK = '{% from "quiz/_answer.html" import feedback %}{{ feedback(q, r) }}'


def _fields_html(spec: dict[str, Any], layout: dict[str, list[int]]) -> str:
    question = _question(spec)
    form = build_form(QuestionAttempt(question=question, layout=layout))
    return render_template_string(FIELDS, q=question, form=form)


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_the_question_markup_is_the_same_whatever_the_key(web, tmp_path, qtype):
    sample = qtype.sample
    spec = _spec(tmp_path, sample.spec)
    rekeyed = _spec(tmp_path, sample.rekeyed)
    # The sample's key really changed: its right answer, carried over, is no longer right.
    assert not qtypes.grade(rekeyed, qtypes.translate_answer(spec, rekeyed, sample.right)).correct
    html = _fields_html(spec, {})
    assert html == _fields_html(rekeyed, sample.rekeyed_layout)
    assert 'name="answer' in html


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_the_feedback_shows_the_key_once_it_may(web, tmp_path, qtype):
    sample = qtype.sample
    spec = _spec(tmp_path, sample.spec)
    rekeyed = _spec(tmp_path, sample.rekeyed)

    def feedback(spec: dict[str, Any], answer: Any) -> str:
        response = QuestionAttempt(question=_question(spec), answer=answer, score=0.0, points=0.0)
        return render_template_string(FEEDBACK, q=response.question, r=response)

    # Wrong under both keys, so both pages show the key: and the keys differ.
    wrong = qtypes.translate_answer(spec, rekeyed, sample.wrong)
    assert feedback(spec, sample.wrong) != feedback(rekeyed, wrong)
    shown = feedback(spec, sample.wrong)
    marks = qtype.marks(spec, sample.wrong)
    if marks:  # each choice, pair or item marked, with the key in it
        assert all(m.label in shown and (m.expected or "") in shown for m in marks)
        assert any(m.state in ("missed", "wrong") for m in marks)
        if "choices" in spec:  # a list of choices: the key is the right ones
            key = qtype.correct_answer(spec)
            for i in key if isinstance(key, list) else [key]:
                assert marks[i].state in ("right", "missed")
    else:
        described = qtype.describe(spec, qtype.correct_answer(spec))
        assert described and described in shown


def test_choice_feedback_follows_the_answer(tmp_path):
    for qtype in TYPES:
        spec = _spec(tmp_path, qtype.sample.spec)
        given = [qtype.choice_feedback(spec, a) for a in _answers(qtype)]
        for notes in given:
            assert all(isinstance(note, str) and note for note in notes)
    single = _spec(tmp_path, qtypes.get("single").sample.spec)
    assert qtypes.get("single").choice_feedback(single, 1) == ["Since 2019."]
    assert qtypes.get("single").choice_feedback(single, 0) == []


# --- translation across versions -----------------------------------------------------------


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_an_answer_carries_over_to_an_edited_version(tmp_path, qtype):
    sample = qtype.sample
    spec = _spec(tmp_path, sample.spec)
    edited = _spec(tmp_path, sample.edited)
    carried = qtypes.translate_answer(spec, edited, sample.right)
    assert carried == sample.carried
    qtypes.grade(edited, carried)  # a valid answer to the new version
    assert qtypes.translate_answer(spec, edited, None) is None


@pytest.mark.parametrize("qtype", TYPES, ids=NAMES)
def test_an_answer_does_not_carry_over_to_another_type(tmp_path, qtype):
    spec = _spec(tmp_path, qtype.sample.spec)
    for other in TYPES:
        if other is not qtype:
            other_spec = _spec(tmp_path, other.sample.spec)
            assert qtypes.translate_answer(spec, other_spec, qtype.sample.right) is None
