"""pydantic's validation errors, in a teacher's words, each with the path of its value."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from difflib import get_close_matches
from typing import Any

from pydantic import ValidationError

from .. import qtypes
from .messages import N_
from .schema import (
    QUESTION_TYPES,
    Choice,
    Problem,
    QuestionBase,
    QuestionSetFile,
    Settings,
    Source,
)

TYPE_MODELS: dict[str, type[QuestionBase]] = {
    name: qtype.model for name, qtype in qtypes.REGISTRY.items()
}

# Keys a teacher writing in French reaches for first.
FRENCH_KEYS = {
    "réponse": "answer",
    "reponse": "answer",
    "réponses": "answer",
    "choix": "choices",
    "explication": "explanation",
    "énoncé": "prompt",
    "enonce": "prompt",
    "question": "prompt",
    "titre": "title",
    "langue": "language",
    "citation": "quote",
    "paramètres": "settings",
    "réglages": "settings",
    "étiquettes": "tags",
    "mots-clés": "tags",
    "élements": "items",
    "éléments": "items",
    "paires": "pairs",
    "accepter": "accept",
    "unité": "unit",
    "tolérance": "tolerance",
    "fichier": "file",
    "auteur": "author",
    "éditeur": "publisher",
}
FRENCH_BOOLEANS = {"vrai", "faux", "oui", "non", "Vrai", "Faux", "Oui", "Non"}

MISSING_KEY = N_("missing required key `%(key)s`")
UNKNOWN_KEY = N_("unknown key `%(key)s`")
DID_YOU_MEAN = N_("did you mean `%(word)s`?")
COLON_HINT = N_('a `: ` in unquoted text makes a key: put the text in quotes: "%(text)s"')
ALLOWED = N_("allowed keys here: %(keys)s")
UNKNOWN_TYPE = N_("unknown question type %(type)s")
USE_ONE_OF = N_("use one of: %(options)s")
ONE_OF = N_("one of: %(options)s")
YAML12 = N_("only true and false are booleans: yes, no, on, off are text")
FRENCH_BOOLEAN = N_("write true or false, in English: vrai, faux, oui and non are text")
FOUND_MAPPING = N_("expected %(expected)s, found a mapping")
MAPPING_HINT = N_("this is a mapping of keys: check the indentation")
FOUND_LIST = N_("expected %(expected)s, found a list")
EMPTY = N_("%(label)s is empty")
GIVE = N_("give %(expected)s")
NOT_A_NUMBER = N_("expected a number, found %(value)s")
DOT_HINT = N_("write digits with a dot for decimals: 10.5")
SPACES_HINT = N_("no spaces inside numbers: %(number)s")
COMMA_HINT = N_("write the decimal comma as a dot: %(number)s")
NOT_WHOLE = N_("expected a whole number, found %(value)s")
NOT_ALLOWED = N_("%(value)s is not allowed here, expected %(expected_values)s")
NOT_A_TAG = N_("%(value)s is not a language tag")
TAG_HINT = N_("use a BCP 47 tag: fr, en")
NOT_AN_ID = N_("%(value)s is not a valid id")
IMAGE_NEEDS_ALT = N_("an image needs `alt:`, the words that say what it shows")
IMAGE_ALT_HINT = N_("or `decorative: true` for an image that adds nothing to the text")
NOT_AN_IMAGE_FILE = N_("%(value)s is not an image file name")
IMAGE_FILE_HINT = N_(
    "a .png, .jpg, .webp or .svg file next to the YAML file (or in a folder beside it), "
    "without `..`"
)
ID_HINT = N_("use lowercase letters, digits and hyphens, e.g. `founding-year`")
ACCENT_HINT = N_("use letters a-z without accents, digits and hyphens: `%(id)s`")
BOUND = N_("`%(label)s` must be %(bound)s %(limit)s, not %(value)s")
AT_LEAST = N_("at least")
AT_MOST = N_("at most")
MORE_THAN = N_("more than")
LESS_THAN = N_("less than")
NOT_FINITE = N_("expected a finite number, found %(value)s")
PAIR = N_("a pair has exactly two sides")
PAIR_HINT = N_("write it as [left, right]")
TOO_MANY_ITEMS = N_("`%(label)s` has more than %(count)s items")
NEEDS_ONE_QUESTION = N_("`%(key)s` needs at least %(count)s question")
NEEDS_QUESTIONS = N_("`%(key)s` needs at least %(count)s questions")
NEEDS_ONE_ITEM = N_("`%(key)s` needs at least %(count)s item")
NEEDS_ITEMS = N_("`%(key)s` needs at least %(count)s items")
NOT_A_LIST = N_("`%(key)s` must be a list")
LIST_HINT = N_("put each item on its own line: - ...")
EMPTY_TEXT_HINT = N_("write the text; quote it if it is yes, no, null or ~")
NOT_A_MAPPING = N_("`%(label)s` must be a mapping of keys and values")
ITEM_LABEL = N_("%(list)s item %(number)s")
THE_FILE = N_("the file")
EXPECTED = {
    "string_type": N_("text"),
    "float_type": N_("a number"),
    "int_type": N_("a whole number"),
    "bool_type": N_("true or false"),
}
A_VALUE = N_("a value")


def _fields(model: type[Any]) -> list[str]:
    return list(model.model_fields)


def _allowed_keys(path: tuple[Any, ...], data: Any) -> list[str]:
    if not path:
        return _fields(QuestionSetFile)
    head = path[0]
    if head == "source":
        return _fields(Source)
    if head == "settings":
        return _fields(Settings)
    if head == "questions" and len(path) == 2:
        question = follow(data, path)
        kind = question.get("type") if isinstance(question, dict) else None
        model = TYPE_MODELS.get(kind) if isinstance(kind, str) else None
        if model:
            return _fields(model)
        return sorted({name for m in TYPE_MODELS.values() for name in m.model_fields})
    if head == "questions" and len(path) == 4 and path[2] == "choices":
        return _fields(Choice)
    return []


def follow(data: Any, path: Iterable[Any]) -> Any:
    """The value at `path` in `data`, None if there is none."""
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Drop the union tag pydantic puts in `loc`: `('questions', 0, 'single', 'answer')`."""
    path: list[str | int] = []
    node = data
    for step in loc:
        if isinstance(node, dict):
            if step not in node and step == node.get("type") and step in TYPE_MODELS:
                continue  # the question type, as the discriminated union names its branch
            path.append(step)
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            path.append(step)
            node = node[step] if step < len(node) else None
        else:
            path.append(step)
            node = None
    return tuple(path)


def _close_key(word: str, options: list[str]) -> str | None:
    """The key meant by `word`: its English name if it is a French one, else the closest."""
    french = FRENCH_KEYS.get(word) or FRENCH_KEYS.get(word.lower())
    if french in options:
        return french
    close = get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def problems_from_pydantic(exc: ValidationError, data: Any) -> Iterator[Problem]:
    seen: set[tuple[Any, ...]] = set()
    errors = [(err, _data_path(tuple(err["loc"]), data)) for err in exc.errors(include_url=False)]
    # `choises:` makes both an unknown key and a missing `choices`: the first says it all.
    misspelt = {
        (path[:-1], close)
        for err, path in errors
        if err["type"] == "extra_forbidden"
        and (close := _close_key(str(path[-1]), _allowed_keys(path[:-1], data)))
    }
    for err, path in errors:
        if err["type"] == "missing" and (path[:-1], path[-1]) in misspelt:
            continue
        problem = _problem(err["type"], path, err.get("input"), err, data)
        if problem is None:
            continue
        marker = (problem.path, problem.message)
        if marker not in seen:
            seen.add(marker)
            yield problem


def _did_you_mean(word: str, options: Iterable[str]) -> str | None:
    close = _close_key(str(word), list(options))
    return DID_YOU_MEAN % {"word": close} if close else None


def _colon_hint(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        return COLON_HINT % {"text": getattr(value, "written", None) or f"{key}: {inner}"}
    return None


def _number_hint(value: Any) -> str:
    text = str(value)
    if re.fullmatch(r"[-+]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?", text):
        return SPACES_HINT % {"number": re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")}
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        return COMMA_HINT % {"number": text.replace(",", ".")}
    return DOT_HINT


def _id_hint(value: Any) -> str:
    text = str(value)
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    if plain != text:
        slug = "-".join(re.findall(r"[a-z0-9]+", plain.lower()))
        if slug:
            return ACCENT_HINT % {"id": slug}
    return ID_HINT


def _problem(kind: str, path: tuple[Any, ...], value: Any, err: Any, data: Any) -> Problem | None:
    name = path[-1] if path else ""
    message = str(err["msg"]).removeprefix("Value error, ")
    in_choices = len(path) >= 3 and path[-3] == "choices"
    if kind == "missing" and name == "text" and in_choices and _colon_hint(follow(data, path[:-1])):
        return None  # `- Microsoft: Bing`: the unknown-key error says it better
    if kind == "missing":
        return Problem(path[:-1], MISSING_KEY % {"key": name}, key=True)
    if kind == "extra_forbidden":
        parent = follow(data, path[:-1])
        hint = _did_you_mean(str(name), _allowed_keys(path[:-1], data))
        if hint is None and len(path) >= 3 and path[-3] == "choices":
            hint = _colon_hint(parent)
        if hint is None:
            allowed = ", ".join(f"`{k}`" for k in _allowed_keys(path[:-1], data))
            hint = ALLOWED % {"keys": allowed} if allowed else None
        return Problem(path, UNKNOWN_KEY % {"key": name}, hint, key=True)
    if kind == "union_tag_invalid":
        tag = err["ctx"]["tag"]
        return Problem(
            (*path, "type"),
            UNKNOWN_TYPE % {"type": repr(tag)},
            _did_you_mean(tag, QUESTION_TYPES)
            or USE_ONE_OF % {"options": ", ".join(QUESTION_TYPES)},
        )
    if kind == "union_tag_not_found":
        return Problem(
            path,
            MISSING_KEY % {"key": "type"},
            ONE_OF % {"options": ", ".join(QUESTION_TYPES)},
            key=True,
        )
    if kind == "value_error" and message.startswith("an image needs"):
        return Problem(path, IMAGE_NEEDS_ALT, IMAGE_ALT_HINT, key=True)
    if kind == "value_error" and message == "expected true or false":
        hint = FRENCH_BOOLEAN if value in FRENCH_BOOLEANS else YAML12
        return Problem(path, message, hint)
    if kind in {"string_type", "float_type", "int_type", "bool_type"} and isinstance(value, dict):
        hint = _colon_hint(value) or MAPPING_HINT
        return Problem(path, FOUND_MAPPING % {"expected": _expected(kind)}, hint)
    if kind in {"string_type", "float_type", "int_type"} and isinstance(value, list):
        return Problem(path, FOUND_LIST % {"expected": _expected(kind)})
    if kind in {"string_type", "float_type", "int_type", "bool_type"} and value is None:
        return Problem(path, EMPTY % {"label": _label(path)}, GIVE % {"expected": _expected(kind)})
    if kind in {"float_parsing", "float_type"}:
        return Problem(path, NOT_A_NUMBER % {"value": repr(value)}, _number_hint(value))
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        hint = _number_hint(value) if kind == "int_parsing" else None
        return Problem(path, NOT_WHOLE % {"value": repr(value)}, hint if hint != DOT_HINT else None)
    if kind == "literal_error":
        expected = err["ctx"]["expected"]
        options = re.findall(r"'([^']*)'", expected)
        return Problem(
            path,
            NOT_ALLOWED % {"value": repr(value), "expected_values": expected},
            _did_you_mean(str(value), options),
        )
    if kind == "string_pattern_mismatch":
        if name == "language":
            return Problem(path, NOT_A_TAG % {"value": repr(value)}, TAG_HINT)
        if name == "file":
            return Problem(path, NOT_AN_IMAGE_FILE % {"value": repr(value)}, IMAGE_FILE_HINT)
        return Problem(path, NOT_AN_ID % {"value": repr(value)}, _id_hint(value))
    if kind == "string_too_short":
        return Problem(path, EMPTY % {"label": _label(path)})
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        limit = f"{next(iter(err['ctx'].values())):g}"
        words = {
            "greater_than_equal": AT_LEAST,
            "less_than_equal": AT_MOST,
            "greater_than": MORE_THAN,
            "less_than": LESS_THAN,
        }[kind]
        return Problem(
            path, BOUND % {"label": _label(path), "bound": words, "limit": limit, "value": value}
        )
    if kind == "finite_number":
        return Problem(path, NOT_FINITE % {"value": repr(value)})
    if kind == "too_long":
        count = err["ctx"]["max_length"]
        if len(path) >= 2 and path[-2] == "pairs":
            return Problem(path, PAIR, PAIR_HINT)
        return Problem(path, TOO_MANY_ITEMS % {"label": _label(path), "count": count})
    if kind == "too_short" and len(path) >= 2 and path[-2] == "pairs":
        return Problem(path, PAIR, PAIR_HINT)
    if kind == "too_short":
        count = err["ctx"]["min_length"]
        if name == "questions":
            template = NEEDS_ONE_QUESTION if count == 1 else NEEDS_QUESTIONS
        else:
            template = NEEDS_ONE_ITEM if count == 1 else NEEDS_ITEMS
        return Problem(path, template % {"key": name, "count": count})
    if kind == "list_type":
        return Problem(path, NOT_A_LIST % {"key": name}, LIST_HINT)
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        if value is None:
            return Problem(path, EMPTY % {"label": _label(path)}, EMPTY_TEXT_HINT)
        return Problem(path, NOT_A_MAPPING % {"label": _label(path)})
    return Problem(path, message)


def _label(path: tuple[Any, ...]) -> str:
    """`max_attempts`, or `choices` item 2, for messages about the value at `path`."""
    if len(path) >= 3 and path[-1] == "text" and path[-3] == "choices":
        path = path[:-1]  # a choice's text is, to a teacher, the choice
    if path and isinstance(path[-1], int):
        parent = path[-2] if len(path) > 1 else "list"
        return ITEM_LABEL % {"list": parent, "number": path[-1] + 1}
    return str(path[-1]) if path else THE_FILE


def _expected(kind: str) -> str:
    return EXPECTED.get(kind, A_VALUE)
