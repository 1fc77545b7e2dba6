"""What the accounting admin classes share."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)
