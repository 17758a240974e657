"""Property: no request to any API operation gets a 5xx, and every answer is documented.

A hypothesis state machine plays many clients at once: it creates sessions, writes odd states
through every state route, takes turns in between and sends hostile input (NUL, lone
surrogates, bidi overrides, huge numbers, wrong types, deep nesting, unknown ids). After each
request it checks that

- the status is below 500,
- the OpenAPI schema lists that status for that operation, and
- a JSON body validates against the schema documented for that status,

and after each write that the chat page's panels still render for the session. Every
operation of the OpenAPI schema must have a rule here (``test_every_operation_has_a_rule``).

Bounded: ``MAX_EXAMPLES`` runs of up to ``STEPS`` requests each (a few thousand in all), in
well under two minutes on either database. Clients identify as a session's owner through
``tests.api`` only, so a change of credential changes one module.
"""

import functools
import json
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import jsonschema
import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    rule,
    run_state_machine_as_test,
)
from jsonschema.protocols import Validator
from ninja.responses import NinjaJSONEncoder

from chat import render, state
from chat.api import api
from chat.models import BookingStep
from tests.api import ApiSession, send, session_created, token_rotated
from tutoring.models import Mode, PartOfDay, Tutor, Weekday
from tutoring.ranking import Wish, tutors_match

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 32
STEPS = 50

SESSIONS = "/api/chat/sessions"
SESSION = "/api/chat/session/{session_id}"


@functools.cache
def openapi() -> dict:
    """Return the OpenAPI document as clients read it (as JSON: status codes are strings)."""
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def documented_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, methods in openapi()["paths"].items()
        for method in methods
        if method in ("get", "put", "post", "patch", "delete")
    }


@functools.cache
def validator(method: str, template: str, status: int) -> Validator | None:
    """Return a validator of the body documented for ``status``, or None when it has none."""
    responses = openapi()["paths"][template][method.lower()]["responses"]
    content = responses[str(status)].get("content") or {}
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    return jsonschema.Draft202012Validator({**schema, "components": openapi()["components"]})


# --- what clients send -------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "\u202eevil\u202c",
        "\u2066\u200f\u061c",
        "<script>alert(1)</script>",
        "\r\nSet-Cookie: x=1",
        "%00%ff",
        "\ufeff\uffff\U0010ffff",
        "e\u0301\u0301\u0301",
        "😀" * 50,
        "Robert'); DROP TABLE tutoring_tutor;--",
        "",
        "   ",
        "x" * 5000,
    ]
)
# Every code point, lone surrogates included (hypothesis leaves them out by default).
ANY_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(exclude_categories=()), max_size=30),
    HOSTILE_TEXT,
)
HUGE_NUMBERS = st.sampled_from(
    [2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, -1, 0, 1e308, float("inf"), float("nan")]
)
ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), HUGE_NUMBERS, st.floats(), ANY_TEXT),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=6,
)


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """Draw from one of ``choices`` (weight, strategy), in proportion to its weight.

    Not ``one_of(a, a, a, b)``: hypothesis writes a strategy's repr into an event whenever a
    draw is retried, a repeated branch is written out once per repeat, and nested in the
    match and booking strategies those repeats multiplied the repr to gigabytes (the suite
    was killed for memory). A ``flatmap`` over an index is described by its lambda's source.
    """
    branches = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(branches) - 1).flatmap(lambda index: branches[index])


def mostly(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """``plausible`` three times in four, anything at all otherwise."""
    return weighted((3, plausible), (1, ANY_JSON))


def obj(required: dict | None = None, optional: dict | None = None) -> st.SearchStrategy:
    """A JSON object, sometimes with a key nobody asked for."""
    shaped = st.fixed_dictionaries(
        {key: mostly(value) for key, value in (required or {}).items()},
        optional={key: mostly(value) for key, value in (optional or {}).items()},
    )
    extra = st.dictionaries(ANY_TEXT, ANY_JSON, max_size=1)
    return weighted((2, shaped), (1, st.builds(lambda a, b: {**b, **a}, shaped, extra)))


HH_MM = st.builds("{:02d}:{:02d}".format, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
DAY = st.sampled_from(Weekday.values)
MODE = st.sampled_from(Mode.values)
EMAIL = st.sampled_from(["sam@example.com", "sam@mail.ccsf.edu", "not an email", "a@b"])
TURN_TEXT = st.one_of(
    st.sampled_from(
        [
            "I need help with Python on Monday around 10",
            "python tomorrow afternoon",
            "CS 111B online",
            "MIPS assembly",
            "1",
            "2",
            "9",
            "yes",
            "no",
            "back",
            "cancel",
            "start over",
            "other tutors",
            "Sam Lee, sam@example.com",
            "sam@mail.ccsf.edu",
            "W1234567",
            "skip",
            "CS 110A",
            "Recursion and loops",
            "cancel my booking",
            "earlier",
            "on campus",
            "help",
            "thanks",
        ]
    ),
    ANY_TEXT,
)


@dataclass
class World:
    """What plausible values can point at: the roster's tutors and slots they offer."""

    tutor_ids: list[int]
    slots: list[dict]


def pick(values: list) -> st.SearchStrategy:
    """Return one of ``values``, drawn by index.

    Not ``sampled_from(values)``, whose repr lists every slot (see ``weighted``).
    """
    return st.integers(0, len(values) - 1).map(values.__getitem__)


def tutor_id(world: World) -> st.SearchStrategy:
    return st.one_of(pick(world.tutor_ids), st.sampled_from([1, 0, -1, 99999, 2**63]))


def slot(world: World) -> st.SearchStrategy:
    made = obj(
        {
            "day": DAY,
            "time": st.builds("{}-{}".format, HH_MM, HH_MM),
            "mode": MODE,
            "start": st.sampled_from(
                ["2026-12-07T10:00:00-08:00", "2026-12-07T10:00:00", "9999-12-31T23:59:00+14:00"]
            ),
        }
    )
    return weighted((2, pick(world.slots)), (1, made))


def match(world: World) -> st.SearchStrategy:
    tutor = obj({"id": tutor_id(world)}, {"name": ANY_TEXT, "skills": st.lists(ANY_TEXT)})
    return obj(
        {"tutor": tutor, "matchScore": st.floats(0, 1)},
        {"reasoning": ANY_TEXT, "availableSlots": st.lists(slot(world), max_size=4)},
    )


def booking_info(world: World) -> st.SearchStrategy:
    return obj(
        {"step": st.sampled_from(BookingStep.values)},
        {
            "studentName": ANY_TEXT,
            "studentEmail": EMAIL,
            "ccsfEmail": EMAIL,
            "studentId": st.sampled_from(["W1234567", "", "x" * 30]),
            "allowOtherStudents": st.booleans(),
            "classes": st.lists(st.sampled_from(["CS 110A", "CS 111B", "XX 999"]), max_size=3),
            "specificHelp": ANY_TEXT,
            "additionalNotes": ANY_TEXT,
            "slot": st.one_of(st.none(), slot(world)),
        },
    )


def search_criteria() -> st.SearchStrategy:
    return obj(
        optional={
            "skill": st.lists(st.sampled_from(["Python", "C++", "MIPS Assembly", "Klingon"])),
            "day": DAY,
            "time": HH_MM,
            "partOfDay": st.sampled_from(PartOfDay.values),
            "mode": MODE,
            "text": ANY_TEXT,
        }
    )


RAW_BODIES = st.one_of(
    st.integers(1, 3000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 3000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.sampled_from(['{"text": "x', "null", "[]", '"text"', "NaN", "{}", "\xff\xfe", "9" * 5000]),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
    ]
)
BOGUS_IDS = st.sampled_from(["A" * 32, "short", "x" * 300, "%00", "\u202e" * 32, "..%2F..%2Fetc"])
IF_MATCH = st.one_of(
    st.none(),
    st.just("current"),
    st.sampled_from(['"1"', "*", 'W/"2"', "garbage", f'"{2**63}"', '"-1"', "\x00"]),
)
IDEMPOTENCY_KEY = st.one_of(st.none(), st.sampled_from(["k1", "k2", "", "\x00", "ü", "x" * 200]))


# --- the machine -----------------------------------------------------------------------------

PARTS = {
    "pending-match": match,
    "booking-info": booking_info,
    "search-criteria": lambda world: search_criteria(),
    "available-tutors": lambda world: st.lists(match(world), max_size=3),
}


class ApiMachine(RuleBasedStateMachine):
    """Many clients, many sessions; every operation; checks after every request."""

    sessions = Bundle("sessions")
    world: World  # set by the test
    stats: dict  # requests and statuses, for the test's summary

    def __init__(self) -> None:
        super().__init__()
        self.client = Client(raise_request_exception=False)

    # --- sending and checking -------------------------------------------------------------

    def request(
        self,
        method: str,
        template: str,
        path: str,
        body=None,
        *,
        headers=None,
        query: dict | None = None,
        content_type: str = "application/json",
    ):
        if query:
            # A lone surrogate goes out as the bytes a careless client would send.
            path = f"{path}?{urlencode(query, errors='surrogatepass')}"
        if content_type == "application/json":
            response = send(self.client, method, path, body, headers=headers)
        else:
            raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
            response = getattr(self.client, method.lower())(
                path, data=raw, content_type=content_type, headers=headers or {}
            )
        self.check(method, template, response)
        return response

    def check(self, method: str, template: str, response) -> None:
        status = response.status_code
        self.stats["requests"] += 1
        self.stats["statuses"][status] = self.stats["statuses"].get(status, 0) + 1
        assert status < 500, f"{method} {template}: {status} {response.content[:500]!r}"
        responses = openapi()["paths"][template][method.lower()]["responses"]
        assert str(status) in responses, (
            f"{method} {template} answered {status}, which its OpenAPI responses "
            f"({', '.join(responses)}) do not list: {response.content[:300]!r}"
        )
        documented = validator(method, template, status)
        if documented is not None and response.content:
            errors = sorted(documented.iter_errors(response.json()), key=str)
            assert not errors, f"{method} {template} {status}: {errors[0]}"

    def headers(self, session: ApiSession, if_match: str | None, key: str | None = None) -> dict:
        headers = dict(session.headers)
        if if_match == "current":
            found = state.session_get(session.id)
            if_match = f'"{found.version}"' if found else '"1"'
        if if_match is not None:
            headers["If-Match"] = if_match
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    def renders(self, session: ApiSession) -> None:
        """The page's panels render whatever the API wrote (a browser may be watching)."""
        found = state.session_get(session.id)
        if found is not None:
            render.render_update(found, after_seq=found.last_seq)

    # --- sessions -------------------------------------------------------------------------

    @initialize(target=sessions)
    def first_session(self):
        return self.create()

    @rule(target=sessions)
    def create(self):
        response = self.request("POST", SESSIONS, SESSIONS)
        return session_created(response)

    @rule(
        session=st.one_of(sessions, sessions, sessions, BOGUS_IDS.map(ApiSession)),
        etag=st.booleans(),
    )
    def get_state(self, session, etag):
        headers = dict(session.headers)
        if etag:
            found = state.session_get(session.id)
            headers["If-None-Match"] = f'"{found.version if found else 1}"'
        self.request("GET", SESSION, self.path(session), headers=headers)

    @rule(
        session=sessions,
        patch=st.builds(lambda: None) | st.deferred(lambda: PATCH),
        if_match=IF_MATCH,
    )
    def patch_state(self, session, patch, if_match):
        headers = self.headers(session, if_match)
        self.request("PATCH", SESSION, self.path(session), patch, headers=headers)
        self.renders(session)

    @rule(session=sessions)
    def rotate_token(self, session):
        path = f"{self.path(session)}/token"
        response = self.request("POST", f"{SESSION}/token", path, headers=session.headers)
        token_rotated(session, response)

    @rule(
        session=sessions,
        target_path=st.sampled_from(
            [
                ("GET", SESSION, ""),
                ("DELETE", SESSION, ""),
                ("GET", f"{SESSION}/booking-info", "/booking-info"),
                ("POST", f"{SESSION}/turns", "/turns"),
                ("POST", f"{SESSION}/token", "/token"),
            ]
        ),
        credential=st.sampled_from([{}, {"Authorization": "Bearer wrong"}, {"Cookie": "x=1"}]),
    )
    def id_alone(self, session, target_path, credential):
        """The id with no credential, or a wrong one: the same 404 as an unknown id."""
        method, template, suffix = target_path
        path = f"{self.path(session)}{suffix}"
        body = {"text": "cancel my booking"} if method == "POST" else None
        response = self.request(method, template, path, body, headers=credential)
        assert response.status_code == 404, response.content[:300]

    @rule(session=consumes(sessions), if_match=IF_MATCH)
    def delete_session(self, session, if_match):
        response = self.request(
            "DELETE", SESSION, self.path(session), headers=self.headers(session, if_match)
        )
        if response.status_code != 204:
            return  # still there (a stale If-Match): it may be used again
        gone = self.request("GET", SESSION, self.path(session), headers=session.headers)
        assert gone.status_code == 404

    @rule(session=sessions, if_match=IF_MATCH)
    def reset(self, session, if_match):
        path = f"{self.path(session)}/reset"
        self.request("POST", f"{SESSION}/reset", path, headers=self.headers(session, if_match))
        self.renders(session)

    # --- messages and turns -----------------------------------------------------------------

    @rule(
        session=st.one_of(sessions, sessions, sessions, BOGUS_IDS.map(ApiSession)),
        query=st.dictionaries(
            st.sampled_from(["after", "before", "limit"]),
            st.one_of(st.integers(-5, 60), HUGE_NUMBERS, ANY_TEXT),
            max_size=3,
        ),
    )
    def list_messages(self, session, query):
        path = f"{self.path(session)}/messages"
        self.request("GET", f"{SESSION}/messages", path, query=query, headers=session.headers)

    @rule(
        session=sessions,
        body=st.deferred(lambda: MESSAGE),
        if_match=IF_MATCH,
        key=IDEMPOTENCY_KEY,
    )
    def post_message(self, session, body, if_match, key):
        path = f"{self.path(session)}/messages"
        headers = self.headers(session, if_match, key)
        self.request("POST", f"{SESSION}/messages", path, body, headers=headers)
        self.renders(session)

    @rule(session=sessions, text=TURN_TEXT)
    def say(self, session, text):
        """The student talks: the sequences that walk a form, with odd states written between."""
        path = f"{self.path(session)}/turns"
        response = self.request(
            "POST", f"{SESSION}/turns", path, {"text": text}, headers=session.headers
        )
        if response.status_code == 201:
            reply = response.json()["messages"][-1]
            assert reply["role"] == "assistant", reply
            assert reply["content"].strip(), reply
        self.renders(session)

    @rule(session=sessions, data=st.data(), texts=st.lists(TURN_TEXT, min_size=1, max_size=4))
    def write_a_part_then_talk(self, session, data, texts):
        """An odd state written through the API, then the turns a student takes next."""
        self.put_part(session, data, if_match=None)
        for text in texts:
            self.say(session, text)

    @rule(
        session=sessions,
        body=obj({"text": TURN_TEXT}, {"clientId": ANY_TEXT}),
        if_match=IF_MATCH,
        key=IDEMPOTENCY_KEY,
    )
    def turn_with_anything(self, session, body, if_match, key):
        path = f"{self.path(session)}/turns"
        headers = self.headers(session, if_match, key)
        self.request("POST", f"{SESSION}/turns", path, body, headers=headers)
        self.renders(session)

    # --- state parts ------------------------------------------------------------------------

    @rule(
        session=st.one_of(sessions, sessions, sessions, BOGUS_IDS.map(ApiSession)),
        part=st.sampled_from(sorted(PARTS)),
    )
    def get_part(self, session, part):
        template = f"{SESSION}/{part}"
        self.request("GET", template, f"{self.path(session)}/{part}", headers=session.headers)

    @rule(session=sessions, data=st.data(), if_match=IF_MATCH)
    def put_part(self, session, data, if_match):
        part = data.draw(st.sampled_from(sorted(PARTS)))
        body = data.draw(PARTS[part](self.world))
        template, path = f"{SESSION}/{part}", f"{self.path(session)}/{part}"
        self.request("PUT", template, path, body, headers=self.headers(session, if_match))
        self.renders(session)

    @rule(
        session=sessions,
        part=st.sampled_from(["pending-match", "booking-info"]),
        if_match=IF_MATCH,
    )
    def delete_part(self, session, part, if_match):
        template, path = f"{SESSION}/{part}", f"{self.path(session)}/{part}"
        self.request("DELETE", template, path, headers=self.headers(session, if_match))
        self.renders(session)

    # --- bodies no schema describes ------------------------------------------------------------

    @rule(
        session=sessions,
        target_path=st.sampled_from(
            [
                ("POST", f"{SESSION}/turns", "/turns"),
                ("POST", f"{SESSION}/messages", "/messages"),
                ("PUT", f"{SESSION}/booking-info", "/booking-info"),
                ("PATCH", SESSION, ""),
            ]
        ),
        body=RAW_BODIES,
        content_type=CONTENT_TYPES,
    )
    def raw_body(self, session, target_path, body, content_type):
        method, template, suffix = target_path
        path = f"{self.path(session)}{suffix}"
        self.request(
            method, template, path, body, headers=session.headers, content_type=content_type
        )

    # --- the tutor directory --------------------------------------------------------------------

    @rule()
    def list_tutors(self):
        self.request("GET", "/api/tutors", "/api/tutors")

    @rule(
        tutor=st.one_of(
            st.deferred(lambda: pick(ApiMachine.world.tutor_ids)),
            st.sampled_from([0, 99999, 2**63, 10**40]),
        )
    )
    def get_tutor(self, tutor):
        self.request("GET", "/api/tutors/{tutor_id}", f"/api/tutors/{tutor}")

    @rule(
        wish=obj(
            optional={
                "skill": st.lists(st.sampled_from(["Python", "python", "Klingon", "C++"])),
                "day": DAY,
                "date": st.sampled_from(["2026-12-07", "2026-02-30", "99999-01-01", "today"]),
                "time": HH_MM,
                "partOfDay": st.sampled_from(PartOfDay.values),
                "mode": MODE,
            }
        )
    )
    def match(self, wish):
        self.request("POST", "/api/match", "/api/match", wish)

    @staticmethod
    def path(session: ApiSession) -> str:
        return f"/api/chat/session/{quote(session.id, safe='')}"


PATCH = st.deferred(
    lambda: obj(
        optional={
            "pendingMatch": st.one_of(st.none(), match(ApiMachine.world)),
            "lastSearchCriteria": st.one_of(st.none(), search_criteria()),
            "availableTutorsList": st.one_of(
                st.none(), st.lists(match(ApiMachine.world), max_size=2)
            ),
            "bookingInfo": st.one_of(st.none(), booking_info(ApiMachine.world)),
        }
    )
)
MESSAGE = st.deferred(
    lambda: obj(
        {"role": st.sampled_from(["user", "assistant", "system"]), "content": ANY_TEXT},
        {"tutorMatch": match(ApiMachine.world), "clientId": ANY_TEXT},
    )
)

RULES = {
    ("POST", SESSIONS): ApiMachine.create,
    ("GET", SESSION): ApiMachine.get_state,
    ("PATCH", SESSION): ApiMachine.patch_state,
    ("DELETE", SESSION): ApiMachine.delete_session,
    ("POST", f"{SESSION}/reset"): ApiMachine.reset,
    ("POST", f"{SESSION}/token"): ApiMachine.rotate_token,
    ("GET", f"{SESSION}/messages"): ApiMachine.list_messages,
    ("POST", f"{SESSION}/messages"): ApiMachine.post_message,
    ("POST", f"{SESSION}/turns"): ApiMachine.say,
    **{("GET", f"{SESSION}/{part}"): ApiMachine.get_part for part in PARTS},
    **{("PUT", f"{SESSION}/{part}"): ApiMachine.put_part for part in PARTS},
    ("DELETE", f"{SESSION}/pending-match"): ApiMachine.delete_part,
    ("DELETE", f"{SESSION}/booking-info"): ApiMachine.delete_part,
    ("GET", "/api/tutors"): ApiMachine.list_tutors,
    ("GET", "/api/tutors/{tutor_id}"): ApiMachine.get_tutor,
    ("POST", "/api/match"): ApiMachine.match,
}


def test_every_operation_has_a_rule():
    assert set(RULES) == documented_operations()


def test_every_operation_documents_its_errors_and_bodies():
    for method, template in documented_operations():
        responses = openapi()["paths"][template][method.lower()]["responses"]
        assert {"400", "503"} <= set(responses), (method, template)
        if template.startswith(SESSION):
            assert "404" in responses, (method, template)
        if method in ("POST", "PUT", "PATCH"):
            assert {"413", "415"} <= set(responses), (method, template)
        for status, answer in responses.items():
            if status not in ("204", "304"):
                assert "application/json" in answer.get("content", {}), (method, template, status)


@pytest.fixture
def world(frozen_clock, settings) -> World:
    # The property is about answers, not limits: 429 would only cut the sequences short.
    settings.RATELIMIT_ENABLE = False
    call_command("seed_demo", verbosity=0)
    offers = tutors_match(Wish(subjects=("Python",)), limit=3).matches
    return World(
        tutor_ids=list(Tutor.objects.values_list("pk", flat=True)),
        slots=[slot.as_json() for offer in offers for slot in offer.slots],
    )


def test_no_request_to_any_operation_gets_a_server_error(world, capsys):
    ApiMachine.world = world
    ApiMachine.stats = {"requests": 0, "statuses": {}}
    started = time.monotonic()

    run_state_machine_as_test(
        ApiMachine,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            # A failure is shrunk to a short sequence; explaining it would rerun it at length.
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        ),
    )

    elapsed = time.monotonic() - started
    with capsys.disabled():
        statuses = dict(sorted(ApiMachine.stats["statuses"].items()))
        print(f"\n{ApiMachine.stats['requests']} requests in {elapsed:.1f} s: {statuses}")
    assert ApiMachine.stats["requests"] >= MAX_EXAMPLES
