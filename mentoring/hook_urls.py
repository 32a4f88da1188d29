"""Addresses that providers post to (``/hooks/``), outside the API."""

from django.urls import path

from .agenda import hooks

urlpatterns = [
    path("sms/<str:secret>/", hooks.sms_receipts, name="sms-receipts"),
]
