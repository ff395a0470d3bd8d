"""IMS QTI 2.1 content packages: `imsmanifest.xml` and one assessmentItem per question, each
with its response declaration (correct response, mapping) and response processing, so that a
QTI player grades it as quizapp does (or the export says where it cannot)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from markdown_it import MarkdownIt

from .. import qtypes
from ..bank.schema import QuestionSetFile
from ..qtypes.exchange import QtiItem
from .notes import Note
from .text import general_feedback

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
MAP_RESPONSE = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "xhtmlOut": True})


def _q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag), attrs)
    if text is not None:
        element.text = text
    return element


def _html(parent: ET.Element, markdown: str) -> None:
    """Markdown as XHTML blocks in the QTI namespace (plain paragraphs if it will not parse)."""
    html = _MARKDOWN.render(markdown)
    try:
        wrapper = ET.fromstring(f'<div xmlns="{QTI}">{html}</div>')
    except ET.ParseError:
        _sub(parent, "p", markdown)
        return
    parent.extend(list(wrapper))
    if wrapper.text and wrapper.text.strip():
        _sub(parent, "p", wrapper.text.strip())


def _value(value: float) -> str:
    return f"{value:g}"


def item_xml(identifier: str, title: str, prompt: str, feedback: str | None,
             points: float, item: QtiItem) -> bytes:  # fmt: skip
    ET.register_namespace("", QTI)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        _q("assessmentItem"),
        {
            "identifier": identifier,
            "title": title,
            "adaptive": "false",
            "timeDependent": "false",
            f"{{{XSI}}}schemaLocation": f"{QTI} {QTI_XSD}",
        },
    )
    response = _sub(
        root,
        "responseDeclaration",
        identifier="RESPONSE",
        cardinality=item.cardinality,
        baseType=item.base_type,
    )
    correct = _sub(response, "correctResponse")
    for value in item.correct:
        _sub(correct, "value", value)
    if item.mapping is not None:
        mapping = _sub(
            response,
            "mapping",
            defaultValue=_value(item.default_value * points),
            lowerBound=_value((item.lower_bound or 0) * points),
            upperBound=_value((item.upper_bound or 1) * points),
        )
        for key, worth in item.mapping.items():
            attrs = {"mapKey": key, "mappedValue": _value(worth * points)}
            if item.base_type == "string":
                attrs["caseSensitive"] = "true" if item.case_sensitive else "false"
            _sub(mapping, "mapEntry", **attrs)
    outcome = _sub(
        root,
        "outcomeDeclaration",
        identifier="SCORE",
        cardinality="single",
        baseType="float",
        normalMaximum=_value(points),
    )
    default = _sub(outcome, "defaultValue")
    _sub(default, "value", "0")
    if feedback:
        _sub(root, "outcomeDeclaration", identifier="FEEDBACK", cardinality="single",
             baseType="identifier")  # fmt: skip
    body = _sub(root, "itemBody")
    _html(body, prompt)
    shuffle = "true" if item.shuffle else "false"
    if item.interaction == "choice":
        interaction = _sub(body, "choiceInteraction", responseIdentifier="RESPONSE",
                           shuffle=shuffle, maxChoices=str(item.max_choices))  # fmt: skip
        for ident, text in item.choices:
            _sub(interaction, "simpleChoice", text, identifier=ident)
    elif item.interaction == "order":
        interaction = _sub(body, "orderInteraction", responseIdentifier="RESPONSE",
                           shuffle="true")  # fmt: skip
        for ident, text in item.choices:
            _sub(interaction, "simpleChoice", text, identifier=ident)
    elif item.interaction == "match":
        interaction = _sub(body, "matchInteraction", responseIdentifier="RESPONSE",
                           shuffle="true", maxAssociations=str(item.max_choices))  # fmt: skip
        for group in (item.choices, item.targets):
            match_set = _sub(interaction, "simpleMatchSet")
            for ident, text in group:
                _sub(match_set, "simpleAssociableChoice", text, identifier=ident,
                     matchMax="1")  # fmt: skip
    else:
        block = _sub(body, "p")
        _sub(block, "textEntryInteraction", responseIdentifier="RESPONSE", expectedLength="20")
    if item.numeric_range is not None:
        low, high = item.numeric_range
        processing = _sub(root, "responseProcessing")
        condition = _sub(processing, "responseCondition")
        branch = _sub(condition, "responseIf")
        both = _sub(branch, "and")
        for operator, bound in (("gte", low), ("lte", high)):
            test = _sub(both, operator)
            _sub(test, "variable", identifier="RESPONSE")
            _sub(test, "baseValue", _value(bound), baseType="float")
        assign = _sub(branch, "setOutcomeValue", identifier="SCORE")
        _sub(assign, "baseValue", _value(points), baseType="float")
        otherwise = _sub(condition, "responseElse")
        assign = _sub(otherwise, "setOutcomeValue", identifier="SCORE")
        _sub(assign, "baseValue", "0", baseType="float")
    elif item.mapping is not None:
        _sub(root, "responseProcessing", template=MAP_RESPONSE)
    else:
        processing = _sub(root, "responseProcessing")
        condition = _sub(processing, "responseCondition")
        branch = _sub(condition, "responseIf")
        match = _sub(branch, "match")
        _sub(match, "variable", identifier="RESPONSE")
        _sub(match, "correct", identifier="RESPONSE")
        assign = _sub(branch, "setOutcomeValue", identifier="SCORE")
        _sub(assign, "baseValue", _value(points), baseType="float")
        otherwise = _sub(condition, "responseElse")
        assign = _sub(otherwise, "setOutcomeValue", identifier="SCORE")
        _sub(assign, "baseValue", "0", baseType="float")
    if feedback:
        # Shown unless FEEDBACK is GENERAL, which nothing sets: always shown once answered.
        block = _sub(root, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier="GENERAL",
                     showHide="hide")  # fmt: skip
        _html(block, feedback)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def manifest(identifier: str, title: str, items: list[tuple[str, str]]) -> bytes:
    """imsmanifest.xml: one resource of type imsqti_item_xmlv2p1 per item file."""
    ET.register_namespace("", CP)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(
        f"{{{CP}}}manifest",
        {"identifier": f"MANIFEST-{identifier}", f"{{{XSI}}}schemaLocation": f"{CP} {CP_XSD}"},
    )
    metadata = ET.SubElement(root, f"{{{CP}}}metadata")
    ET.SubElement(metadata, f"{{{CP}}}schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.0.0"
    ET.SubElement(root, f"{{{CP}}}organizations")
    resources = ET.SubElement(root, f"{{{CP}}}resources")
    for ident, href in items:
        resource = ET.SubElement(
            resources,
            f"{{{CP}}}resource",
            {"identifier": ident, "type": "imsqti_item_xmlv2p1", "href": href},
        )
        ET.SubElement(resource, f"{{{CP}}}file", {"href": href})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def package(model: QuestionSetFile, path: str, lines: dict[str, int]) -> tuple[bytes, list[Note]]:
    buffer = io.BytesIO()
    notes: list[Note] = []
    items: list[tuple[str, str]] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for question in model.questions:
            spec = question.model_dump(mode="json")
            item = qtypes.get(question.type).to_qti(spec)
            item.shuffle = item.shuffle and model.settings.shuffle_choices
            identifier = f"item-{question.id}"
            href = f"items/{question.id}.xml"
            archive.writestr(
                href,
                item_xml(
                    identifier,
                    question.id,
                    question.prompt,
                    general_feedback(question),
                    question.points,
                    item,
                ),
            )
            items.append((identifier, href))
            line = lines.get(question.id, 1)
            notes.extend(Note(path, line, loss) for loss in item.losses)
        archive.writestr("imsmanifest.xml", manifest(model.id, model.title, items))
    return buffer.getvalue(), notes
