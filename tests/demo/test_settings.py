"""The demo app, and its public password, exist in development and tests only."""

from django.conf import settings

from tests.test_settings import _manage, production


def test_production_settings_do_not_install_demo():
    apps = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.INSTALLED_APPS)",
        **production(),
    )
    assert apps.returncode == 0, apps.stderr
    assert "'mentoring'" in apps.stdout
    assert "'demo'" not in apps.stdout
    command = _manage("load_demo", **production())
    assert command.returncode != 0
    assert "Unknown command: 'load_demo'" in command.stderr


def test_development_and_tests_install_demo():
    assert "demo" in settings.INSTALLED_APPS
