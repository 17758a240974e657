"""The chat API's response bodies (DESIGN.md, "HTTP API"), for its OpenAPI document.

Documentation only: the views build their JSON with ``chat.state`` and return it as is, so
these models never run on a request. ``tests/test_api_properties.py`` holds every answer
against the OpenAPI schema made from them, so a shape that drifts fails a test.
"""

from pydantic import Field

from tutoring.schemas import MatchOut, OutputModel, SlotOut


class MessageOut(OutputModel):
    seq: int = Field(description="1, 2, 3… per session, gap-free")
    role: str = Field(description='"user" or "assistant"')
    content: str
    tutor_match: MatchOut | None = Field(
        default=None, description="Present only on a message that offered a tutor"
    )
    created_at: str


class MessagesPageInfo(OutputModel):
    total: int
    has_older: bool
    older_before: int | None = Field(description="GET …/messages?before=<this> for older ones")


class SearchCriteriaOut(OutputModel):
    skill: list[str] | None
    day: str | None
    time: str | None
    part_of_day: str | None
    mode: str | None
    text: str | None


class BookingInfoOut(OutputModel):
    step: str
    student_name: str | None
    student_email: str | None
    college_email: str | None = Field(alias="ccsfEmail")
    student_id: str | None
    allow_other_students: bool | None
    classes: list[str]
    specific_help: str | None
    additional_notes: str | None
    slot: SlotOut | None


class StateOut(OutputModel):
    id: str
    version: int
    messages: list[MessageOut] = Field(description="The most recent page, oldest first")
    messages_page: MessagesPageInfo
    pending_match: MatchOut | None
    last_search_criteria: SearchCriteriaOut | None
    available_tutors_list: list[MatchOut]
    booking_info: BookingInfoOut | None
    created_at: str
    last_accessed_at: str


class CreatedOut(StateOut):
    access_token: str = Field(
        description="Shown this once: send it as Authorization: Bearer on the session's routes"
    )


class TokenOut(OutputModel):
    access_token: str = Field(description="The new token; the old one no longer works")


class MessagesOut(OutputModel):
    messages: list[MessageOut]
    has_more: bool
    version: int


class MessagePostedOut(OutputModel):
    message: MessageOut
    version: int


class TurnOut(OutputModel):
    messages: list[MessageOut] = Field(description="The student's message, then the reply")
    state: StateOut


class PendingMatchOut(OutputModel):
    pending_match: MatchOut | None
    version: int


class BookingInfoPartOut(OutputModel):
    booking_info: BookingInfoOut | None
    version: int


class SearchCriteriaPartOut(OutputModel):
    last_search_criteria: SearchCriteriaOut | None
    version: int


class AvailableTutorsOut(OutputModel):
    available_tutors_list: list[MatchOut]
    version: int
