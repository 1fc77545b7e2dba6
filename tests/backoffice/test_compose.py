"""There is no Docker engine here: check the compose file by parsing it."""

import importlib.util
from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"


def _module_exists(dotted: str) -> bool:
    return importlib.util.find_spec(dotted) is not None


def _named_module(command: list[str]) -> str:
    """The project module a service command runs."""
    program = command[0]
    if program == "gunicorn":
        return command[1].split(":")[0]
    if program == "celery":
        return command[command.index("-A") + 1]
    if program == "python" and command[1] == "manage.py":
        return "manage"
    if program == "python" and command[1] == "-m":
        return command[2]
    raise AssertionError(f"unknown program {program}")


def test_services_and_their_commands():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        assert service["env_file"] == ".env"
        module = _named_module(service["command"])
        if module == "manage":
            assert (Path(settings.BASE_DIR) / "manage.py").exists()
        else:
            assert _module_exists(module), f"{name}: {module} is not a module"
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    web_check = services["web"]["healthcheck"]["test"]
    assert _module_exists(_named_module(web_check[1:]))
    assert "web" in services and "8000:8000" in services["web"]["ports"]


def test_celery_app_is_the_one_compose_names():
    from backoffice import celery_app

    assert celery_app.main == "backoffice"
    assert "hr-deactivate-terminated-logins" in celery_app.conf.beat_schedule
