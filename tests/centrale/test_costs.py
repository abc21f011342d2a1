"""ISEE cost sharing: the municipal home-care table of DOMAIN.md, and shares that always add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centrale.plans.costs import HOME_CARE_RULE, CostShareRule, shares, user_hourly

D = Decimal


@pytest.mark.parametrize(
    ("isee", "per_hour"),
    [
        (D("5000"), D("0.00")),
        (D("7500"), D("0.00")),
        (D("18750"), D("4.00")),
        (D("30000"), D("8.00")),
        (D("40000"), D("13.80")),
        (D("7501"), D("0.00")),
        (D("10000"), D("0.89")),
    ],
)
def test_home_care_table(isee: Decimal, per_hour: Decimal) -> None:
    rule = CostShareRule(isee_min=D("7500"), isee_max=D("30000"), subsidised_max=D("8.00"), full_tariff=D("13.80"))
    assert user_hourly(isee, rule) == per_hour


def test_twenty_hours_at_18750_split_between_ente_and_utente() -> None:
    split = shares(hours=D("20"), tariff=D("13.80"), isee=D("18750"), rule=HOME_CARE_RULE)
    assert (split.cost, split.utente, split.ente, split.ssn) == (
        D("276.00"),
        D("80.00"),
        D("196.00"),
        D("0.00"),
    )


def test_ssn_share_comes_before_the_person_pays() -> None:
    split = shares(hours=D("10"), tariff=D("13.80"), isee=D("40000"), rule=HOME_CARE_RULE, ssn_hourly=D("5.00"))
    assert (split.cost, split.ssn, split.utente, split.ente) == (
        D("138.00"),
        D("50.00"),
        D("88.00"),
        D("0.00"),
    )


def test_no_rule_means_free_to_the_person_and_no_isee_means_full_tariff() -> None:
    assert user_hourly(D("50000"), None) == D("0.00")
    assert user_hourly(None, HOME_CARE_RULE) == D("13.80")


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="isee_max"):
        CostShareRule(isee_min=D("30000"), isee_max=D("7500"), subsidised_max=D("8"), full_tariff=D("13.8"))


money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@given(
    isee=money,
    hours=st.decimals(min_value=0, max_value=744, places=2),
    tariff=st.decimals(min_value=0, max_value=200, places=2),
    ssn=st.decimals(min_value=0, max_value=200, places=2),
)
def test_shares_always_equal_the_cost(isee: Decimal, hours: Decimal, tariff: Decimal, ssn: Decimal) -> None:
    split = shares(hours=hours, tariff=tariff, isee=isee, rule=HOME_CARE_RULE, ssn_hourly=ssn)
    assert split.ente + split.utente + split.ssn == split.cost
    assert min(split.ente, split.utente, split.ssn) >= 0
