import pytest

from accounts.validators import credit_code_check_char, credit_code_error

VALID = [
    "12330000470003281H",
    "12330000470008016J",
    "91330106MA2AXK3P1Y",
    "91330212MA2CL8QY4H",
    "91330100MA27W5D631",
    "12100000400000624D",
    "91350100M000100Y43",  # a published sample code (check character 3)
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass(code):
    assert credit_code_error(code) is None


@pytest.mark.parametrize(
    "code, message",
    [
        ("12330000470003281G", "校验位"),  # wrong check character
        ("91330106MA2AXK3P1X", "校验位"),
        ("91330106ma2axk3p1y", "大写"),  # lower case
        ("12330000470003281", "18位"),  # too short
        ("12330000470003281HH", "18位"),  # too long
        ("91330106MA2AXK3P1I", "不允许"),  # I is not in the charset
        ("9133010 MA2AXK3P1Y", "不允许"),
    ],
)
def test_invalid_codes_say_why(code, message):
    assert message in credit_code_error(code)


def test_check_char_maps_31_to_zero():
    # Brute force: every result is in the charset, and the computation is total.
    for n in range(200):
        first17 = f"9133010{n:010d}"
        assert credit_code_check_char(first17) in "0123456789ABCDEFGHJKLMNPQRTUWXY"
