"""API authentication: tokens for clients, sessions for the browser; staff need their second factor."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk import api_tokens
from helpdesk.api.authentication import ApiTokenAuthentication
from helpdesk.auth import needs_second_factor, verify_totp
from helpdesk.models import ApiToken, User


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


class TokenRevokedSerializer(serializers.Serializer):
    revoked = serializers.BooleanField()


class ObtainTokenView(APIView):
    """Exchange email + password (+ TOTP code for staff) for an API token (``DELETE`` revokes the token
    the request is made with). Brute-force protected; tokens expire after ``API_TOKEN_TTL``."""

    # Token auth only: failures answer 401 with a WWW-Authenticate header (not 403), a browser session
    # neither needs CSRF to ask for a token nor can "revoke" one (there is none).
    authentication_classes = [ApiTokenAuthentication]
    throttle_scope = "auth"

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

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
        otp_token = data.validated_data.get("otp_token", "")
        # Record whether a second factor was verified even while 2FA is optional: such a token keeps
        # working when STAFF_2FA_REQUIRED is switched on, one issued without it stops.
        otp_verified = bool(otp_token) and verify_totp(user, otp_token) is not None
        if needs_second_factor(user) and not otp_verified:
            raise exceptions.AuthenticationFailed(
                _("Staff accounts need a valid authenticator code (otp_token).")
            )
        _token, key = api_tokens.api_token_issue(
            user=user,
            otp_verified=otp_verified,
            client_name=request.META.get("HTTP_USER_AGENT", "")[:120],
        )
        return Response({"token": key, "role": user.role})

    @extend_schema(
        request=None,
        responses={200: TokenRevokedSerializer},
        examples=[OpenApiExample("Revoked", value={"revoked": True}, response_only=True)],
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        """Revoke the token this request is made with (sign the API client out)."""
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError(
                {"token": [_("Send the token to revoke in the Authorization header.")]}
            )
        api_tokens.api_token_revoke(actor=request.auth.user, token_id=request.auth.pk)
        return Response({"revoked": True})


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
