"""The pure rules: ID numbers, money, masking and working days."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from portal import workdays
from portal.aid import idnumber, money
from tests.aid.conftest import VALID_ID


@pytest.mark.parametrize("typed", [VALID_ID, "11010519491231002x", "110105 19491231 002x",
                                   "110105-19491231-002X", "１１０１０５１９４９１２３１００２Ｘ"])
def test_valid_id_numbers_are_cleaned(ctx, typed):
    assert idnumber.validate(typed) == VALID_ID


def test_check_digit_computation():
    assert idnumber.check_digit("11010519491231002") == "X"
    assert idnumber.check_digit("44052418800101001") == "4"


@pytest.mark.parametrize("typed, says", [
    ("1101051949123100", "18 characters"),
    ("11010519491231002A", "digits"),
    ("110105194913310024", "date of birth"),
    ("110105299901010024", "date of birth"),
    ("110105194912310021", "does not add up"),
])
def test_invalid_id_numbers_say_what_is_wrong(ctx, typed, says):
    with pytest.raises(idnumber.InvalidIdNumber) as caught:
        idnumber.validate(typed, today=date(2026, 11, 29))
    with force_locale("en"):
        assert says in str(caught.value.message)


def test_masking():
    assert idnumber.mask("110105194912310021") == "110105********0021"
    assert idnumber.mask_name("张三") == "张*"
    assert idnumber.mask_name("欧阳娜娜") == "欧***"
    assert idnumber.mask_name("李") == "李*"


@pytest.mark.parametrize("typed, fen", [("1,234.5", 123450), ("１２３", 12300), ("0", 0),
                                        ("¥ 80 元", 8000), ("850.05", 85005)])
def test_yuan_to_fen(ctx, typed, fen):
    assert money.parse_yuan(typed) == fen


@pytest.mark.parametrize("typed", ["", "abc", "-5", "1.234", "12元3"])
def test_bad_amounts(ctx, typed):
    with pytest.raises(money.InvalidAmount):
        money.parse_yuan(typed)


def test_format_yuan():
    assert money.format_yuan(123450) == "1,234.50"
    assert money.format_yuan(90000) == "900"


def test_national_day_and_make_up_days():
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days.
    assert workdays.is_workday(date(2025, 9, 28))
    assert not workdays.is_workday(date(2025, 10, 1))
    assert not workdays.is_workday(date(2025, 10, 8))
    assert workdays.is_workday(date(2025, 10, 11))
    # Friday 26 Sept + 1 -> Sunday 28 Sept (make-up); + 2 -> Monday 29; + 3 -> Tuesday 30
    assert workdays.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)
    # Tuesday 30 September + 1 working day skips the whole holiday to Thursday 9 October
    assert workdays.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    # ... + 3 lands on the make-up Saturday 11 October
    assert workdays.add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)
    assert workdays.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3


def test_years_the_package_does_not_know_fall_back_without_crashing():
    day = date(2031, 1, 1)  # a Wednesday, beyond the package's data
    assert workdays.is_workday(day)
    assert not workdays.is_workday(day, {day: False})  # the staff table says holiday
    assert workdays.is_workday(date(2031, 1, 4), {date(2031, 1, 4): True})  # make-up Saturday
    assert workdays.add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)
    assert workdays.add_working_days(date(2030, 12, 31), 1, {day: False}) == date(2031, 1, 2)
