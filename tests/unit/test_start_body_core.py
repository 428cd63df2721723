"""The start body's pydantic-core validator (schemas/start_core.py) and the pydantic models it
mirrors (schemas/start.py, the contract) agree on every body: the same values or the same message."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationFailed
from chalicelib.schemas.base import parse
from chalicelib.schemas.start import StartVerificationRequest
from chalicelib.schemas.start_core import parse_start_body


def _outcome(validate: Any, body: Any) -> tuple[str, Any]:
    try:
        return "valid", validate(body).model_dump(mode="json")
    except ValidationFailed as error:
        return "refused", error.message


def _both(body: Any) -> None:
    assert _outcome(parse_start_body, body) == _outcome(lambda b: parse(StartVerificationRequest, b), body)


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([90, 90.0000001, -180, 1e-191, -0.0, 100_000]),
    st.text(max_size=90), st.sampled_from(["", "  ", "Camden High St", "x" * 80, " " + "x" * 80 + " ", "x" * 81,
                                           "www.ev.il", "07700 900123", "St. Pancras", "a\x00b", "\udafc", "\u202e"]),
)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
coordinates = st.one_of(st.floats(min_value=-200, max_value=200, allow_nan=False), st.integers(-200, 200), json_values)
locations = st.one_of(json_values, st.fixed_dictionaries(
    {"lat": coordinates, "lon": coordinates},
    optional={"accuracy_m": st.one_of(st.none(), coordinates), "extra": json_values}))
bodies = st.fixed_dictionaries({}, optional={"location": locations, "area": json_values, "other": json_values})


@settings(max_examples=400, deadline=None)
@given(bodies)
def test_every_generated_body_gets_the_same_answer_from_both(body: dict[str, Any]) -> None:
    _both(body)


@pytest.mark.parametrize("body", [
    {}, {"location": None, "area": None}, {"area": "x" * 81}, {"area": " " * 90}, {"area": "\x01"},
    {"location": {"lat": 91, "lon": 0}}, {"location": {"lat": True, "lon": 0}}, {"location": []},
    {"location": {"lat": 1, "lon": 2, "accuracy_m": 1e6}}, {"location": {"lat": 1}}, {"area": 5},
    {"location": {"lat": 51.5390004, "lon": -0.14260049, "accuracy_m": 12}, "area": " Camden "},
])
def test_the_edges_get_the_same_answer_from_both(body: dict[str, Any]) -> None:
    _both(body)
