"""Safety detector fixtures: the default policy and a shorthand for the categories found."""
import pytest

from gharbazaar.chat.safety import inspect, make_policy


@pytest.fixture(scope="session")
def policy():
    return make_policy()


@pytest.fixture(scope="session")
def found(policy):
    """Return the categories the default policy finds in a text, as a set."""
    def categories(text):
        return set(inspect(text, policy).categories)
    return categories
