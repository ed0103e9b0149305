"""End to end: the Telegram findings (../shared/findings/telegram.md, issue 13) that had no test
against `ktbot run` and the Bot API emulator yet, one or more tests per finding id.

The rest are in tests/test_findings_e2e.py, tests/test_handoff_e2e.py (B2, case B),
tests/test_forum_e2e.py and tests/test_e2e.py (R13). As there, one emulator and one bot
process serve the whole module and every test plays fresh users; the R9 test restarts the
bot, so it comes last.
"""

from __future__ import annotations

import asyncio
import os
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

import pytest

from tests.bot_process import (
    BotProcess,
    copy_knowledge,
    ktbot_command,
)
from tests.e2e_helpers import WAIT, admin_user, callback_data, press
from tests.emulator import BotApiEmulator, StoredMessage, User
from tests.test_findings_e2e import (
    MENTION,
    NO_ANSWER,
    ask,
    changed,
    labels,
    module_emulator,
    module_ktbot,
    staff,
    yes_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

FALLBACK = "what will the weather be in Geneva tomorrow"


api = module_emulator("api")
ktbot = module_ktbot(admin_chat_first=True)


# --- helpers ------------------------------------------------------------------------------


def is_text(part: str):
    return lambda m: part in (m.text or "")


async def forwarded(api: BotApiEmulator, user: User, question: str) -> tuple[StoredMessage, ...]:
    """Ask, press 🙋 and ✅: (the answer, the consent prompt, the enquiry at staff)."""
    answer = await ask(api, user, question)
    await press(api, user, answer, callback_data(answer, "h")[0])
    prompt = await api.wait_for_message(user, is_text("Do you agree"), WAIT)
    await press(api, user, prompt, yes_of(prompt))
    enquiry = await api.wait_for_message(staff(api), from_user(user), WAIT)
    return answer, prompt, enquiry


def from_user(user: User):
    """The staff chat's copy of this user's enquiry (the staff chat is shared by the tests)."""
    return lambda m: "Enquiry #" in (m.text or "") and f"from {user.first_name}" in m.text


def enquiry_id(enquiry: StoredMessage) -> str:
    return (enquiry.text or "").split("Enquiry #", 1)[1].split()[0]


# --- B1: the user can answer KT staff ------------------------------------------------------


async def test_b1_a_users_reply_to_staff_reaches_the_staff_chat(api: BotApiEmulator, ktbot):
    user = api.new_user("Ingrid", username="ingrid_b1")
    kai = admin_user(api)
    _, _, enquiry = await forwarded(api, user, NO_ANSWER)
    fallbacks = len([m for m in api.sent_messages(user) if "reliable answer" in (m.text or "")])
    api.user_sends_text(kai, staff(api), "Yes, at CLEAR. Could you call us?", reply_to=enquiry)
    relayed = await api.wait_for_message(user, is_text("Could you call us"), WAIT)

    api.user_sends_text(user, None, "Great, thanks! What would beam time cost?", reply_to=relayed)
    api.user_sends_text(user, None, "Monday works, 10:00?")
    for words in ("What would beam time cost", "Monday works"):
        follow_up = await api.wait_for_message(staff(api), is_text(words), WAIT)
        assert f"#{enquiry_id(enquiry)}" in (follow_up.text or "")
    for _ in range(2):  # the user is told each time, and gets no matcher answer instead
        await api.wait_for_message(user, is_text("Passed on to the KT team"), WAIT)
    after = [m for m in api.sent_messages(user) if "reliable answer" in (m.text or "")]
    assert len(after) == fallbacks


# --- B2, case A: a question near 4,096 characters reaches staff within the limit ----------


async def test_b2_a_very_long_question_reaches_staff_whole_within_the_message_limit(
    api: BotApiEmulator, ktbot
):
    user = api.new_user("Pasted", username="pasted_email")
    question = ("We would like to discuss beam time for our detector tests. " * 70)[:4070]
    question += " END-OF-MAIL"  # 4,082 characters: with the staff header, over 4,096
    contact = await ask(api, user, "/contact")
    await press(api, user, contact, callback_data(contact, "h")[0])
    asking = await api.wait_for_message(user, is_text("Please type the question"), WAIT)
    api.user_sends_text(user, None, question, reply_to=asking)
    prompt = await api.wait_for_message(user, is_text("Do you agree"), WAIT)
    await press(api, user, prompt, yes_of(prompt))
    await changed(api, prompt, lambda m: "We have your question" in (m.text or ""))
    await api.wait_for_message(staff(api), is_text("END-OF-MAIL"), WAIT)  # the whole of it
    assert all(len(m.text or "") <= 4096 for m in api.sent_messages(staff(api)))


# --- B7: /forget forgets the pending question, and the staff copy ---------------------------


async def test_b7_after_forget_the_old_question_is_not_offered_and_staff_copies_go(
    api: BotApiEmulator, ktbot
):
    user = api.new_user("Forgetful", username="forget_me")
    _, _, enquiry = await forwarded(api, user, NO_ANSWER)
    await ask(api, user, "waht is medcis")
    prompt = await ask(api, user, "/forget")
    await press(api, user, prompt, next(d for d in callback_data(prompt, "forget") if "|y" in d))
    await changed(api, prompt, lambda m: "Done: deleted" in (m.text or ""))

    contact = await ask(api, user, "/contact")
    await press(api, user, contact, callback_data(contact, "h")[0])
    asked = await api.wait_for_message(user, None, WAIT)
    assert "Please type the question" in (asked.text or "")  # nothing held in memory
    assert "medcis" not in (asked.text or "")
    number = enquiry_id(enquiry)
    await api.wait_for_message(staff(api), is_text(f"Enquiry #{number} closed: the user"), WAIT)
    kept = [m for m in api.sent_messages(staff(api)) if m.message_id == enquiry.message_id]
    assert not kept  # the staff copy, with the name and question, was deleted


# --- B8: staff photos, documents and long replies reach the user ----------------------------


async def test_b8_staff_photo_document_and_long_reply_are_relayed(api: BotApiEmulator, ktbot):
    user = api.new_user("Media", username="media_user")
    kai = admin_user(api)
    _, _, enquiry = await forwarded(api, user, NO_ANSWER)
    api.user_sends_photo(kai, staff(api), caption="here is the beam layout", reply_to=enquiry)
    api.user_sends_document(kai, staff(api), file_name="layout.pdf", reply_to=enquiry)
    long_reply = "Beam time details. " * 214 + "LAST-LINE"  # 4,080 characters
    api.user_sends_text(kai, staff(api), long_reply, reply_to=enquiry)

    last = await api.wait_for_message(user, is_text("LAST-LINE"), WAIT)
    received = api.sent_messages(user)
    assert any(m.media.get("photo") for m in received)
    assert any(m.media.get("document") for m in received)
    assert all(len(m.text or "") <= 4096 for m in received) and last is not None
    for _ in range(3):
        await api.wait_for_message(staff(api), is_text("Sent to the user"), WAIT)


# --- B10: matching and mentions -----------------------------------------------------------


async def test_b10_proton_therapy_a_typo_and_an_upper_case_mention_are_understood(
    api: BotApiEmulator, ktbot
):
    user = api.new_user("Physicist")
    group = api.new_group("Hospital physicists")
    proton = await ask(api, user, "proton therapy")
    assert "Medical advice and treatment" not in (proton.text or "")
    typo = await ask(api, user, "medcis")
    assert "MEDICIS" in (typo.text or "") and "reliable answer" not in (typo.text or "")
    flash = await ask(api, user, f"what is FLASH {MENTION.upper()}", group)
    assert "FLASH" in (flash.text or "") and "About this assistant" not in (flash.text or "")


# --- B11: ids too long for callback data or deep links are rejected by `ktbot check` -------


async def test_b11_ktbot_check_rejects_a_category_id_too_long_for_a_button(tmp_path: Path):
    knowledge = copy_knowledge(tmp_path / "knowledge")
    long_id = "accelerators-" + "x" * 49  # 62 characters: cat|<id> would be 66 bytes
    for path in [knowledge / "categories.yaml", knowledge / "topics" / "accelerators.yaml"]:
        text = path.read_text(encoding="utf-8")
        text = text.replace("id: accelerators\n", f"id: {long_id}\n")
        path.write_text(text.replace("category: accelerators\n", f"category: {long_id}\n"))
    env = {**os.environ, "KTBOT_KNOWLEDGE_DIR": str(knowledge)}
    check = await asyncio.create_subprocess_exec(
        *ktbot_command(), "check", env=env, stdout=PIPE, stderr=STDOUT
    )
    output, _ = await check.communicate()
    assert check.returncode != 0, output
    assert b"too long for a Telegram button" in output


# --- R2, R3: the welcome comes back; small talk is not a category ---------------------------


async def test_r2_home_after_browsing_shows_the_welcome_again(api: BotApiEmulator, ktbot):
    user = api.new_user("Browser")
    welcome = await ask(api, user, "/start")
    first_line = (welcome.text or "").splitlines()[0]
    category = callback_data(welcome, "cat")[0]
    await press(api, user, welcome, category)
    opened = await changed(api, welcome, lambda m: (m.text or "").splitlines()[0] != first_line)
    await press(api, user, opened, "home")
    await changed(api, welcome, lambda m: (m.text or "").startswith(first_line))


async def test_r3_small_talk_is_not_offered_in_the_topic_browser(api: BotApiEmulator, ktbot):
    user = api.new_user("Curious")
    browser = await ask(api, user, "/topics")
    assert "cat|smalltalk" not in callback_data(browser, "cat")
    assert not any("Small talk" in label for label in labels(browser).values())
    hello = await ask(api, user, "hello")  # still answered when typed
    assert "Hello" in (hello.text or "")


# --- R4, R17: votes under browsed topics count; /stats shows the traffic -------------------


async def test_r4_votes_under_a_deep_linked_topic_are_recorded(api: BotApiEmulator, ktbot):
    user = api.new_user("Linked")
    api.user_starts_bot(user, "project__flash")
    topic = await api.wait_for_message(user, None, WAIT)
    up = next(d for d in callback_data(topic, "fv") if d.endswith("|1"))
    assert callback_data(topic, "h"), "Talk to a person is offered too"
    answer = await press(api, user, topic, up)
    assert answer.get("text") == "Thanks for your feedback!"
    await changed(api, topic, lambda m: any("✓" in label for label in labels(m).values()))


async def test_r17_stats_show_titles_hand_offs_and_deep_link_and_browse_traffic(
    api: BotApiEmulator, ktbot
):
    user = api.new_user("Counted")
    api.user_starts_bot(user, "project__flash")
    await api.wait_for_message(user, None, WAIT)
    browser = await ask(api, user, "/topics")
    await press(api, user, browser, callback_data(browser, "cat")[0])
    await ask(api, user, "what is MEDICIS?")
    stats = await ask(api, admin_user(api), "/stats")
    text = stats.text or ""
    assert "Hand-offs to staff" in text
    assert "Topics opened without a question" in text
    deep_links = next(line for line in text.splitlines() if "deep links" in line)
    assert int(deep_links.split()[-1]) >= 1
    assert "CERN-MEDICIS" in text  # a title (not project.medicis, nor the question asked)
    assert "project.medicis" not in text


# --- R7: hand-off texts -------------------------------------------------------------------


async def test_r7_contact_does_not_refer_to_itself(api: BotApiEmulator, ktbot):
    user = api.new_user("Contact")
    contact = await ask(api, user, "/contact")
    assert "/contact" not in (contact.text or "")
    assert callback_data(contact, "h")  # the button the text points to


async def test_r7_after_a_forward_the_user_is_told_what_happens_next(api: BotApiEmulator, ktbot):
    user = api.new_user("Next", username="next_steps")
    _, prompt, _ = await forwarded(api, user, NO_ANSWER)
    told = await changed(api, prompt, lambda m: "We have your question" in (m.text or ""))
    assert "answer you in this chat" in (told.text or "")
    assert "Telegram will notify you" in (told.text or "")
    assert "working day" not in (told.text or "")  # no reply time unless staff set one
    assert not told.buttons


async def test_r7_the_consent_prompt_names_only_what_the_user_has(api: BotApiEmulator, ktbot):
    without = api.new_user("Hanna")  # no @username
    answer = await ask(api, without, NO_ANSWER)
    await press(api, without, answer, callback_data(answer, "h")[0])
    prompt = await api.wait_for_message(without, is_text("Do you agree"), WAIT)
    assert "username" not in (prompt.text or "")
    with_handle = api.new_user("Vera", username="vera_rt")
    answer = await ask(api, with_handle, NO_ANSWER)
    await press(api, with_handle, answer, callback_data(answer, "h")[0])
    prompt = await api.wait_for_message(with_handle, is_text("Do you agree"), WAIT)
    assert "@vera_rt" in (prompt.text or "")


# --- R8: no double forward; /contact takes a typed question ---------------------------------


async def test_r8_a_second_forward_of_the_same_enquiry_says_already_sent(
    api: BotApiEmulator, ktbot
):
    user = api.new_user("Twice", username="twice")
    answer, _, enquiry = await forwarded(api, user, NO_ANSWER)
    before = len(api.sent_messages(staff(api)))
    toast = await press(api, user, answer, callback_data(answer, "h")[0])
    assert "already sent this question" in (toast.get("text") or "")
    assert f"#{enquiry_id(enquiry)}" in (toast.get("text") or "")
    assert len(api.sent_messages(staff(api))) == before  # nothing reached staff again


async def test_r8_contact_lets_the_user_type_the_question_to_send(api: BotApiEmulator, ktbot):
    user = api.new_user("Typist")
    await ask(api, user, "what is the kt fund")
    contact = await ask(api, user, "/contact")
    await press(api, user, contact, callback_data(contact, "h")[0])
    asking = await api.wait_for_message(user, is_text("Please type the question"), WAIT)
    assert (asking.reply_markup or {}).get("force_reply")
    api.user_sends_text(user, None, "can we rent a magnet for a week", reply_to=asking)
    prompt = await api.wait_for_message(user, is_text("Do you agree"), WAIT)
    assert "rent a magnet" in (prompt.text or "") and "kt fund" not in (prompt.text or "")


# --- R10: staff may ask the bot in the staff chat -----------------------------------------


async def test_r10_a_question_to_the_bot_in_the_staff_chat_is_answered(api: BotApiEmulator, ktbot):
    sam = api.new_user("Sam")
    api.user_sends_text(sam, staff(api), f"{MENTION} what is MEDICIS?")
    answer = await api.wait_for_message(staff(api), is_text("CERN-MEDICIS"), WAIT)
    assert "MEDICIS" in (answer.text or "")
    assert "Not delivered" not in (answer.text or "")


# --- R11: old buttons after /forget, and the /forget prompt ---------------------------------


async def test_r11_old_buttons_after_forget_tell_the_truth_and_log_no_error(
    api: BotApiEmulator, ktbot: BotProcess
):
    user = api.new_user("Erased")
    answer = await ask(api, user, "what is MEDICIS?")
    unsure = await ask(api, user, "ion therapy in Europe")
    none_of_these = callback_data(unsure, "n")
    assert none_of_these, unsure.buttons
    prompt = await ask(api, user, "/forget")
    assert "its own record of your enquiries" in (prompt.text or "")
    assert "any hand-off to staff" not in (prompt.text or "")
    await press(api, user, prompt, next(d for d in callback_data(prompt, "forget") if "|y" in d))
    await changed(api, prompt, lambda m: "Done: deleted" in (m.text or ""))

    vote = await press(
        api, user, answer, next(d for d in callback_data(answer, "f") if d[-1] == "1")
    )
    assert "no longer on record" in (vote.get("text") or "")
    assert "right now" not in (vote.get("text") or "")
    await press(api, user, unsure, none_of_these[0])
    fallback = await changed(api, unsure, lambda m: "reliable answer" in (m.text or ""))
    assert "no longer on record" in (fallback.text or "")
    assert "noted your question" not in (fallback.text or "")
    errors = [line for line in ktbot.log_text().splitlines() if "no exchange #" in line]
    assert not [line for line in errors if "ERROR" in line], errors


# --- R12: groups ----------------------------------------------------------------------------


async def test_r12_unknown_commands_and_someone_elses_forget_prompt_in_a_group(
    api: BotApiEmulator, ktbot
):
    vera = api.new_user("Vera", username="vera_r12")
    wim = api.new_user("Wim")
    group = api.new_group("Colleagues")
    unknown = await ask(api, vera, "/foo@ktbot_test_bot", group)
    assert "don’t know that command" in (unknown.text or "")
    prompt = await ask(api, vera, "/forget@ktbot_test_bot", group)
    yes = next(d for d in callback_data(prompt, "forget") if "|y" in d)
    toast = await press(api, wim, prompt, yes)
    assert "for the person who sent /forget" in (toast.get("text") or "")
    assert "Done: deleted" not in (api.message(group, prompt.message_id).text or "")


# --- R14: commands are rate-limited ---------------------------------------------------------


async def test_r14_a_burst_of_commands_is_rate_limited(api: BotApiEmulator, ktbot):
    user = api.new_user("Flooder")
    for _ in range(40):
        api.user_sends_text(user, None, "/topics")
    await api.wait_for_message(user, is_text("faster than I can answer"), WAIT)
    later = api.new_user("Patient")
    await ask(api, later, "/topics")  # others are still served, so the burst is handled
    assert len(api.sent_messages(user)) < 40


# --- R15: near misses get a topic or "did you mean…" ---------------------------------------


async def test_r15_an_isotope_request_is_not_a_fallback(api: BotApiEmulator, ktbot):
    user = api.new_user("Radiochemist")
    reply = await ask(api, user, "how can I get Tb-149 for a preclinical study")
    assert "reliable answer" not in (reply.text or ""), reply.text


# --- R16: resolve is confirmed by a topic title, and can be undone --------------------------


async def test_r16_a_resolve_is_chosen_by_title_and_can_be_undone(api: BotApiEmulator, ktbot):
    user = api.new_user("Asker")
    await ask(api, user, "is there a cafeteria menu for visitors at CERN")
    kai = admin_user(api)
    page = await ask(api, kai, "/unanswered")
    choose = callback_data(page, "ac")[0]
    question_id = choose.split("|")[1]
    await press(api, kai, page, choose)
    choices = await changed(api, page, lambda m: bool(callback_data(m, "ar")))
    resolve = callback_data(choices, "ar")[0]
    assert labels(choices)[resolve].startswith("✅ ") and "." not in labels(choices)[resolve][:4]
    toast = await press(api, kai, choices, resolve)
    assert f"#{question_id} resolved by" in (toast.get("text") or "")
    after = await changed(api, page, lambda m: bool(callback_data(m, "au")))
    undo = callback_data(after, "au")[0]
    assert undo.split("|")[1] == question_id
    toast = await press(api, kai, after, undo)
    assert f"#{question_id} is open again" in (toast.get("text") or "")
    reopened = await changed(api, page, lambda m: not callback_data(m, "au"))
    assert f"ac|{question_id}|" in " ".join(callback_data(reopened, "ac"))


# --- R19: admins see their commands -----------------------------------------------------------


async def test_r19_admins_see_the_admin_commands_in_their_menu(api: BotApiEmulator, ktbot):
    kai = admin_user(api)
    seen = {c["command"] for c in api.commands_seen_by(kai)}
    assert {"reload", "unanswered", "stats"} <= seen
    user = api.new_user("Plain")
    assert not {"reload", "unanswered", "stats"} & {
        c["command"] for c in api.commands_seen_by(user)
    }


# --- R9: a consent prompt from before a restart (last: it restarts the bot) -------------------


async def test_r9_a_consent_prompt_from_before_a_restart_still_forwards_its_question(
    api: BotApiEmulator, ktbot: BotProcess
):
    user = api.new_user("Deploy", username="deploy_day")
    answer = await ask(api, user, NO_ANSWER)
    await press(api, user, answer, callback_data(answer, "h")[0])
    prompt = await api.wait_for_message(user, is_text("Do you agree"), WAIT)
    await ktbot.stop()
    await ktbot.start()
    await press(api, user, prompt, yes_of(prompt))
    enquiry = await api.wait_for_message(staff(api), from_user(user), WAIT)
    assert "parking" in (enquiry.text or "") and "@deploy_day" in (enquiry.text or "")
    told = await changed(api, prompt, lambda m: "We have your question" in (m.text or ""))
    assert not told.buttons  # no live-looking buttons left
