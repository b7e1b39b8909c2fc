"""The quiz as a form: one field per question, answers offered by id and never their
correctness. It only parses; partners.academy.quizzes checks and scores again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question, QuestionKind

ERRORS = {
    "required": _("Answer this question."),
    "invalid_choice": _("Choose among the answers offered."),
}


class QuizForm(forms.Form):
    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            choices = [(c.pk, c.display_text) for c in question.choices.all()]
            field: forms.Field
            if question.kind == QuestionKind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    coerce=int,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages=ERRORS,
                )
            else:
                field = forms.TypedChoiceField(
                    coerce=int, choices=choices, widget=forms.RadioSelect, error_messages=ERRORS
                )
            field.label = question.display_text
            self.fields[f"q-{question.pk}"] = field

    def items(self) -> list[tuple[Question, forms.BoundField]]:
        """Each question with its bound field, in order, for the template."""
        return [(q, self[f"q-{q.pk}"]) for q in self.questions]

    def answers(self) -> dict[int, list[int]]:
        answers: dict[int, list[int]] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q-{question.pk}")
            if isinstance(value, list):
                answers[question.pk] = [int(v) for v in value]
            elif value is not None:
                answers[question.pk] = [int(value)]
        return answers
