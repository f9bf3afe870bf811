"""drf-spectacular extensions for our own API classes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class PlatformKeyScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.api.platform_keys.PlatformKeyAuthentication"
    name = "platformKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "cdk_<prefix>_<secret>"}


# --- Error responses: the schema states every error an operation can answer --------------------------------
ERROR_COMPONENT = {
    "type": "object",
    "description": 'Every error: {"error": {"code", "message", "fields"}}.',
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Machine-readable, e.g. invalid, not_found."},
                "message": {"type": "string", "description": "In the request's language."},
                "fields": {
                    "type": "object",
                    "description": "Messages per field or parameter (lists; nested for nested objects).",
                    "additionalProperties": {},
                },
                "retry_after": {"type": "number", "nullable": True, "description": "Only with 429."},
                "reference": {"type": "string", "description": "Only with duplicate_open_claim (409)."},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
_ERROR_EXAMPLES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": (
        "invalid",
        "Some fields are not valid.",
        {"limit": ["“limit” must be a whole number from 1 to 200."]},
    ),
    "401": ("not_authenticated", "Authentication credentials were not provided.", {}),
    "403": ("permission_denied", "You do not have permission to perform this action.", {}),
    "404": ("not_found", "Not found.", {}),
    "409": ("conflict", "The request conflicts with the current state.", {}),
    "415": ("unsupported_media_type", 'Unsupported media type "text/plain" in request.', {}),
    "422": ("unprocessable", "The request could not be processed.", {}),
    "429": ("throttled", "Request was throttled. Expected available in 30 seconds.", {}),
}
_DESCRIPTIONS = {
    "400": "Invalid input: fields, parameters, a body that is not a JSON object, control characters",
    "401": "Missing, wrong or expired credentials",
    "403": "Not allowed for this account",
    "404": "No such object, or not one this account may see",
    "415": "Unsupported body media type",
    "429": "Too many requests; retry after `retry_after` seconds",
}
# The header rule of helpdesk.api.idempotency: 1-255 printable ASCII characters, not only spaces.
IDEMPOTENCY_KEY_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[ -~]*[!-~][ -~]*$",
}


def _error_codes(operation: dict[str, Any]) -> list[str]:
    security = operation.get("security") or []
    public = not security or {} in security
    has_path_parameters = any(p.get("in") == "path" for p in operation.get("parameters", []))
    codes = ["400", "401", "429"]
    if not public:
        codes += ["403", "404"]  # role-scoped APIs answer 404 to other roles: they do not exist for them
    elif has_path_parameters:
        codes.append("404")
    if "requestBody" in operation:
        codes.append("415")
    return codes


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the error envelope on every operation's error responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            declared = [code for code in responses if code.startswith(("4", "5"))]
            for code in sorted({*_error_codes(operation), *declared}):
                response = responses.setdefault(code, {"description": _DESCRIPTIONS.get(code, "Error")})
                if "content" not in response:
                    error_code, message, fields = _ERROR_EXAMPLES.get(code, ("error", "Error.", {}))
                    example = {"error": {"code": error_code, "message": message, "fields": fields}}
                    response["content"] = {"application/json": {"schema": reference, "example": example}}
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == "Idempotency-Key":
                    parameter["schema"] = dict(IDEMPOTENCY_KEY_SCHEMA)
                elif parameter.get("in") in _NO_CONTROL_CHARACTERS:
                    _no_control_characters(parameter.get("schema", {}), parameter["in"])
    for name, component in result["components"]["schemas"].items():
        if name.endswith("Request"):  # COMPONENT_SPLIT_REQUEST: request bodies have their own components
            _no_nul_in_strings(component)
    return result


def _no_nul_in_strings(schema: dict[str, Any]) -> None:
    """Request bodies: NUL is refused in every value (helpdesk.api.parsers, HostileInputMiddleware)."""
    if schema.get("type") == "string" and not {"pattern", "enum", "format"} & set(schema):
        schema["pattern"] = "^[^\\x00]*$"
    for child in schema.get("properties", {}).values():
        _no_nul_in_strings(child)
    if isinstance(schema.get("items"), dict):
        _no_nul_in_strings(schema["items"])


# helpdesk.middleware.HostileInputMiddleware refuses these: any control character in the path, and all but
# tab, newline and CR in query parameters.
_NO_CONTROL_CHARACTERS = {
    "path": "^[^\\x00-\\x1f\\x7f]*$",
    "query": "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$",
}


def _no_control_characters(schema: dict[str, Any], location: str) -> None:
    if schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema:
        schema["pattern"] = _NO_CONTROL_CHARACTERS[location]
