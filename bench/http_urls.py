"""URLs of the HTTP benchmark's server: the project's, plus a bare DRF endpoint.

The bare endpoint answers 20 items held in memory through the same middleware and DRF's
rendering, with no authentication nor throttling: what an endpoint of this stack costs
before it does any work of its own.
"""

from django.urls import include, path
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

ITEMS = [
    {"id": number, "title": f"Offre {number}", "summary": "Accompagnement gratuit.", "n": number}
    for number in range(20)
]


class BareView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = []

    def get(self, request):
        return Response({"count": len(ITEMS), "next": None, "previous": None, "results": ITEMS})


urlpatterns = [path("bare/", BareView.as_view()), path("", include("backend.urls"))]
