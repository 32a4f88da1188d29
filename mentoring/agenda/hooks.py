"""What providers post to Jalon: the SMS delivery receipts.

Not part of the API (no session, no token, not in the OpenAPI schema): the provider
proves itself with the secret in the address, and anything else is a 404.
"""

import json

from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import sms


@csrf_exempt  # posted by the provider, which has no CSRF token: the secret authenticates
def sms_receipts(request, secret: str):
    """A delivery report from the SMS provider (``POST``, JSON): the SMS becomes delivered
    or failed. Answered 200 even for an SMS not found, so that the provider stops resending."""
    if not sms.receipt_secret_valid(secret):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        report = json.loads(request.body or b"null")
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    return JsonResponse({"updated": sms.receipt_record(report)})
