"""Everything the bot says about enquiries ("Talk to a person"), in one place.

User-facing strings are English msgids marked with `N_` and translated where shown
(`bot.i18n.translator`); staff-chat strings are for KT staff and stay in English.
"""

from __future__ import annotations

from bot.i18n import N_

# --- to the user ---------------------------------------------------------------------------

ASK_QUESTION = N_(
    "Please type the question you would like to send to the CERN Knowledge Transfer team, "
    "as a reply to this message. I will ask before sharing anything."
)
ASK_PLACEHOLDER = N_("Your question for the KT team")
CONSENT = N_(
    "I can forward your question to the CERN Knowledge Transfer team. So that they can "
    "answer you, I will share {what} with them, together with this question:"
    "\n\n<i>{question}</i>\n\nDo you agree?"
)
CONSENT_NAME = N_("your <b>name</b> as shown in Telegram")
"""For a user without a @username: only what they have is named."""
CONSENT_NAME_AND_HANDLE = N_("your <b>name</b> and your Telegram username <b>@{username}</b>")
CONSENT_FROM_GROUP = N_(
    "They will answer you in a private chat with me, not in this group "
    "(open one with {bot} if you have not yet)."
)
RECEIVED = N_(
    "✅ We have your question (enquiry #{id}). A member of the CERN Knowledge Transfer team "
    "will answer you in this chat, and Telegram will notify you when they do. Until then, "
    "what you send me here goes to them too."
)
RECEIVED_PRIVATE = N_(
    "✅ We have your question (enquiry #{id}). A member of the CERN Knowledge Transfer team "
    "will answer you in a private chat with me, and Telegram will notify you when they do."
)
DECLINED = N_("OK — nothing was shared.")
EXPIRED = N_("This request has expired. Press “Talk to a person” again to send a question.")
NOT_YOURS = N_("Only the person who asked this question can send it to the KT team.")
ALREADY_SENT = N_("You already sent this question to the KT team (enquiry #{id}).")
NO_LONGER_ON_RECORD = N_("That question is no longer on record; please type it again.")
NOT_AVAILABLE = N_(
    "Forwarding to a person is not available here. Please use the contact page of CERN "
    "Knowledge Transfer: https://kt.cern/"
)
FORGET_STAFF_COPIES = N_(
    "Your enquiries to KT staff are closed too, and my messages about them in the staff chat "
    "are deleted if they are less than 48 hours old (Telegram allows no more). Older copies, "
    "and anything staff noted elsewhere, I cannot delete: staff are told to delete them."
)
FOLLOW_UP_SENT = N_("↪️ Passed on to the KT team (enquiry #{id}).")
FOLLOW_UP_FAILED = N_(
    "⚠️ I could not pass that on to the KT team just now. Please send it again in a moment."
)
STAFF_REPLY = N_("💬 <b>CERN Knowledge Transfer team</b> (enquiry #{id}):")
CLOSED_FOR_USER = N_(
    "✔️ The KT team has closed your enquiry #{id}. Your messages here go to me again; press "
    "“Talk to a person” (or use /contact) to start a new enquiry."
)

# --- to KT staff ---------------------------------------------------------------------------

STAFF_ENQUIRY_HEADER = "📨 <b>Enquiry #{id}</b> from {name}{origin}:"
STAFF_ENQUIRY_FOOTER = (
    "<i>Reply to this message to answer through the bot (text, photo, document or voice); "
    "the button or /close (as a reply) closes it.</i>"
)
STAFF_TOPIC_FOOTER = (
    "<i>Write in this topic to answer through the bot (text, photo, document or voice; no "
    "need to reply); the button or /close in this topic closes it.</i>"
)
STAFF_ORIGIN_GROUP = " (asked in a group; answered in private)"
STAFF_FOLLOW_UP = "↩️ <b>#{id}</b> {name}:"
STAFF_FOLLOW_UP_MEDIA = "↩️ <b>#{id}</b> {name} sent this:"
STAFF_SENT = "✅ Sent to the user."
STAFF_BLOCKED = "⚠️ Not delivered: the user has blocked the bot or never opened a private chat."
STAFF_REFUSED = "⚠️ Not delivered: Telegram refused it ({error})."
STAFF_FORGOTTEN = (
    "⚠️ Not delivered: enquiry #{id} was closed because the user asked the bot to forget them."
)
STAFF_CLOSED = "✔️ Enquiry #{id} closed by {who}. The user was told."
STAFF_ALREADY_CLOSED = "Enquiry #{id} is already closed."
STAFF_CLOSE_HOW = "Send /close in the enquiry's topic, or as a reply to one of its messages."
STAFF_FORGET_NOTE = "🗑 Enquiry #{id} closed: the user asked the bot to forget them. {deleted}"
STAFF_FORGET_DELETED = "Its messages here were deleted."
STAFF_FORGET_TOPIC_DELETED = "Its topic was deleted."
STAFF_FORGET_KEPT = (
    "{kept} message(s) here are too old for the bot to delete: please delete them by hand."
)
STAFF_REMINDER = (
    "⏰ Enquiry #{id} has waited {age} without an answer: {title}\n"
    "<i>Reply to the enquiry to answer it.</i>"
)
STAFF_LIST_EMPTY = "No open enquiries."
STAFF_LIST_TITLE = "<b>Open enquiries ({count}), oldest first:</b>"
STAFF_UNDELIVERED = "Enquiry #{id} could not be delivered to the staff chat yet: {error}"
ADMIN_DELIVERY_FAILED = (
    "⚠️ Enquiry #{id} could not be delivered to the staff chat ({error}). The bot keeps "
    "retrying; /enquiries lists it. Check that the bot is still a member of the staff chat."
)
CLOSE_BUTTON = "✔️ Close"
ADMIN_FORUM_NO_RIGHTS = (
    "⚠️ The staff chat has topics, but the bot may not manage them, so each enquiry is "
    "posted in General as a message to reply to. Make the bot an administrator with "
    "“Manage topics” to give each enquiry its own topic."
)
