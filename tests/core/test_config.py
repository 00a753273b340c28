"""Configuration: environments, fallbacks and production refusals."""
import re

import pytest

from gharbazaar import config, create_app
from gharbazaar.config import ConfigError

GOOD_SECRET = "x" * 40


def production(**env):
    base = {"APP_ENV": "production", "JWT_SECRET": GOOD_SECRET, "MONGODB_URI": "mongodb://db:27017/gb"}
    base.update(env)
    return {k: v for k, v in base.items() if v is not None}


def test_defaults_are_for_local_development():
    settings = config.from_env({})
    assert settings["APP_ENV"] == "development"
    assert settings["PORT"] == 5000
    assert settings["FRONTEND_URL"] == ["http://localhost:3000"]
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["JWT_REQUIRE_EXP"] is True


def test_node_env_is_read_when_app_env_is_unset():
    assert config.from_env({"NODE_ENV": "production"})["APP_ENV"] == "production"
    assert config.from_env({"NODE_ENV": "production", "APP_ENV": "test"})["APP_ENV"] == "test"


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="APP_ENV"):
        config.from_env({"APP_ENV": "staging"})


def test_frontend_url_is_a_comma_list_without_trailing_slashes():
    settings = config.from_env({"FRONTEND_URL": "https://a.example/, https://b.example"})
    assert settings["FRONTEND_URL"] == ["https://a.example", "https://b.example"]


def test_redis_url_also_becomes_the_rate_limit_storage():
    settings = config.from_env({"REDIS_URL": "redis://localhost:6379/0"})
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://localhost:6379/0"


def test_database_name_comes_from_the_uri_path():
    assert config.from_env({"MONGODB_URI": "mongodb://h:1/shop?x=1"})["MONGODB_DB"] == "shop"
    assert config.from_env({"MONGODB_URI": "mongodb://h:1/"})["MONGODB_DB"] == "gharbazaar"


def test_valid_production_settings_pass():
    config.check(config.from_env(production()))


@pytest.mark.parametrize("secret, reason", [
    (None, "not set"),
    ("short-secret", "shorter than 32 bytes"),
    ("change-me-to-a-random-string-of-at-least-32-bytes", "example value"),
    ("your_secret_key_here", "example value"),
])
def test_production_refuses_weak_secrets(secret, reason):
    with pytest.raises(ConfigError, match=reason):
        config.check(config.from_env(production(JWT_SECRET=secret)))


def test_production_refuses_to_start_without_a_database():
    with pytest.raises(ConfigError, match="MONGODB_URI"):
        config.check(config.from_env(production(MONGODB_URI=None)))


def test_create_app_applies_the_same_checks():
    with pytest.raises(ConfigError):
        create_app({"APP_ENV": "production", "JWT_SECRET": "short", "MONGODB_URI": "mongodb://x"})


def test_writes_are_durable_by_default_and_the_setting_is_checked():
    assert config.from_env({})["MONGODB_WRITE_CONCERN"] == "majority"
    with pytest.raises(ConfigError, match="MONGODB_WRITE_CONCERN must be one of"):
        config.check(config.from_env({"MONGODB_WRITE_CONCERN": "fast"}))
    config.check(config.from_env({"MONGODB_WRITE_CONCERN": "acknowledged"}))  # allowed outside production
    with pytest.raises(ConfigError, match="loses acknowledged messages"):
        config.check(config.from_env(production(MONGODB_WRITE_CONCERN="acknowledged")))
    config.check(config.from_env(production(MONGODB_WRITE_CONCERN="Journaled")))


@pytest.mark.parametrize("env, message", [
    ({"SLA_TARGETS": "{not json"}, "SLA_TARGETS is not valid JSON"),
    ({"SLA_TARGETS": "[1]"}, "SLA_TARGETS must be a JSON object"),
    ({"SLA_TARGETS": '{"Payments": {"firstResponse": -5}}'}, "SLA_TARGETS['Payments']"),
    ({"SLA_BUSINESS_HOURS": "18:00-09:00"}, "business hours must open before they close"),
    ({"SLA_BUSINESS_HOURS": "nine to six"}, "business hours must look like 09:00-18:00"),
    ({"SLA_BUSINESS_DAYS": "0-9"}, "business days are 0 (Monday) to 6"),
])
def test_bad_sla_settings_refuse_to_start(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        config.check(config.from_env(env))


def test_sla_and_silence_defaults():
    settings = config.from_env({})
    targets = (settings["SLA_FIRST_RESPONSE_S"], settings["SLA_RESOLUTION_S"], settings["SILENCE_REASSIGN_S"])
    assert targets == (3600, 86400, 900)
    assert settings["SLA_TARGETS"] == {} and settings["SLA_BUSINESS_HOURS"] is None
