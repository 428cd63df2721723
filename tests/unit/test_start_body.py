"""The start body's plain-Python validator (schemas/start_body.py) and the pydantic models it
mirrors (schemas/start.py, the contract) agree on every body: the same values or the same message."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationFailed
from chalicelib.schemas.base import parse
from chalicelib.schemas.start import StartVerificationRequest
from chalicelib.schemas.start_body import parse_start_body


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
    st.integers(min_value=-10**400, max_value=10**400), st.sampled_from([10**30, -10**309, 10**400, float("inf")]),
    # Where Python's str.strip() and pydantic-core's (Rust's) differ, and where they agree.
    st.text(alphabet=st.sampled_from(" x\t\x1c\x1d\x1f\x85\xa0\u180e\u200b\u2028\u3000\ufeff"), max_size=6),
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
    {"location": {"lat": "x"}}, {"location": {"lon": "x"}}, {"location": {"lat": 1, "lon": 2, "x": 1}, "y": 2},
    {"location": {"lat": 10**400, "lon": 0}}, {"location": {"lat": float("inf"), "lon": 0}}, {"area": "\x1cHigh St"},
    {"area": "\u3000High St\x85"}, {"area": "\ufeffHigh St"}, {"area": "x" * 81 + "\x00"}, {"": 1, "area": "x"},
])
def test_the_edges_get_the_same_answer_from_both(body: dict[str, Any]) -> None:
    _both(body)


@pytest.mark.parametrize("body", [[], "x", None, 5])
def test_a_body_that_is_not_an_object_gets_the_same_answer_from_both(body: Any) -> None:
    _both(body)
