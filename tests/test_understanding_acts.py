"""Dialogue acts: what a message does (accept, pick, refine, ask, correct, manage, command).

Pure: no database. The clock is fixed at Wednesday 2 December 2026. The phrasings are the ones
students really typed (tests/dialogues) and more like them: lowercase, typos, no question mark.
"""

from datetime import date, time

import pytest

from chat.assistant.understanding import (
    Accept,
    Ask,
    Command,
    CommandKind,
    Correct,
    Decline,
    Manage,
    ManageKind,
    Pick,
    Refine,
    RefineKind,
    Search,
    Topic,
    understand,
)
from tests.understanding_roster import HANA, MAYA, PRIYA, VOCABULARY

TODAY = date(2026, 12, 2)  # a Wednesday


def acts_of(text: str) -> tuple:
    return understand(text, vocabulary=VOCABULARY, today=TODAY).acts


def first_act(text: str) -> object:
    acts = acts_of(text)
    assert acts, f"no acts for {text!r}"
    return acts[0]


def kinds(text: str) -> list[type]:
    return [type(act) for act in acts_of(text)]


# --- Accept and decline ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "Yes!",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "OK book it",
        "ok book it",
        "book it",
        "yes book it",
        "that works",
        "yeah that works",
        "sounds good",
        "perfect",
        "great",
        "let's do it",
        "lets do it",
        "works for me",
        "\U0001f44d",
        "yes please",
        "yeah sure",
        "ok then yes",
        "ok now yes",
        "oh ok yeah thats fine",
        "looks good",
        "confirm",
        "yes same",
        "sure thing",
        "alright",
        "go ahead",
        "yess",
        "sure why not",
        "yes that one",
        "ya",
        "k",
        "ok sounds good",
        "i'll take it",
        "ill take that one",
        "yes others can join",
        "sure, anyone can join",
        "yes thats fine with me",
        "yse",
        "okie",
        "ofc",
        "\U0001f44c",
        "\u2705",
        "si",
        "yeah thats fine",
    ],
)
def test_plain_acceptance_is_accept(text):
    assert acts_of(text) == (Accept(),)


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "nope",
        "nah",
        "not that one",
        "none of those",
        "neither",
        "neither of those",
        "no thanks",
        "nope thats it",
        "nah id rather be alone",
        "not really",
        "nooo",
        "nah im good",
        "\U0001f44e",
    ],
)
def test_plain_refusal_is_decline(text):
    assert first_act(text) == Decline()
    assert Accept() not in acts_of(text)


def test_no_thanks_also_thanks():
    assert acts_of("no thanks") == (Decline(), Command(CommandKind.THANKS))


@pytest.mark.parametrize("text", ["no, tuesday", "wait no, java not python", "nah python instead"])
def test_no_then_a_new_search_is_the_search(text):
    acts = acts_of(text)
    assert isinstance(acts[0], Search)
    assert Decline() not in acts


# --- Picking an offered time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("2", 2),
        ("#2", 2),
        ("number 2", 2),
        ("the second one", 2),
        ("the 2nd one", 2),
        ("first one", 1),
        ("ok the first one", 1),
        ("option 3", 3),
        ("3 works", 3),
        ("let me do 1", 1),
        ("i'll take 2", 2),
        ("2 please", 2),
        ("two", 2),
    ],
)
def test_a_number_picks_an_offered_time(text, number):
    assert first_act(text) == Pick(number=number)


@pytest.mark.parametrize(
    ("text", "at", "day", "on_date"),
    [
        ("6:30 works", time(18, 30), None, None),
        ("the 10:30 one", time(10, 30), None, None),
        ("thursday at 6:30 please", time(18, 30), "Thursday", None),
        ("ok 6pm then", time(18), None, None),
        ("cool, 9:30 then", time(9, 30), None, None),
        ("2pm", time(14), None, None),
        ("sunday at 11 works", time(11), "Sunday", None),
        ("tonight at 8 works", time(20), "Wednesday", TODAY),
        ("10:30 this friday", time(10, 30), "Friday", date(2026, 12, 4)),
        ("4:30 on the 3rd", time(16, 30), "Thursday", date(2026, 12, 3)),
    ],
)
def test_a_time_picks_an_offered_time_and_also_searches(text, at, day, on_date):
    acts = acts_of(text)
    assert acts[0] == Pick(time=at, day=day, date=on_date)
    assert isinstance(acts[1], Search)  # for when nothing is on offer


@pytest.mark.parametrize("text", ["the earliest one", "the earliest", "earliest one please"])
def test_the_earliest_one_picks_by_order(text):
    assert first_act(text) == Pick(order="earliest")


def test_the_last_one_picks_by_order():
    assert first_act("the last one") == Pick(order="latest")


@pytest.mark.parametrize(
    "text", ["tomorrow morning?", "python at 3", "sql with hana", "thursday evening"]
)
def test_a_search_with_no_time_or_with_a_subject_is_not_a_pick(text):
    assert Pick not in kinds(text)


# --- Refining what is on offer --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("anything later?", RefineKind.LATER),
        ("later", RefineKind.LATER),
        ("anything later in the day?", RefineKind.LATER),
        ("something a bit later", RefineKind.LATER),
        ("got anything after that", RefineKind.LATER),
        ("do you have anything earlier?", RefineKind.EARLIER),
        ("earlier?", RefineKind.EARLIER),
        ("anything sooner", RefineKind.EARLIER),
        ("another day", RefineKind.OTHER_DAY),
        ("a different day please", RefineKind.OTHER_DAY),
        ("what about next week", RefineKind.NEXT_WEEK),
        ("next week?", RefineKind.NEXT_WEEK),
        ("any day is fine", RefineKind.ANY_DAY),
        ("whenever", RefineKind.ANY_DAY),
        ("can i do it online instead", RefineKind.ONLINE),
        ("online?", RefineKind.ONLINE),
        ("zoom instead", RefineKind.ONLINE),
        ("in person instead", RefineKind.ON_CAMPUS),
        ("on campus please", RefineKind.ON_CAMPUS),
        ("someone else", RefineKind.SOMEONE_ELSE),
        ("someone else?", RefineKind.SOMEONE_ELSE),
        ("another tutor", RefineKind.SOMEONE_ELSE),
        ("who else", RefineKind.SOMEONE_ELSE),
        ("is there someone else", RefineKind.SOMEONE_ELSE),
        ("nah not them, anyone else?", RefineKind.SOMEONE_ELSE),
        ("other tutors?", RefineKind.SOMEONE_ELSE),
        ("asap", RefineKind.SOONEST),
        ("soonest", RefineKind.SOONEST),
        ("whats the earliest you have", RefineKind.SOONEST),
        ("other times?", RefineKind.OTHER_TIME),
        ("do you have other times", RefineKind.OTHER_TIME),
        ("a different time", RefineKind.OTHER_TIME),
        ("someone different", RefineKind.SOMEONE_ELSE),
        ("not maya", RefineKind.SOMEONE_ELSE),
        ("i dont want maya", RefineKind.SOMEONE_ELSE),
        ("not monday", RefineKind.OTHER_DAY),
    ],
)
def test_refinements(text, kind):
    assert first_act(text) == Refine(kind)


def test_a_tutor_declined_is_not_searched_for():
    assert not any(isinstance(act, Search) for act in acts_of("not maya"))


def test_a_tutor_declined_for_another_searches_the_other():
    acts = acts_of("not maya, hana")
    assert acts[0] == Refine(RefineKind.SOMEONE_ELSE)
    assert acts[1].request.tutor_ids == (HANA,)


def test_next_week_also_searches_with_the_week():
    acts = acts_of("what about next week")
    assert isinstance(acts[1], Search)
    assert acts[1].request.week == "next"


@pytest.mark.parametrize(
    "text",
    [
        "nvm forget it ill do it later",
        "ill book later",
        "talk to you later",
        "python later than 3",
        "python monday online",
        "discrete math sometime next week",
    ],
)
def test_later_or_a_new_search_is_not_a_refinement(text):
    assert Refine not in kinds(text)


def test_a_pronoun_asks_about_the_tutor_on_offer():
    acts = acts_of("does she have anything on friday")
    search = next(act for act in acts if isinstance(act, Search))
    assert search.same_tutor
    assert search.request.days == ("Friday",)


def test_does_he_do_online_refines_to_online_for_the_same_tutor():
    acts = acts_of("does he do anything online")
    assert acts[0] == Refine(RefineKind.ONLINE)
    assert next(act for act in acts if isinstance(act, Search)).same_tutor


# --- Questions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "subject", "course"),
    [
        ("who teaches java?", "Java", None),
        ("who teaches java", "Java", None),
        ("who can help with CS 111B", "Java", "CS 111B"),
        ("who teaches calc?", "Calculus", None),
        ("who does chem tutoring", "Chemistry", None),
        ("which tutors do python", "Python", None),
        ("whos good at sql", "SQL", None),
        ("do you have psych tutors", None, None),
        ("do you guys also do chemistry?", "Chemistry", None),
        ("is there a stats tutor", "Statistics", None),
    ],
)
def test_who_teaches(text, subject, course):
    assert first_act(text) == Ask(Topic.WHO_TEACHES, subject=subject, course=course)


def test_who_teaches_a_subject_not_taught_carries_it_in_the_search():
    acts = acts_of("do you have anyone for art history")
    assert acts[0] == Ask(Topic.WHO_TEACHES)
    assert acts[1].request.unknown_subject == "Art History"


@pytest.mark.parametrize(
    ("text", "tutors"),
    [
        ("what times does Maya have?", (MAYA,)),
        ("what times does maya have", (MAYA,)),
        ("when is hana free", (HANA,)),
        ("when is priya available", (PRIYA,)),
        ("whats prya's schedule", (PRIYA,)),
    ],
)
def test_tutor_times(text, tutors):
    assert first_act(text) == Ask(Topic.TUTOR_TIMES, tutor_ids=tutors)


@pytest.mark.parametrize(
    "text",
    [
        "can I book with Priya on Thursday?",
        "can i book with priya on thursday",
        "is marcos bell available friday",
        "sql with hana",
        "i want to book with hana kim",
    ],
)
def test_booking_with_a_named_tutor_is_a_search_not_a_question(text):
    acts = acts_of(text)
    assert isinstance(acts[0], Search)
    assert acts[0].request.tutor_ids
    assert not any(isinstance(act, Ask) for act in acts)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("what subjects do you have", Topic.SUBJECTS),
        ("what subjects do you have?", Topic.SUBJECTS),
        ("what can I get help with", Topic.SUBJECTS),
        ("what classes do you guys tutor", Topic.SUBJECTS),
        ("what do you tutor", Topic.SUBJECTS),
        ("is that online or in person?", Topic.MODE),
        ("is that online or in person", Topic.MODE),
        ("and its online right?", Topic.MODE),
        ("is that on zoom or do i have to come in", Topic.MODE),
        ("is it in person", Topic.MODE),
        ("where is the center?", Topic.LOCATION),
        ("where is the tutoring center?", Topic.LOCATION),
        ("where is that?", Topic.LOCATION),
        ("wheres that", Topic.LOCATION),
        ("what room is it in", Topic.LOCATION),
        ("when are you open", Topic.HOURS),
        ("what are your hours?", Topic.HOURS),
        ("hours?", Topic.HOURS),
        ("what time do you close", Topic.HOURS),
        ("phone number", Topic.CONTACT),
        ("how can i email the center", Topic.CONTACT),
        ("how do i contact someone at the center if im running late", Topic.CONTACT),
        ("what did I book?", Topic.MY_BOOKINGS),
        ("when is my appointment?", Topic.MY_BOOKINGS),
        ("when is my appointment", Topic.MY_BOOKINGS),
        ("did i already book something?", Topic.MY_BOOKINGS),
        ("do i have anything booked rn", Topic.MY_BOOKINGS),
        ("what sessions do i have", Topic.MY_BOOKINGS),
        ("wait what time did i pick again?", Topic.MY_BOOKINGS),
        ("what can you do", Topic.HELP),
        ("how does this work", Topic.HELP),
        ("open on weekends?", Topic.HOURS),
        ("when will you be open", Topic.HOURS),
        ("what can i get tutoring in", Topic.SUBJECTS),
        ("where r u located", Topic.LOCATION),
        ("show my bookings", Topic.MY_BOOKINGS),
        ("what time is my appointment", Topic.MY_BOOKINGS),
        ("when am i meeting maya", Topic.MY_BOOKINGS),
        ("show bookings", Topic.MY_BOOKINGS),
        ("do i need to come in", Topic.MODE),
        ("how does the online session work", Topic.MODE),
        ("whats your email", Topic.CONTACT),
        ("who do i call", Topic.CONTACT),
        ("when r u guys open", Topic.HOURS),
        ("how long r the sessions", Topic.LENGTH),
        ("wat do i have booked", Topic.MY_BOOKINGS),
        ("whats the link", Topic.LOCATION),
        ("donde es", Topic.LOCATION),
        ("what place i must go?", Topic.LOCATION),
        ("list of tutors", Topic.WHO_TEACHES),
    ],
)
def test_everyday_questions(text, topic):
    assert first_act(text) == Ask(topic)


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("why do you need my student id?", "student-id"),
        ("why do you need my student id", "student-id"),
        ("why do u need my student id", "student-id"),
        ("why do u need my school email", "ccsf-email"),
        ("why do you need my college email", "ccsf-email"),
        ("why ccsf email", "ccsf-email"),
        ("why do you need my email", "name-email"),
        ("why do you want my name", "name-email"),
        ("what does that mean, like a group session?", "allow-others"),
        ("why do you need my classes", "classes"),
        ("why do you need this", None),
        ("why?", None),
        ("what is that for", None),
        ("is it required", None),
        ("whats the student id for", "student-id"),
        ("is the student id required", "student-id"),
        ("do i have to give my student id", "student-id"),
        ("whats the point of the student id", "student-id"),
        ("do i need a student id", "student-id"),
    ],
)
def test_why_a_step_asks_what_it_asks(text, step):
    assert first_act(text) == Ask(Topic.WHY, step=step)


# --- Corrections ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("oops my email is ben.ortiz@gmail.com", "student_email", "ben.ortiz@gmail.com"),
        ("oops my email is x@y.com", "student_email", "x@y.com"),
        ("actually my name is Ana Lopez", "student_name", "Ana Lopez"),
        ("actually my name is Samuel Lee not Sam", "student_name", "Samuel Lee"),
        ("my name is Carlos Mendoza", "student_name", "Carlos Mendoza"),
        ("my school email is a@mail.ccsf.edu", "college_email", "a@mail.ccsf.edu"),
        (
            "wait my school email is wrong its slee2@mail.ccsf.edu",
            "college_email",
            "slee2@mail.ccsf.edu",
        ),
        ("oh my personal one is jamie.chen@gmail.com", "student_email", "jamie.chen@gmail.com"),
        ("sorry, email should be ana@gmail.com", "student_email", "ana@gmail.com"),
        ("my student id is W1234567", "student_id", "W1234567"),
        ("change the time to 6:30", "time", "6:30"),
        ("actually can we do 6:30 instead", "time", "6:30"),
        ("make it thursday", "day", "Thursday"),
        ("can you change the time to 7", "time", "7"),
        ("make it 6:30", "time", "6:30"),
        ("change my name to Ana Lopez", "student_name", "Ana Lopez"),
        ("name is actually Ana Lopez", "student_name", "Ana Lopez"),
        ("oops wrong email its ana@gmail.com", "student_email", "ana@gmail.com"),
        ("my student id is actually W7654321", "student_id", "W7654321"),
        ("wrong id, its W7654321", "student_id", "W7654321"),
        ("can we do 7 instead", "time", "7"),
        ("actually thursday instead", "day", "Thursday"),
        (
            "Oh dear, I spelled my own name wrong. It is Katharine, with an a.",
            "student_name",
            "Katharine",
        ),
        (
            "I'm sorry, I gave the wrong class. It is MATH 110A, not MATH 80.",
            "classes",
            "MATH 110A",
        ),
    ],
)
def test_corrections_name_the_field(text, field, value):
    assert first_act(text) == Correct(field, value)


def test_several_fields_at_once_are_each_read():
    text = "Ana Lopez ana.lopez@gmail.com and my school email is alopez@mail.ccsf.edu"
    assert Correct("college_email", "alopez@mail.ccsf.edu") in acts_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "alex.rivera@gmail.com",
        "Jamie Chen jamie.chen@gmail.com",
        "W5550123",
        "i cant make it tomorrow",
        "can i do the 6:30 one",
    ],
)
def test_a_plain_form_answer_is_not_a_correction(text):
    assert Correct not in kinds(text)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("actually can we do 6:30 instead", time(18, 30)),
        ("can we do 7 instead", time(19)),
        ("change the time to noon", time(12)),
    ],
)
def test_a_time_change_is_also_a_pick(text, at):
    assert Pick(time=at) in acts_of(text)


# --- Managing bookings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("cancel my booking", ManageKind.CANCEL),
        ("cancel my appointment", ManageKind.CANCEL),
        ("cancel my monday session", ManageKind.CANCEL),
        ("can u cancel it", ManageKind.CANCEL),
        ("i need to cancel", ManageKind.CANCEL),
        ("i cant make my appointment", ManageKind.CANCEL),
        ("don't cancel", ManageKind.KEEP),
        ("dont cancel it", ManageKind.KEEP),
        ("keep it", ManageKind.KEEP),
        ("no wait dont, keep it", ManageKind.KEEP),
        ("actually nvm keep the monday one", ManageKind.KEEP),
        ("reschedule", ManageKind.RESCHEDULE),
        ("can i move it to thursday", ManageKind.RESCHEDULE),
        ("can i reschedule to tuesday", ManageKind.RESCHEDULE),
        ("something came up, can we push it to next week same time", ManageKind.RESCHEDULE),
        ("change my appointment", ManageKind.RESCHEDULE),
        ("can i change the time of my appointment", ManageKind.RESCHEDULE),
        ("move my session to friday", ManageKind.RESCHEDULE),
        ("can we move it", ManageKind.RESCHEDULE),
        ("i cant make it", ManageKind.CANCEL),
        ("delete my appointment", ManageKind.CANCEL),
        ("book another one", ManageKind.ANOTHER),
        ("book another one for friday", ManageKind.ANOTHER),
        ("another session", ManageKind.ANOTHER),
        ("can i also book a bio session on saturday", ManageKind.ANOTHER),
    ],
)
def test_managing_bookings(text, kind):
    assert first_act(text) == Manage(kind)


@pytest.mark.parametrize(
    "text", ["what are my bookings", "show my appointments", "what sessions do i have"]
)
def test_listing_bookings_is_both_a_question_and_a_manage_act(text):
    acts = acts_of(text)
    assert acts[:2] == (Ask(Topic.MY_BOOKINGS), Manage(ManageKind.LIST))


def test_a_reschedule_with_a_day_carries_the_search():
    acts = acts_of("can i move it to thursday")
    assert acts[0] == Manage(ManageKind.RESCHEDULE)
    assert acts[1].request.days == ("Thursday",)


def test_changing_a_session_moves_it_and_corrects_no_field():
    acts = acts_of("can i change my session to friday")
    assert acts[0] == Manage(ManageKind.RESCHEDULE)
    assert Correct not in [type(act) for act in acts]


def test_yes_cancel_it_confirms():
    acts = acts_of("yes cancel it")
    assert acts[0] == Manage(ManageKind.CANCEL)
    assert Accept() in acts


def test_changing_ones_mind_to_a_new_search_does_not_stop():
    assert Command(CommandKind.STOP) not in acts_of("i changed my mind, can i do tuesday")


def test_keeping_a_booking_is_never_cancelling_it():
    for text in ["don't cancel", "no wait dont, keep it", "i do not want to cancel my booking"]:
        assert Manage(ManageKind.CANCEL) not in acts_of(text)


# --- Commands -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("cancel", CommandKind.STOP),
        ("never mind", CommandKind.STOP),
        ("nevermind", CommandKind.STOP),
        ("nvm", CommandKind.STOP),
        ("forget it", CommandKind.STOP),
        ("nvm forget it ill do it later", CommandKind.STOP),
        ("back", CommandKind.BACK),
        ("wait go back", CommandKind.BACK),
        ("start over", CommandKind.START_OVER),
        ("can we start over", CommandKind.START_OVER),
        ("help", CommandKind.HELP),
        ("im confused", CommandKind.HELP),
        ("thanks", CommandKind.THANKS),
        ("thanks!!", CommandKind.THANKS),
        ("thank you so much", CommandKind.THANKS),
        ("hi", CommandKind.GREETING),
        ("hiii", CommandKind.GREETING),
        ("hello!", CommandKind.GREETING),
        ("skip", CommandKind.SKIP),
        ("skip that", CommandKind.SKIP),
        ("none", CommandKind.SKIP),
        ("i dont have one", CommandKind.SKIP),
        ("i don't have one", CommandKind.SKIP),
        ("idk", CommandKind.SKIP),
        ("n/a", CommandKind.SKIP),
        ("no id", CommandKind.SKIP),
        ("no student id", CommandKind.SKIP),
        ("i dont have a student id", CommandKind.SKIP),
    ],
)
def test_commands(text, kind):
    assert first_act(text) == Command(kind)


def test_cool_thanks_accepts_and_thanks():
    assert acts_of("cool thx") == (Accept(), Command(CommandKind.THANKS))


def test_a_bare_cancel_stops_and_cancels_no_booking():
    assert acts_of("cancel") == (Command(CommandKind.STOP),)


@pytest.mark.parametrize(
    "text",
    [
        "ok what about stats then",
        "ok then python on monday",
        "sure, when is hana free",
        "yes but not monday",
        "ok nvm",
    ],
)
def test_a_leading_ok_before_something_else_is_not_a_yes(text):
    assert Accept() not in acts_of(text)


def test_none_to_an_offer_is_also_a_no():
    assert acts_of("none") == (Command(CommandKind.SKIP), Decline())


def test_start_over_with_a_subject_searches_next():
    acts = acts_of("start over with java")
    assert acts[0] == Command(CommandKind.START_OVER)
    assert acts[1].request.subjects == ("Java",)


def test_a_greeting_with_a_request_searches_first():
    acts = acts_of("hi! i need help with python, im free monday after 3, online is better")
    assert isinstance(acts[0], Search)
    assert acts[0].request.earliest == time(15)
    assert acts[-1] == Command(CommandKind.GREETING)


# --- Searches and nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "python on monday",
        "sql class thurs nite",
        "java hw due friday, can i meet wednesday or thursday evening online?",
        "english essay help",
        "i need a chemistry tutor",
        "CS 999",
        "maya",
        "ok hana then",
        "actually afternoon is better",
        "wait no, java not python",
    ],
)
def test_search_terms_give_a_search(text):
    assert isinstance(first_act(text), Search)


@pytest.mark.parametrize("text", ["", "   ", "???", "asdfgh", "banana", "lol", "hmm", "uhh", "ugh"])
def test_text_with_nothing_readable_has_no_acts(text):
    assert acts_of(text) == ()


def test_the_older_intent_is_still_filled_in():
    understanding = understand("python on monday", vocabulary=VOCABULARY, today=TODAY)
    assert understanding.intent == "search"
