"""Questions in and out: GIFT and Moodle XML imports (every construct of the formats' docs, at
its line), exports and round trips of the shipped sets, hostile files, and the CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from quizapp.bank import messages as bank_messages
from quizapp.bank.reader import question_lines, read_file
from quizapp.config import shipped_dir
from quizapp.interop import ConversionError, convert, export_set
from quizapp.qtypes import exchange

FIXTURES = Path(__file__).parent / "fixtures" / "interop"
GIFT = FIXTURES / "every-construct.gift"
XML = FIXTURES / "every-construct.xml"
SHIPPED = sorted(Path(shipped_dir("questions")).glob("*.yaml"))


def imported(path: Path, fmt: str | None = None) -> tuple[dict[str, Any], Any]:
    conversion = convert(path.read_bytes(), str(path), fmt, "en")
    document = yaml.safe_load(conversion.yaml_text)
    return {q["id"]: q for q in document["questions"]}, conversion


def warnings_at(conversion: Any) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for note in conversion.warnings:
        found.setdefault(note.line, []).append(note.message)
    return found


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# --- GIFT ---------------------------------------------------------------------------------


def test_gift_every_construct_converts_as_moodle_describes_it():
    questions, conversion = imported(GIFT)
    assert questions["ceo"] == {
        "id": "ceo",
        "type": "single",
        "prompt": "Who is OpenAI's CEO?",
        "choices": [
            {"text": "Sam Altman", "feedback": "Since 2019."},
            {"text": "Elon Musk", "feedback": "A co-founder, not the CEO."},
            "Satya Nadella",
        ],
        "answer": "Sam Altman",
        "explanation": "Sam Altman has led OpenAI since 2019.",
    }
    pow_ = questions["pow"]
    assert pow_["type"] == "multiple" and pow_["answer"] == ["Bitcoin", "Monero"]
    assert pow_["choices"][2] == {"text": "Solana", "feedback": "Proof of history."}
    assert questions["non-profit"]["answer"] is True
    assert questions["non-profit"]["explanation"] == "True: Yes.\n\nFalse: No: it was."
    assert questions["tf-true"]["answer"] is True
    assert questions["tf-f"]["answer"] is False
    assert questions["tf-false"] == {
        "id": "tf-false",
        "type": "true_false",
        "prompt": "Worldcoin scans fingerprints.",
        "answer": False,
        "explanation": "It scans irises.",
    }
    assert questions["ceo-name"]["type"] == "text"
    assert questions["ceo-name"]["accept"] == ["Sam Altman", "Altman"]
    assert (questions["founded"]["answer"], questions["founded"]["tolerance"]) == (2015, 1)
    assert (questions["range"]["min"], questions["range"]["max"]) == (1, 5)
    assert "answer" not in questions["range"]
    assert questions["roles"]["pairs"] == [
        ["Altman", "CEO"],
        ["Musk", "co-founder"],
        ["Microsoft", "investor"],
    ]
    escaped = questions["a-b"]
    assert escaped["prompt"] == "Which is **escaped**: ~ = # { }?"
    assert escaped["choices"] == ["a=b", "a~b", "a#b"] and escaped["answer"] == "a=b"
    assert questions["html"]["prompt"] == "Which **animal** is this?"
    assert questions["plain"]["prompt"] == "Two plus _____ equals four."
    assert questions["plain"]["accept"] == ["two", "2"]
    assert questions["moodle"]["answer"] == "nothing"
    assert questions["partial"]["answer"] == "yellow"
    assert questions["multi-num"]["answer"] == 2008
    wildcard = questions["wildcard"]  # Moodle's `*`: any characters
    assert wildcard["accept"] == ["Satoshi"]
    assert wildcard["accept_regex"] == "(?i)(?:Satoshi.*)"
    assert "essay" not in questions and "description" not in questions
    assert conversion.skipped == 2 and conversion.converted == 17
    assert conversion.exit_code == 1


def test_one_category_names_the_set_and_several_become_question_tags():
    document = yaml.safe_load(convert(GIFT.read_bytes(), str(GIFT)).yaml_text)
    assert (document["title"], document["tags"]) == ("History of AI", ["history-of-ai"])
    assert document["topics"] == {"history-of-ai": "History of AI"}
    # The second category has its question right under it, without a blank line.
    two = b"$CATEGORY: Crypto\n\n::a:: A? {T}\n\n$CATEGORY: top/AI/Labs\n::b:: B? {F}\n"
    conversion = convert(two, "two.gift")
    document = yaml.safe_load(conversion.yaml_text)
    assert [q["tags"] for q in document["questions"]] == [["crypto"], ["labs"]]
    assert [n.line for n in conversion.warnings] == [3, 6]  # no explanations
    assert document["topics"] == {"crypto": "Crypto", "labs": "Labs"}
    assert document["title"] == "two"


def test_gift_warnings_name_the_line_where_each_question_starts():
    _, conversion = imported(GIFT)
    at = warnings_at(conversion)
    assert (
        "skipped: an essay question cannot be graded automatically"
        in at[line_of(GIFT, "::essay::")]
    )
    assert "skipped: a description (text without answers)" in at[line_of(GIFT, "::description")]
    assert "HTML removed: <img>" in at[line_of(GIFT, "::html::")]
    assert "partially right answers are dropped: Sam" in at[line_of(GIFT, "::ceo-name::")]
    assert exchange.LOSS_SINGLE_PARTIAL in at[line_of(GIFT, "::partial::")]
    assert exchange.LOSS_FEEDBACK_IN_EXPLANATION in at[line_of(GIFT, "::non-profit::")]
    assert "partially right answers are dropped: 2009" in at[line_of(GIFT, "::multi-num::")]
    missing = "the answers stood inside the text: the blank is shown as _____"
    assert missing in at[line_of(GIFT, "::moodle::")]
    # Exactly converted questions carry no loss (advice is not a loss).
    for exact in ("::ceo::", "::pow::", "::roles::", "::range::", "::founded::"):
        assert not [n for n in conversion.warnings if n.line == line_of(GIFT, exact) and n.loss]
    assert str(conversion.warnings[0]).startswith(f"{GIFT}:")
    assert re.fullmatch(rf"{re.escape(str(GIFT))}:\d+: warning: .+", str(conversion.warnings[0]))


def test_converted_yaml_passes_strict_validation_apart_from_what_was_reported(tmp_path):
    for source in (GIFT, XML):
        conversion = convert(source.read_bytes(), str(source), None, "en")
        path = tmp_path / f"{source.stem}.yaml"
        path.write_text(conversion.yaml_text)
        report = read_file(path)
        assert report.errors == []
        advice = [n for n in conversion.warnings if not n.loss]
        assert len(report.warnings) == len(advice)


# --- Moodle XML ---------------------------------------------------------------------------


def test_moodle_xml_every_construct_converts():
    questions, conversion = imported(XML)
    single = questions["single-choice"]
    assert single["type"] == "single" and single["answer"] == "Sam Altman"
    assert single["prompt"] == "Who is OpenAI's **CEO**?"
    assert single["points"] == 2 and single["explanation"] == "Since 2019."
    assert single["choices"][0] == {"text": "Sam Altman", "feedback": "Right."}
    assert single["tags"] == ["people"]
    multiple = questions["multiple-response"]
    assert multiple["type"] == "multiple" and multiple["answer"] == ["Bitcoin", "Monero"]
    assert questions["true-false"]["answer"] is True
    short = questions["short-answer"]
    assert short["prompt"] == "Who is OpenAI's *CEO*?" and short["accept"] == [
        "Sam Altman",
        "Altman",
    ]
    numeric = questions["numerical"]
    assert (numeric["answer"], numeric["tolerance"], numeric["unit"]) == (1, 0.1, "billion dollars")
    assert questions["matching"]["pairs"] == [["Altman", "CEO"], ["Musk", "co-founder"]]
    assert questions["ordering"]["items"] == ["OpenAI founded", "GPT-2", "ChatGPT"]
    assert questions["script"]["prompt"] == "Safe?"
    assert conversion.skipped == 3 and conversion.exit_code == 1
    at = warnings_at(conversion)
    messages = {m for ms in at.values() for m in ms}
    assert (
        "skipped: a calculated question has no quizapp type"
        in at[line_of(XML, 'type="calculated"')]
    )
    assert "HTML removed: <script>" in at[line_of(XML, "<name><text>Script") - 1]
    assert "the answers are case-sensitive in the source; quizapp ignores case" in messages
    assert "other units are dropped: million dollars" in messages
    assert "right sides without a left side (distractors) are dropped: regulator" in messages
    assert (
        "the answer weights are approximated: each right choice adds and each wrong choice takes "
        "away 1/2 of the points" in at[line_of(XML, "Multiple response") - 1]
    )
    assert any(
        m.startswith("Moodle grades this ordering question by ABSOLUTE_POSITION") for m in messages
    )


def test_the_settings_of_a_set_come_from_shuffleanswers(tmp_path):
    source = tmp_path / "fixed.xml"
    source.write_text(
        '<quiz><question type="truefalse"><name><text>q</text></name>'
        "<questiontext><text>Yes?</text></questiontext><shuffleanswers>0</shuffleanswers>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question></quiz>'
    )
    document = yaml.safe_load(convert(source.read_bytes(), str(source)).yaml_text)
    assert document["settings"] == {"shuffle_choices": False}


# --- bad and hostile input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("::a:: ok {T}\n\n::b:: Which?\n{=a ~b\n", 4, "a `{` is never closed"),
        ("::a:: Which? {= ~b ~c}\n", 1, "a stray `=`: an answer with no text"),
        ("\n\n::a:: Which? } {=a ~b}\n", 3, "a `}` without its `{`"),
        ("::a:: Which? {=a {~b}\n", 1, "a `{` inside the answers"),
        ("::a:: Which? {=a ~b} and {=c}\n", 1, "a second answer block"),
        ("::a Which? {=a ~b}\n", 1, "a title opened with `::` is never closed"),
        ("::a:: Which? {~%x%a ~b}\n", 1, "an answer weight is written %50%"),
        ("::a:: Year?\n{#twenty}\n", 2, "not a number: twenty"),
        ("::a:: Match {=a -> b ~c}\n", 1, "`=left -> right`"),
        ("::a:: Which? {hello =a ~b}\n", 1, "text before the first answer"),
    ],
)
def test_malformed_gift_is_refused_at_its_line(text, line, message):
    with pytest.raises(ConversionError) as refused:
        convert(text.encode(), "bad.gift", "gift")
    assert refused.value.line == line
    assert message in refused.value.message
    assert str(refused.value).startswith(f"bad.gift:{line}: error: ")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz>&lol3;</quiz>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="shortanswer"><name><text>&secret;</text></name></question></quiz>
"""


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"<quiz>\n<question type='truefalse'>\n</quiz>\n", 3, "not well-formed XML"),
        (BOMB, 2, "the XML declares entities or a DTD"),
        (EXTERNAL, 2, "the XML declares entities or a DTD"),
        (b"<?xml version='1.0'?>\n<assessment/>\n", 2, "not Moodle XML: the root element is"),
        (b"<quiz>\xff</quiz>", 1, "not well-formed XML"),
    ],
)
def test_malformed_and_hostile_xml_is_refused(data, line, message):
    with pytest.raises(ConversionError) as refused:
        convert(data, "bad.xml", "moodle-xml")
    assert refused.value.line == line
    assert message in refused.value.message


def test_oversized_and_non_utf8_files_are_refused():
    with pytest.raises(ConversionError, match="larger than 2 MB"):
        convert(b"::a:: x {T}\n\n" * 200_000, "big.gift")
    with pytest.raises(ConversionError, match="larger than 2 MB"):
        convert(b"<quiz>" + b" " * 2_000_001 + b"</quiz>", "big.xml")
    with pytest.raises(ConversionError) as refused:
        convert(b"::a:: ok {T}\n\n::b:: caf\xe9 {T}\n", "latin1.gift")
    assert refused.value.line == 3 and "UTF-8" in refused.value.message


def test_a_file_with_nothing_to_convert_is_refused():
    with pytest.raises(ConversionError) as refused:
        convert(b"// nothing here\n\n::essay:: Write. {}\n", "essay.gift")
    assert refused.value.line == 3
    assert refused.value.message == (
        "no question could be converted; the first: "
        "skipped: an essay question cannot be graded automatically"
    )
    with pytest.raises(ConversionError, match="the file holds no question"):
        convert(b"// only a comment\n", "empty.gift")
    with pytest.raises(ConversionError, match="not a number: nan"):
        convert(b"::n:: Number? {#nan}\n", "nan.gift")


# --- exports and round trips ----------------------------------------------------------------


def key(question: Any) -> Any:
    """What grading depends on: the type, its key, its points."""
    spec = question.model_dump(mode="json")
    kind = spec["type"]
    if kind == "single":
        found = ([c if isinstance(c, str) else c["text"] for c in spec["choices"]], spec["answer"])
    elif kind == "multiple":
        choices = [c if isinstance(c, str) else c["text"] for c in spec["choices"]]
        found = (choices, sorted(spec["answer"]))
    elif kind == "numeric":
        if spec.get("answer") is not None:
            tolerance = spec.get("tolerance") or 0
            found = (spec["answer"] - tolerance, spec["answer"] + tolerance, spec.get("unit"))
        else:
            found = (spec["min"], spec["max"], spec.get("unit"))
    elif kind == "text":
        found = (spec["accept"], spec.get("typos") or 0, spec.get("accept_regex"))
    elif kind == "order":
        found = spec["items"]
    elif kind == "match":
        found = spec["pairs"]
    else:
        found = spec["answer"]
    return (kind, found, spec["points"])


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_round_trip_of_the_shipped_sets(path, fmt, tmp_path):
    original = read_file(path).model
    lines = question_lines(path)
    export = export_set(original, fmt, str(path), lines)
    back = convert(export.data, f"set.{'gift' if fmt == 'gift' else 'xml'}", fmt, original.language)
    assert back.skipped == 0
    assert [n for n in back.warnings if n.loss] == []
    copy = tmp_path / "back.yaml"
    copy.write_text(back.yaml_text)
    report = read_file(copy)
    assert report.errors == [] and report.warnings == []
    imported_questions = {q.id: q for q in report.model.questions}
    reported = {n.line for n in export.warnings}
    assert list(imported_questions) == [q.id for q in original.questions]
    for question in original.questions:
        again = imported_questions[question.id]
        if key(again) != key(question):
            # Only what the export said it could not express may differ.
            assert lines[question.id] in reported, question.id
            assert key(again)[0] == key(question)[0]
            assert question.type == "text" and question.typos
        assert again.tags == question.tags
    changed = [q.id for q in original.questions if key(imported_questions[q.id]) != key(q)]
    assert changed == [q.id for q in original.questions if q.type == "text" and q.typos]


def test_every_loss_message_is_a_translated_template():
    templates = set(bank_messages._TEMPLATES)
    for name in dir(exchange):
        if name.startswith("LOSS_"):
            assert getattr(exchange, name) in templates, name


def test_gift_export_carries_what_gift_cannot_say_in_comments():
    model = read_file(SHIPPED[0]).model
    text = export_set(model, "gift").data.decode()
    assert "$CATEGORY: $course$/top/" in text
    assert re.search(r'// quizapp: {.*"type": "order"', text)
    assert "~%50%" in text and "~%-50%" in text
    assert "::microsoft-deal-year::[markdown]" in text


# --- QTI 2.1 ------------------------------------------------------------------------------

QTI_NS = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP_NS = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


def qti_score(item: Any, response: Any) -> float:
    """A small QTI 2.1 player: the three kinds of response processing the export writes
    (match_correct, map_response, a numeric range condition)."""
    declaration = item.find(f"{QTI_NS}responseDeclaration")
    processing = item.find(f"{QTI_NS}responseProcessing")
    correct = [v.text for v in declaration.find(f"{QTI_NS}correctResponse")]
    template = processing.get("template", "")
    if template.endswith("map_response"):
        mapping = declaration.find(f"{QTI_NS}mapping")
        values = response if isinstance(response, list) else [response]
        total = 0.0
        for value in set(values):
            for entry in mapping:
                same = (
                    entry.get("mapKey").casefold() == str(value).casefold()
                    if entry.get("caseSensitive") == "false"
                    else entry.get("mapKey") == value
                )
                if same:
                    total += float(entry.get("mappedValue"))
                    break
            else:
                total += float(mapping.get("defaultValue"))
        return max(float(mapping.get("lowerBound")), min(float(mapping.get("upperBound")), total))
    condition = processing.find(f"{QTI_NS}responseCondition/{QTI_NS}responseIf")
    points = float(condition.find(f".//{QTI_NS}setOutcomeValue/{QTI_NS}baseValue").text)
    range_test = condition.find(f"{QTI_NS}and")
    if range_test is not None:
        low = float(range_test.find(f"{QTI_NS}gte/{QTI_NS}baseValue").text)
        high = float(range_test.find(f"{QTI_NS}lte/{QTI_NS}baseValue").text)
        return points if low <= float(response) <= high else 0.0
    given = response if isinstance(response, list) else [response]
    return points if given == correct else 0.0


def qti_response(spec: dict[str, Any], answer: Any) -> Any:
    """Our answer as a QTI response to the exported item."""
    kind = spec["type"]
    if kind == "single":
        return f"C{answer + 1}"
    if kind == "multiple":
        return [f"C{i + 1}" for i in answer]
    if kind == "true_false":
        return "true" if answer else "false"
    if kind == "order":
        return [f"I{i + 1}" for i in answer]
    if kind == "match":
        return [f"L{i + 1} R{c + 1}" for i, c in enumerate(answer) if c is not None]
    # A text entry as players send it, trimmed (spacing inside is a reported loss).
    return answer.replace(" ", "") if kind == "numeric" else answer.strip()


def test_qti_package_has_a_manifest_and_one_item_per_question(tmp_path):
    import xml.etree.ElementTree as ET
    import zipfile
    from io import BytesIO

    model = read_file(SHIPPED[0]).model
    export = export_set(model, "qti", str(SHIPPED[0]), question_lines(SHIPPED[0]))
    archive = zipfile.ZipFile(BytesIO(export.data))
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP_NS}manifest"
    resources = manifest.findall(f"{CP_NS}resources/{CP_NS}resource")
    assert len(resources) == len(model.questions)
    for resource, question in zip(resources, model.questions, strict=True):
        assert resource.get("type") == "imsqti_item_xmlv2p1"
        assert resource.find(f"{CP_NS}file").get("href") == resource.get("href")
        item = ET.fromstring(archive.read(resource.get("href")))
        assert item.tag == f"{QTI_NS}assessmentItem"
        assert item.get("identifier") == resource.get("identifier")
        children = [child.tag.removeprefix(QTI_NS) for child in item]
        # The order the QTI 2.1 schema requires.
        assert children[0] == "responseDeclaration" and children[-1] in (
            "responseProcessing",
            "modalFeedback",
        )
        assert children.index("outcomeDeclaration") < children.index("itemBody")
        assert children.index("itemBody") < children.index("responseProcessing")
        value = item.find(f"{QTI_NS}responseDeclaration/{QTI_NS}correctResponse/{QTI_NS}value")
        assert value is not None and value.text
        body = item.find(f"{QTI_NS}itemBody")
        interactions = [e for e in body.iter() if e.tag.endswith("Interaction")]
        assert len(interactions) == 1
        assert question.explanation is None or item.find(f"{QTI_NS}modalFeedback") is not None
    orders = [q for q in model.questions if q.type == "order"]
    assert {n.line for n in export.warnings} >= {question_lines(SHIPPED[0])[q.id] for q in orders}


def test_a_qti_player_grades_the_items_as_quizapp_does():
    import xml.etree.ElementTree as ET
    import zipfile
    from io import BytesIO

    from quizapp import qtypes
    from quizapp.bank.schema import QuestionSetFile

    questions = []
    for qtype in qtypes.REGISTRY.values():
        questions.append({**qtype.sample.spec, "points": 2})
    model = QuestionSetFile.model_validate(
        {"id": "samples", "title": "Samples", "language": "en", "questions": questions}
    )
    archive = zipfile.ZipFile(BytesIO(export_set(model, "qti").data))
    for qtype in qtypes.REGISTRY.values():
        sample = qtype.sample
        spec = model.questions[list(qtypes.REGISTRY).index(qtype.name)].model_dump(mode="json")
        item = ET.fromstring(archive.read(f"items/{spec['id']}.xml"))
        answers = [sample.right, sample.wrong]
        # Partial credit is the same except where the export says it is not (order).
        if sample.partial is not None and qtype.name != "order":
            answers.append(sample.partial)
        for answer in answers:
            ours = qtypes.grade(spec, answer).points(2)
            assert qti_score(item, qti_response(spec, answer)) == pytest.approx(ours), (
                qtype.name,
                answer,
            )


# --- the commands -------------------------------------------------------------------------


def test_import_command_writes_yaml_and_exits_by_what_it_lost(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "set.yaml"
    result = runner.invoke(args=["questions", "import", str(GIFT), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{GIFT}:{line_of(GIFT, '::essay::')}: warning: skipped: an essay" in result.output
    assert yaml.safe_load(out.read_text())["questions"][0]["id"] == "ceo"
    clean = tmp_path / "clean.txt"
    clean.write_text("::q1::Bitcoin uses proof of work. {TRUE####Since 2009.}\n")
    result = runner.invoke(args=["questions", "import", str(clean), "--language", "fr"])
    assert result.exit_code == 0, result.output
    assert "language: fr" in result.output and "id: q1" in result.output


def test_import_command_exits_2_and_writes_nothing_on_unreadable_input(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.gift"
    bad.write_text("::a:: fine {T}\n\n::b:: Which?\n{=a ~b\n")
    out = tmp_path / "out.yaml"
    result = runner.invoke(args=["questions", "import", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{bad}:4: error: a `{{` is never closed" in result.output
    assert not out.exists()
    hostile = tmp_path / "bomb.xml"
    hostile.write_bytes(BOMB)
    result = runner.invoke(args=["questions", "import", str(hostile), "-o", str(out)])
    assert result.exit_code == 2 and "entities" in result.output and not out.exists()
    missing = runner.invoke(args=["questions", "import", str(tmp_path / "none.gift")])
    assert missing.exit_code == 2


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "qti"])
def test_export_command_by_slug_or_path(app, tmp_path, fmt):
    import shutil

    runner = app.test_cli_runner()
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(
        args=["questions", "export", str(SHIPPED[0]), "--format", fmt, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
    folder = Path(app.config["QUESTIONS_DIR"])
    shutil.copy(SHIPPED[0], folder / SHIPPED[0].name)
    shutil.copytree(SHIPPED[0].parent / "sources", folder / "sources", dirs_exist_ok=True)
    set_id = read_file(SHIPPED[0]).model.id
    by_slug = tmp_path / "by-slug"
    result = runner.invoke(
        args=["questions", "export", set_id, "--format", fmt, "-o", str(by_slug)]
    )
    assert result.exit_code == 0, result.output
    if fmt == "qti":  # a zip stamps its entries with the time: compare what it holds
        import zipfile

        names = zipfile.ZipFile(by_slug).namelist()
        assert names == zipfile.ZipFile(out).namelist()
    else:
        assert by_slug.read_bytes() == out.read_bytes().replace(
            str(SHIPPED[0]).encode(), str(folder / SHIPPED[0].name).encode()
        )
    missing = runner.invoke(
        args=["questions", "export", "no-such-set", "--format", fmt, "-o", str(by_slug)]
    )
    assert missing.exit_code == 2


def test_export_command_refuses_a_set_with_errors(app, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: T\nlanguage: en\nquestions: []\n")
    out = tmp_path / "out.gift"
    result = app.test_cli_runner().invoke(
        args=["questions", "export", str(broken), "--format", "gift", "-o", str(out)]
    )
    assert result.exit_code == 2 and f"{broken}:4:12: error" in result.output
    assert not out.exists()


# --- every registered type converts itself --------------------------------------------------


@pytest.mark.parametrize("name", list(__import__("quizapp.qtypes").qtypes.REGISTRY))
def test_every_question_type_goes_to_moodle_and_back(name):
    """The contract of the interchange methods, for a type added later too: its sample goes to
    Moodle's model and comes back as the same keys (or says what it lost), and to QTI."""
    from quizapp import qtypes

    qtype = qtypes.get(name)
    spec = qtype.model.model_validate(qtype.sample.spec).model_dump(mode="json")
    exchanged, losses = qtype.to_exchange(spec)
    found = [
        (other.name, result)
        for other in qtypes.REGISTRY.values()
        if (result := other.from_exchange(exchanged)) is not None
    ]
    assert [n for n, _ in found] == [name]  # exactly one type takes it back
    keys, back_losses = found[0][1]
    back = qtype.model.model_validate({**qtype.sample.spec, **keys}).model_dump(mode="json")
    assert back == spec or losses
    assert back_losses == []
    item = qtype.to_qti(spec)
    assert item.correct and item.interaction in {"choice", "text", "order", "match"}


def test_an_export_file_says_what_it_could_not_express(tmp_path):
    path = SHIPPED[0]
    model = read_file(path).model
    lines = question_lines(path)
    gift = export_set(model, "gift", str(path), lines)
    header = gift.data.decode().split("$CATEGORY:")[0]
    assert all(f"// {note}" in header for note in gift.warnings) and gift.warnings
    xml = export_set(model, "moodle-xml", str(path), lines)
    text = xml.data.decode()
    assert all(f"<!-- {note} -->" in text for note in xml.warnings) and xml.warnings
    # Moodle's reader and ours skip the comments: the questions come back.
    assert convert(xml.data, "x.xml").skipped == 0


# --- whatever the bytes, a conversion or a located refusal, never a crash --------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

GIFT_PIECES = st.sampled_from(
    ["::", "{", "}", "=", "~", "#", "####", "%50%", "%-", "->", "\\", ":", "..", "T", "FALSE",
     "[html]", "<b>", "$CATEGORY: a/b", "\n", "\n\n", "// c\n", " ", "x", "2015", "é"]
)  # fmt: skip
XML_PIECES = st.sampled_from(
    ["<quiz>", "</quiz>", '<question type="multichoice">', '<question type="truefalse">',
     "</question>", "<answer fraction='100'>", "<answer fraction='x'>", "</answer>", "<text>",
     "</text>", "<single>false</single>", "<subquestion>", "</subquestion>", "&amp;", "&lt;",
     "<![CDATA[<p>a</p>]]>", "yes", "\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GIFT_PIECES, max_size=40).map("".join))
def test_any_gift_converts_or_is_refused_at_a_line(text):
    try:
        conversion = convert(text.encode(), "fuzz.gift", "gift")
    except ConversionError as refused:
        assert 1 <= refused.line <= text.count("\n") + 1
    else:
        yaml.safe_load(conversion.yaml_text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(XML_PIECES, max_size=40).map("".join))
def test_any_xml_converts_or_is_refused_at_a_line(text):
    try:
        conversion = convert(text.encode(), "fuzz.xml", "moodle-xml")
    except ConversionError as refused:
        assert refused.line >= 1
    else:
        yaml.safe_load(conversion.yaml_text)
