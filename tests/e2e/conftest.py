"""End-to-end fixtures: people with ids no other test uses."""
from types import SimpleNamespace

import pytest

from tests.support import unique


@pytest.fixture
def people():
    """Ids no other test uses; emp1 sorts before emp2 (the tie rule is checked against id order)."""
    return SimpleNamespace(customer=unique("cust"), other=unique("outsider"), emp1=unique("a-emp"),
                           emp2=unique("b-emp"), admin=unique("admin"))
