"""The academy, the knowledge base, announcements and support tickets."""

from __future__ import annotations

from prm.accounts.roles import Role as R

from ..actors import Actor as A
from ..cases import args, get, pk, post
from ..rules import (
    NOT_FOUND,
    PARTNER_ANY,
    PARTNER_OWN,
    PUBLIC,
    VENDOR,
    VENDOR_OBJ,
    all_of,
    partner,
    vendor,
    vendor_obj,
)

# partners/knowledge/access.py EDITOR_ROLES write partner-facing content (knowledge and
# announcements); every vendor role reads it.
EDITORS = (R.ADMIN, R.MARKETING, R.CHANNEL_MANAGER)
# partners/support/tickets.py can_handle: an admin, the ticket's owner (P1's channel manager in
# the demo) or the partner's channel manager assigns, triages and resolves.
HANDLE = (R.ADMIN, R.CHANNEL_MANAGER)
PARTNERS = (A.OWNER, A.P1_USER, A.P2)
# The ticket was submitted by P1's admin: P1's plain user sees only its own tickets.
SUBMITTER_ONLY = {A.P1_USER: NOT_FOUND}

CASES = [
    # --- academy (vendor portal) ----------------------------------------------------------------
    get("academy:courses", VENDOR),
    get("academy:completion", VENDOR),
    get("academy:certificates", VENDOR),
    get("academy:certificate_pdf", VENDOR_OBJ, pk("certificate")),
    get("academy:file", VENDOR, pk("lesson_file")),
    # --- the public certificate check: the code of this vendor's certificate, not alpha's -------
    get("certificates:verify", PUBLIC),
    get(
        "certificates:verify_code",
        PUBLIC,
        lambda w: {"code": w["certificate_code"]},
        ids=False,
        overrides={A.ALPHA_HOST: NOT_FOUND},
    ),
    # --- academy (partner portal): courses by assignment, attempts per person ------------------
    get("portal_academy:list", PARTNER_ANY),
    get("portal_academy:course", PARTNER_ANY, pk("course")),
    get(
        "portal_academy:course",
        PARTNER_ANY,
        pk("course_unassigned"),
        overrides=all_of(PARTNERS, NOT_FOUND),
        note="not assigned",
    ),
    get("portal_academy:quiz", PARTNER_ANY, pk("course")),
    get("portal_academy:lesson", PARTNER_ANY, pk("lesson")),
    post("portal_academy:lesson_complete", PARTNER_ANY, pk("lesson")),
    get("portal_academy:file", PARTNER_ANY, pk("lesson_file")),
    get("portal_academy:attempt", PARTNER_OWN, pk("attempt"), overrides={A.P1_USER: NOT_FOUND}),
    get("portal_academy:certificates", PARTNER_ANY),
    # P1's admin's own certificate: the admin sees its company's, a plain user only its own.
    get(
        "portal_academy:certificate_pdf",
        PARTNER_OWN,
        pk("certificate"),
        overrides={A.P1_USER: NOT_FOUND},
    ),
    get("portal_academy:team", partner(admin_only=True)),
    # --- knowledge base -------------------------------------------------------------------------
    get("knowledge:list", VENDOR),
    get("knowledge:new", vendor(*EDITORS)),
    get("knowledge:detail", VENDOR, pk("article")),
    get("knowledge:edit", vendor(*EDITORS), pk("article")),
    get("knowledge:versions", VENDOR, pk("article")),
    post("knowledge:restore", vendor(*EDITORS), args(pk="article", number="article_version")),
    post("knowledge:publish", vendor(*EDITORS), pk("article_draft")),
    post("knowledge:unpublish", vendor(*EDITORS), pk("article")),
    post("knowledge:archive", vendor(*EDITORS), pk("article"), data=lambda w: {"reason": "x"}),
    post("knowledge:attachment_add", vendor(*EDITORS), pk("article")),
    get("knowledge:attachment", VENDOR, pk("article_attachment")),
    post("knowledge:attachment_delete", vendor(*EDITORS), pk("article_attachment")),
    get("portal_knowledge:list", PARTNER_ANY, shows=lambda w: w["article_title"]),
    # An article for P1's audience (its region), not P2's.
    get("portal_knowledge:detail", PARTNER_OWN, pk("article")),
    get("portal_knowledge:detail", PARTNER_ANY, pk("article_all"), note="every partner"),
    post(
        "portal_knowledge:feedback", PARTNER_OWN, pk("article"), data=lambda w: {"helpful": "yes"}
    ),
    get("portal_knowledge:attachment", PARTNER_OWN, pk("article_attachment")),
    get(
        "portal_knowledge:attachment",
        PARTNER_ANY,
        pk("article_attachment_all"),
        note="every partner",
    ),
    # --- announcements --------------------------------------------------------------------------
    get("announcements:list", VENDOR),
    get("announcements:new", vendor(*EDITORS)),
    get("announcements:detail", VENDOR, pk("announcement")),
    get("announcements:edit", vendor(*EDITORS), pk("announcement_draft")),
    post("announcements:publish", vendor(*EDITORS), pk("announcement_draft")),
    post(
        "announcements:withdraw",
        vendor(*EDITORS),
        pk("announcement"),
        data=lambda w: {"reason": "内容有误"},
    ),
    # Who has not read it yet, by name: a channel manager only of the partners he manages.
    get(
        "announcements:outstanding_csv",
        VENDOR,
        pk("announcement"),
        shows=lambda w: w["p1_name"],
    ),
    get("announcements:attachment", VENDOR, pk("announcement_attachment")),
    post("announcements:attachment_delete", vendor(*EDITORS), pk("announcement_attachment")),
    get("portal_announcements:list", PARTNER_ANY),
    # An announcement to P1's region only.
    get("portal_announcements:detail", PARTNER_OWN, pk("announcement")),
    post("portal_announcements:acknowledge", PARTNER_OWN, pk("announcement")),
    get("portal_announcements:attachment", PARTNER_OWN, pk("announcement_attachment")),
    # --- support tickets ------------------------------------------------------------------------
    get("support:queue", VENDOR),
    get("support:detail", VENDOR_OBJ, pk("ticket")),
    post(
        "support:reply",
        VENDOR_OBJ,
        pk("ticket"),
        data=lambda w: {"kind": "note", "body": "已联系物流"},
    ),
    post(
        "support:assign",
        vendor_obj(*HANDLE),
        pk("ticket"),
        data=lambda w: {"owner": w["vendor_admin"]},
    ),
    post(
        "support:triage",
        vendor_obj(*HANDLE),
        pk("ticket"),
        data=lambda w: {"category": "defect", "priority": "high"},
    ),
    post(
        "support:resolve",
        vendor_obj(*HANDLE),
        pk("ticket"),
        data=lambda w: {"resolution": "已更换"},
    ),
    # Any vendor person who sees the ticket may turn it into a draft article (nobody reads a
    # draft but vendor staff; publishing it is for the editors).
    post("support:article", VENDOR_OBJ, pk("ticket")),
    get("support:attachment", VENDOR_OBJ, pk("ticket_attachment")),
    get(
        "support:attachment",
        VENDOR_OBJ,
        pk("ticket_note_attachment"),
        note="internal note",
    ),
    get("portal_support:list", PARTNER_ANY),
    get("portal_support:new", PARTNER_ANY),
    get("portal_support:detail", PARTNER_OWN, pk("ticket"), overrides=SUBMITTER_ONLY),
    post(
        "portal_support:reply",
        PARTNER_OWN,
        pk("ticket"),
        data=lambda w: {"body": "还是不行"},
        overrides=SUBMITTER_ONLY,
    ),
    post("portal_support:confirm", PARTNER_OWN, pk("ticket_resolved"), overrides=SUBMITTER_ONLY),
    post(
        "portal_support:reopen",
        PARTNER_OWN,
        pk("ticket_resolved"),
        data=lambda w: {"reason": "问题依旧"},
        overrides=SUBMITTER_ONLY,
    ),
    get(
        "portal_support:attachment", PARTNER_OWN, pk("ticket_attachment"), overrides=SUBMITTER_ONLY
    ),
    # An internal note's file: the partner never sees it, its own ticket or not.
    get(
        "portal_support:attachment",
        PARTNER_OWN,
        pk("ticket_note_attachment"),
        overrides=all_of(PARTNERS, NOT_FOUND),
        note="internal note",
    ),
]
