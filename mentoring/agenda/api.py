"""API of meetings, appointments, devices, SMS numbers and the notifications inbox."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsYoungPerson
from backend.api.serializers import ErrorSerializer

from .. import selectors
from ..api import validated
from ..models import Appointment, Device, Meeting, Notification
from ..serializers import (
    AppointmentSerializer,
    DeviceSerializer,
    MeetingRescheduleSerializer,
    MeetingSerializer,
    NotificationSerializer,
    NotificationsReadSerializer,
    SmsContactSerializer,
)
from . import channels, ics, sms
from . import services as agenda

ICS = OpenApiResponse(OpenApiTypes.BINARY, description="An iCalendar (.ics) file.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not one of yours.")


class AppointmentListView(generics.ListAPIView):
    """The young person's own appointments; ``POST`` adds one (reminders follow)."""

    permission_classes = [IsYoungPerson]
    serializer_class = AppointmentSerializer
    queryset = Appointment.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.appointments_for_user(user=self.request.user)

    @extend_schema(request=AppointmentSerializer, responses={201: AppointmentSerializer})
    def post(self, request: Request) -> Response:
        data = validated(AppointmentSerializer, request)
        appointment = agenda.appointment_save(owner=request.user, data=dict(data))
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentDetailView(APIView):
    permission_classes = [IsYoungPerson]

    @extend_schema(responses={200: AppointmentSerializer, 404: NOT_FOUND})
    def get(self, request: Request, appointment_id: int) -> Response:
        return Response(
            AppointmentSerializer(
                selectors.appointment_get_for_user(user=request.user, appointment_id=appointment_id)
            ).data
        )

    @extend_schema(request=AppointmentSerializer, responses={200: AppointmentSerializer})
    def patch(self, request: Request, appointment_id: int) -> Response:
        appointment = selectors.appointment_get_for_user(
            user=request.user, appointment_id=appointment_id
        )
        serializer = AppointmentSerializer(appointment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        appointment = agenda.appointment_save(
            owner=request.user, data=dict(serializer.validated_data), appointment=appointment
        )
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request: Request, appointment_id: int) -> Response:
        agenda.appointment_delete(
            appointment=selectors.appointment_get_for_user(
                user=request.user, appointment_id=appointment_id
            )
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AppointmentIcsView(APIView):
    """The appointment as a calendar file: read only (not a way to edit or delete it)."""

    permission_classes = [IsYoungPerson]

    @extend_schema(responses={(200, "text/calendar"): ICS, 404: NOT_FOUND})
    def get(self, request: Request, appointment_id: int):
        appointment = selectors.appointment_get_for_user(
            user=request.user, appointment_id=appointment_id
        )
        return ics.ics_response(ics.appointment_ics(appointment), "rendez-vous.ics")


class MatchMeetingsView(APIView):
    """The meetings of a match; ``POST`` proposes one to the other member."""

    @extend_schema(responses={200: MeetingSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        meetings = match.meetings.all()
        return Response(MeetingSerializer(meetings, many=True, context={"request": request}).data)

    @extend_schema(request=MeetingSerializer, responses={201: MeetingSerializer})
    def post(self, request: Request, match_id: int) -> Response:
        match = selectors.match_get_for_user(user=request.user, match_id=match_id)
        serializer = MeetingSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        meeting = agenda.meeting_propose(
            match=match, by=request.user, data=dict(serializer.validated_data)
        )
        return Response(
            MeetingSerializer(meeting, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class MeetingDetailView(APIView):
    @extend_schema(responses={200: MeetingSerializer, 404: NOT_FOUND})
    def get(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        return Response(MeetingSerializer(meeting, context={"request": request}).data)


# One view per action of a meeting, each with its own body (or none). Each serves POST only.

MEETING_ACTION_RESPONSES = {
    200: MeetingSerializer,
    400: ErrorSerializer,
    404: NOT_FOUND,
    409: ErrorSerializer,
}


def _meeting_answer(request: Request, meeting: Meeting) -> Response:
    return Response(MeetingSerializer(meeting, context={"request": request}).data)


class MeetingAcceptView(APIView):
    """The member who did not propose the meeting accepts it (reminders for both)."""

    @extend_schema(request=None, responses=MEETING_ACTION_RESPONSES)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        meeting = agenda.meeting_answer(meeting=meeting, by=request.user, accept=True)
        return _meeting_answer(request, meeting)


class MeetingDeclineView(APIView):
    """The member who did not propose the meeting declines it."""

    @extend_schema(request=None, responses=MEETING_ACTION_RESPONSES)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        meeting = agenda.meeting_answer(meeting=meeting, by=request.user, accept=False)
        return _meeting_answer(request, meeting)


class MeetingRescheduleView(APIView):
    """A new time or place (only what changes): proposed again to the other member."""

    @extend_schema(
        request=MeetingRescheduleSerializer(partial=True), responses=MEETING_ACTION_RESPONSES
    )
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        serializer = MeetingRescheduleSerializer(
            meeting, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        meeting = agenda.meeting_reschedule(
            meeting=meeting, by=request.user, data=dict(serializer.validated_data)
        )
        return _meeting_answer(request, meeting)


class MeetingCancelView(APIView):
    """Either member cancels a meeting to come (its reminders go)."""

    @extend_schema(request=None, responses=MEETING_ACTION_RESPONSES)
    def post(self, request: Request, meeting_id: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        return _meeting_answer(request, agenda.meeting_cancel(meeting=meeting))


class MeetingIcsView(APIView):
    @extend_schema(responses={(200, "text/calendar"): ICS, 404: NOT_FOUND})
    def get(self, request: Request, meeting_id: int):
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
        return ics.ics_response(ics.meeting_ics(meeting, for_user=request.user), "rencontre.ics")


class DeviceListView(generics.ListAPIView):
    """The phones that receive this account's push notifications; ``POST`` adds one."""

    serializer_class = DeviceSerializer
    queryset = Device.objects.none()  # for the schema
    pagination_class = None

    def get_queryset(self):
        return selectors.devices_for_user(user=self.request.user)

    @extend_schema(
        request=DeviceSerializer,
        responses={201: DeviceSerializer},
        description=(
            "Register this phone for push notifications. Every push's data payload has "
            "two strings, `kind` and `target_id`, for the app to open the right screen "
            "when the notification is tapped (the title and body stay discreet: the "
            "details are fetched through this API once the phone is unlocked). "
            "`target_id` is the identifier this API uses for the object, or empty. Kinds:\n\n"
            + "\n".join(f"- `{kind}`: {meaning}" for kind, meaning in channels.KINDS.items())
            + "\n\nAn unknown kind opens the notifications inbox (kinds may be added)."
        ),
    )
    def post(self, request: Request) -> Response:
        data = validated(DeviceSerializer, request)
        device = agenda.device_register(user=request.user, **data)
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)


class DeviceDetailView(APIView):
    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request: Request, device_id: int) -> Response:
        selectors.device_get_for_user(user=request.user, device_id=device_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def _sms_contact(user) -> dict:
    contact = sms.contact_of(user)
    return SmsContactSerializer(
        {
            "number": contact.number if contact else "",
            "consented_at": contact.consented_at if contact else None,
        }
    ).data


class SmsContactView(APIView):
    """One's mobile number for SMS: reminders, and for a référent or a mentor a young
    person's call for help. ``PUT`` gives it and agrees to SMS; ``DELETE`` takes it back."""

    @extend_schema(responses={200: SmsContactSerializer})
    def get(self, request: Request) -> Response:
        return Response(_sms_contact(request.user))

    @extend_schema(request=SmsContactSerializer, responses={200: SmsContactSerializer})
    def put(self, request: Request) -> Response:
        data = validated(SmsContactSerializer, request)
        sms.sms_contact_set(user=request.user, number=data["number"])
        return Response(_sms_contact(request.user))

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        sms.sms_contact_remove(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationListView(generics.ListAPIView):
    """The inbox: reminders delivered, newest first."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema

    def get_queryset(self):
        return selectors.notifications_for_user(user=self.request.user)


class NotificationsReadView(APIView):
    """Mark notifications read: ``{"ids": [...]}``, or all of them without ``ids``."""

    @extend_schema(request=NotificationsReadSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = validated(NotificationsReadSerializer, request)
        agenda.notifications_mark_read(user=request.user, ids=data.get("ids"))
        return Response(status=status.HTTP_204_NO_CONTENT)
