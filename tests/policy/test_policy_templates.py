"""Loading the template set: the shipped files, an operator's overrides, and what is refused."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from policy_factories import (
    NO_CHANGE,
    build_instruction,
    make_call,
    make_checks,
    make_estimate,
    new_destination,
)

from fare_service.errors import TemplateError
from fare_service.policy import TemplateSet, decide
from fare_service.policy.instruction import template_context
from fare_service.policy.templates import ALLOWED, SHIPPED_DIR


def test_the_shipped_set_has_one_file_per_text() -> None:
    loaded = TemplateSet.load(None)
    assert set(loaded.sources) == set(loaded.texts) == set(ALLOWED)
    assert all(path.parent == SHIPPED_DIR for path in loaded.sources.values())
    assert {path.stem for path in SHIPPED_DIR.glob("*.j2")} == set(ALLOWED)


def test_every_allowed_variable_is_given_to_the_templates() -> None:
    context = template_context(decide(make_call(), NO_CHANGE, make_checks(), None))
    assert set().union(*ALLOWED.values()) <= set(context)


def test_an_operator_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "sms_driver_delay.j2").write_text(
        "[운영사 공식 문구] {{ date }} {{ origin }} 출발 건 처리가 늦어지고 있습니다.", "utf-8"
    )
    loaded = TemplateSet.load(tmp_path)
    assert loaded.sources["sms_driver_delay"] == tmp_path / "sms_driver_delay.j2"
    assert loaded.sources["sms_fare_adjusted"].parent == SHIPPED_DIR
    result = build_instruction(make_call(), NO_CHANGE, make_checks(), None, loaded)
    assert (
        result.sms.driver_delay
        == "[운영사 공식 문구] 11월 18일 강남구 역삼동 출발 건 처리가 늦어지고 있습니다."
    )


@pytest.mark.parametrize(
    ("name", "text", "named"),
    [
        ("sms_driver_delay", "{{ date }} {{ driver_phone }}", "driver_phone"),
        # allowed in the scripts, but an SMS does not get the payment amount
        ("sms_customer_unreachable", "{{ origin }} {{ amount }}", "amount"),
        ("headline", "{% if vip %}VIP{% endif %}", "vip"),
        # the agent's note goes to the memo and the admin step, never aloud
        ("customer_script", "{{ reason }}", "reason"),
        ("sms_fare_adjusted", "{{ support_phone }}", "support_phone"),
    ],
)
def test_an_unknown_variable_is_refused_at_load(
    tmp_path: Path, name: str, text: str, named: str
) -> None:
    (tmp_path / f"{name}.j2").write_text(text, "utf-8")
    with pytest.raises(TemplateError) as caught:
        TemplateSet.load(tmp_path)
    assert f"{name}.j2" in str(caught.value) and named in str(caught.value)
    assert caught.value.field == name


@pytest.mark.parametrize(
    ("file", "text", "says"),
    [
        ("headline.j2", "{% if outcome %}unclosed", "line 1"),
        ("headline.j2", "{{ outcome | no_such_filter }}", "no_such_filter"),
        ("headline.j2", "{% include 'admin_steps.j2' %}", "include"),
        ("sms_fare_ajusted.j2", "{{ date }}", "sms_fare_ajusted"),
    ],
)
def test_a_broken_or_misnamed_file_is_refused_at_load(
    tmp_path: Path, file: str, text: str, says: str
) -> None:
    (tmp_path / file).write_text(text, "utf-8")
    with pytest.raises(TemplateError, match=says):
        TemplateSet.load(tmp_path)


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        TemplateSet.load(tmp_path / "nowhere")


def test_files_that_are_not_templates_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("운영 문구 폴더", "utf-8")
    assert TemplateSet.load(tmp_path).sources == TemplateSet.load(None).sources


def test_a_variable_set_in_one_file_stays_in_that_file(tmp_path: Path) -> None:
    """The nine renders share one merged context: a file's ``{% set %}`` must not leak
    into the next file, and Jinja's globals (``range``) stay available."""
    (tmp_path / "headline.j2").write_text(
        '{% set origin = "덮어쓴 출발지" %}{% for i in range(2) %}{{ origin }}{% endfor %}', "utf-8"
    )
    (tmp_path / "sms_driver_delay.j2").write_text("{{ origin }}", "utf-8")
    result = build_instruction(
        make_call(), NO_CHANGE, make_checks(), None, TemplateSet.load(tmp_path)
    )
    assert result.headline == "덮어쓴 출발지덮어쓴 출발지"
    assert result.sms.driver_delay == make_call().origin_name


def test_an_error_while_rendering_names_the_file_and_its_line(tmp_path: Path) -> None:
    """Loading cannot foresee a filter given the wrong type in an operator's file: the
    error names the file and the text, and its traceback points at the template's line."""
    path = tmp_path / "customer_script.j2"
    path.write_text("첫 줄\n{{ original_fare | round }}\n", "utf-8")  # a str, not a number
    with pytest.raises(TemplateError) as caught:
        build_instruction(make_call(), NO_CHANGE, make_checks(), None, TemplateSet.load(tmp_path))
    assert str(path) in str(caught.value) and caught.value.field == "customer_script"
    frames = traceback.extract_tb(caught.value.__cause__.__traceback__)
    assert (str(path), 2) in [(frame.filename, frame.lineno) for frame in frames]


def test_a_text_that_fails_fails_only_the_instructions_that_use_it(tmp_path: Path) -> None:
    """All texts are rendered in one pass; one that fails there must not take down an
    instruction that does not send it (the "fare adjusted" SMS of a call whose fare stays),
    and one that does send it gets the error naming that file."""
    path = tmp_path / "sms_fare_adjusted.j2"
    path.write_text("{{ original_fare | round }}", "utf-8")  # a str, not a number
    loaded = TemplateSet.load(tmp_path)
    same = build_instruction(make_call(), NO_CHANGE, make_checks(), None, loaded)
    shipped = build_instruction(make_call(), NO_CHANGE, make_checks(), None, TemplateSet.load())
    assert same == shipped and same.sms.fare_adjusted is None
    with pytest.raises(TemplateError) as caught:
        changed = new_destination(agreed_fare=30_000)
        build_instruction(make_call(), changed, make_checks(), make_estimate(), loaded)
    assert str(path) in str(caught.value) and caught.value.field == "sms_fare_adjusted"


def test_an_operator_script_is_read_line_by_line(tmp_path: Path) -> None:
    """A script's lines are its rendered lines, blank ones and surrounding spaces dropped."""
    (tmp_path / "opening_script.j2").write_text(
        "[공식 첫인사] 고객님, 많이 놀라셨죠.\n\n"
        "   {{ date }} {{ origin }} 출발 건 맞으신가요?  \n",
        "utf-8",
    )
    result = build_instruction(
        make_call(), NO_CHANGE, make_checks(), None, TemplateSet.load(tmp_path)
    )
    assert result.scripts.opening == (
        "[공식 첫인사] 고객님, 많이 놀라셨죠.",
        "11월 18일 강남구 역삼동 출발 건 맞으신가요?",
    )
    assert (
        result.scripts.customer
        == build_instruction(
            make_call(), NO_CHANGE, make_checks(), None, TemplateSet.load(None)
        ).scripts.customer
    )
