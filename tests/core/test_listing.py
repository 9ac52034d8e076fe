from __future__ import annotations

import pytest

from govcloud.core.errors import UsageError
from govcloud.core.listing import VmFilter, parse_sort


def test_default_sort() -> None:
    assert parse_sort(None) == (VmFilter.sort, False)


def test_descending_and_several_keys() -> None:
    assert parse_sort("-vcpus,name") == (("vcpus", "name"), True)


@pytest.mark.parametrize("spec", ["password", "name;drop", ",", "-"])
def test_only_allow_listed_keys(spec: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_sort(spec)
    assert "vcpus" in (err.value.hint or "")
