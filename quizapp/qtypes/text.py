"""A short text, compared after normalisation. Answer: what the student typed (str)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from .. import safe_regex
from .base import Grade, InvalidAnswer, Layout, QuestionType, Sample, Spec, normalize_text
from .model import Path, Problem, QuestionBase, ShortText

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

MAX_TEXT = 500


class TextQuestion(QuestionBase):
    type: Literal["text"]
    accept: Annotated[list[ShortText], Field(min_length=1)] = Field(
        description="accepted answers, compared after normalisation"
    )
    accept_regex: ShortText | None = Field(
        default=None,
        description="a regular expression (RE2 syntax) matched against the whole answer",
    )

    def check(self, path: Path) -> Iterator[Problem]:
        if self.accept_regex is not None:
            refused = safe_regex.problem(self.accept_regex)
            if refused is not None:
                yield Problem((*path, "accept_regex"), str(refused), refused.hint)


class Text(QuestionType):
    model = TextQuestion
    sample = Sample(
        spec={
            "id": "ceo-name",
            "type": "text",
            "prompt": "Who is OpenAI's CEO?",
            "accept": ["Sam Altman", "Altman"],
        },
        invalid=[({"accept": []}, "accept"), ({"accept_regex": "(Sam"}, "regular expression")],
        right="  sam ALTMAN ",
        wrong="Elon Musk",
        rekey={"accept": ["Elon Musk"]},
        edit={"accept": ["Sam Altman", "S. Altman"]},
        carried="  sam ALTMAN ",
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
        if not isinstance(answer, str):
            raise InvalidAnswer("expected text")
        given = normalize_text(answer)
        if not given:
            return Grade(0.0)
        if any(given == normalize_text(a) for a in spec["accept"]):
            return Grade(1.0)
        pattern = spec.get("accept_regex")
        # RE2, not `re`: a teacher's pattern cannot backtrack for minutes on a student's answer.
        if pattern and any(
            safe_regex.fullmatch(pattern, candidate) for candidate in (answer.strip(), given)
        ):
            return Grade(1.0)
        return Grade(0.0)

    def key_texts(self, question: Any) -> list[str]:
        return list(question.accept)

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import Length, Optional, StringField

        return StringField(
            label,
            validators=[Optional(), Length(max=MAX_TEXT)],
            render_kw={"autocomplete": "off", "maxlength": MAX_TEXT},
        )

    def correct_answer(self, spec: Spec) -> Any:
        return spec["accept"][0]
