"""What sign-in accepts and answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from dreamery.core.schemas import EmailAddress, InputSchema, PersonName, Slug
from dreamery.organizations.schemas import InvitationToken
from dreamery.users.schemas import ProfileFields

# Long enough for any passphrase the policy allows; the policy itself says 8 to 128. Never
# trimmed (input is, elsewhere): a password is used exactly as typed.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=1024)]
RefreshTokenText = Annotated[str, StringConstraints(min_length=1, max_length=512)]


class Registration(InputSchema):
    """A professional signing up: who they are, their role from the catalogue, a password,
    and the invitation they were sent, if any. The role is claimed until an administrator of
    their organization verifies it; until then they hold what every professional holds."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "nora.whitfield@example.com",
                    "password": "harbor lantern quietly 91 drifts",
                    "first_name": "Nora",
                    "last_name": "Whitfield",
                    "role_id": "real-estate-agent",
                    "profile": {
                        "company": "Harbor Realty",
                        "specialties": ["condos", "first-time buyers"],
                        "experience": 4,
                    },
                }
            ]
        }
    )

    email: EmailAddress = Field(examples=["jane.doe@example.com"])
    password: Password = Field(examples=["correct horse battery staple"])
    first_name: PersonName = Field(examples=["Jane"])
    last_name: PersonName = Field(examples=["Doe"])
    role_id: Slug = Field(examples=["real-estate-agent"])
    profile: ProfileFields | None = None
    invitation: InvitationToken | None = Field(
        default=None, description="join the organization that sent it, instead of one's own"
    )


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds until the access token expires")
    refresh_token: str
    refresh_expires_in: int = Field(description="seconds until the refresh token expires")


class RefreshRequest(InputSchema):
    refresh_token: RefreshTokenText


class LogoutRequest(InputSchema):
    refresh_token: RefreshTokenText | None = Field(
        default=None, description="also end the session this refresh token renews"
    )
    everywhere: bool = Field(default=False, description="also end every other session of this user")


class PasswordChange(InputSchema):
    current_password: Password
    new_password: Password


class HubSettings(BaseModel):
    self_registration: bool = Field(description="whether professionals may sign themselves up")


class HubSettingsUpdate(InputSchema):
    self_registration: bool | None = None
