"""API authentication: tokens for clients, sessions for the browser; staff need their second factor."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.audit import audit_record
from helpdesk.auth import needs_second_factor, verify_totp
from helpdesk.models import User


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label=_("Email"))
    password = serializers.CharField(
        label=_("Password"), trim_whitespace=False, style={"input_type": "password"}
    )
    otp_token = serializers.CharField(
        label=_("Authenticator code"),
        required=False,
        allow_blank=True,
        help_text=_("Required for staff accounts: the 6-digit TOTP code."),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    role = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange email + password (+ TOTP code for staff) for an API token. Brute-force protected."""

    # Token auth is listed only so that failures answer 401 with a WWW-Authenticate header, not 403.
    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        examples=[
            OpenApiExample(
                "Customer",
                value={"email": "customer@demo.claimdesk.cn", "password": "demo-customer-2026"},
                request_only=True,
            ),
            OpenApiExample(
                "Token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "role": "customer"},
                response_only=True,
            ),
        ],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user: User | None = authenticate(
            request._request, username=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("The email address or password is not correct."))
        if needs_second_factor(user) and verify_totp(user, data.validated_data.get("otp_token", "")) is None:
            raise exceptions.AuthenticationFailed(
                _("Staff accounts need a valid authenticator code (otp_token).")
            )
        token, _created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action="user.api_token_issued", obj=user)
        return Response({"token": token.key, "role": user.role})


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "phone", "role", "staff_number", "language"]
        read_only_fields = fields


class MeView(APIView):
    @extend_schema(
        responses={200: MeSerializer},
        examples=[
            OpenApiExample(
                "Customer",
                value={
                    "id": 3,
                    "email": "customer@demo.claimdesk.cn",
                    "display_name": "演示用户",
                    "phone": "+8613800138000",
                    "role": "customer",
                    "staff_number": "",
                    "language": "zh-hans",
                },
                response_only=True,
            )
        ],
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        """The signed-in user."""
        return Response(MeSerializer(request.user).data)
