"""Providers are found by name: each app's ``figures.py``, in the order of INSTALLED_APPS."""

from accounts import figures as people
from autonomy import figures as autonomy
from figures.registry import forgetters, providers, table_keys
from mentoring import figures as mentoring
from services_catalog import figures as catalogue
from vault import figures as vault


def test_each_apps_figures_module_is_a_provider_in_the_order_of_the_apps():
    assert providers() == {
        "accounts": people.provider,
        "services_catalog": catalogue.provider,
        "vault": vault.provider,
        "mentoring": mentoring.provider,
        "autonomy": autonomy.provider,
    }


def test_tables_are_shown_in_the_order_of_the_apps_then_of_their_tables():
    assert table_keys() == [
        *people.TABLES,
        *catalogue.TABLES,
        *vault.TABLES,
        *mentoring.TABLES,
        *autonomy.TABLES,
    ]


def test_only_the_catalogue_forgets_something_once_a_month_is_kept():
    assert forgetters() == [catalogue.forget]


def test_providers_can_be_asked_for_some_tables_only():
    assert providers({"vault.accounts"}) == {"vault": vault.provider}
