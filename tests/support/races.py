"""Races made to happen at their worst moment, in-process: another user's action lands first."""


def before_next_call(monkeypatch, owner, name, action):
    """Run `action()` once, just before the next call of `owner.name` goes through."""
    real = getattr(owner, name)

    def first(*args, **kwargs):
        monkeypatch.setattr(owner, name, real)
        action()
        return real(*args, **kwargs)
    monkeypatch.setattr(owner, name, first)
