"""Who sent a message (connectors/mail_auth.py): only the Authentication-Results header of the
installation's own mail server (its authserv-id) can vouch for the From address, under the
strict, relaxed or off policy. Messages are parsed from bytes as the mailbox delivers them."""

from __future__ import annotations

import logging
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr

import pytest

from connectors.mail_auth import (
    UNVERIFIED,
    MailAuth,
    aligned,
    domain_of,
    parse_header,
    reply_address,
)

MX = "mx.baolam.vn"  # the district's server
CELL = "chibo.thptbaolam@baolam.edu.vn"
GENUINE = (f"{MX}; dkim=pass header.d=baolam.edu.vn; spf=pass smtp.mailfrom={CELL}; "
           "dmarc=pass header.from=baolam.edu.vn")
NO_POLICY = "dmarc=none header.from=baolam.edu.vn"  # the domain publishes no DMARC record


def mail(*results: str, sender: str = CELL, extra: str = "") -> EmailMessage:
    """A message with these Authentication-Results headers (top first) and From ``sender``."""
    headers = "".join(f"Authentication-Results: {value}\r\n" for value in results)
    raw = (f"{headers}{extra}From: Chi bo <{sender}>\r\nTo: bantochuc@baolam.vn\r\n"
           "Subject: Bao cao\r\n\r\nKinh gui.\r\n")
    return message_from_bytes(raw.encode("utf-8", "surrogateescape"),
                              policy=policy.default)  # type: ignore[return-value]


def trusted(message: EmailMessage, auth: MailAuth | None = None) -> bool:
    address = parseaddr(str(message.get("From", "")))[1].lower()  # as the connector reads it
    return (auth or MailAuth([MX])).judge(message, address).trusted


# --- the headers that count -----------------------------------------------------------------

def test_the_district_servers_dmarc_pass_is_trusted():
    assert trusted(mail(GENUINE))


def test_no_header_at_all_is_not_trusted():
    assert not trusted(mail())


@pytest.mark.parametrize("servid", [
    "mx.baolam.vn.mail-check.example",  # starts like ours
    "mx.baolam",  # a part of ours
    "mail.google.com",  # any other server, or the forger's own words
    '"mx.baolam.vn.x"',
])
def test_a_forged_header_under_another_authserv_id_is_ignored(servid):
    forged = GENUINE.replace(MX, servid, 1)
    assert not trusted(mail(forged))
    # under it, the district's own header: it found nothing for the message
    assert not trusted(mail(f"{MX}; spf=none smtp.mailfrom={CELL}; dkim=none; {NO_POLICY}",
                            forged))


@pytest.mark.parametrize("servid", ["MX.BaoLam.VN", f'"{MX}"', f"{MX} 1"])
def test_the_authserv_id_is_read_without_case_quoted_or_with_a_version(servid):
    assert trusted(mail(GENUINE.replace(MX, servid, 1)))


def test_several_ids_may_be_trusted_and_headers_of_one_server_add_up():
    auth = MailAuth("mx.baolam.vn, mx2.baolam.vn")
    assert auth.servids == ("mx.baolam.vn", "mx2.baolam.vn")
    # OpenDKIM and the SPF daemon each add their own header; only the second one passes
    assert trusted(mail(f"mx2.baolam.vn; dkim=none (no signatures); {NO_POLICY}",
                        f"mx.baolam.vn; spf=pass smtp.mailfrom={CELL}"), auth)


def test_authentication_results_are_read_raw_an_encoded_word_is_no_result():
    # decoded (RFC 2047) this would read "dmarc=pass header.from=baolam.edu.vn"
    encoded = "=?utf-8?q?dmarc=3Dpass_header.from=3Dbaolam.edu.vn?="
    assert not trusted(mail(f"{MX}; {encoded}"))


def test_microsoft_365s_header_without_an_authserv_id_counts_for_no_one():
    assert parse_header("spf=pass (sender IP is 203.0.113.5) smtp.mailfrom=baolam.edu.vn; "
                        "dmarc=pass action=none header.from=baolam.edu.vn").servid == ""


# --- what the results must say ----------------------------------------------------------------

def test_a_pass_for_another_domain_does_not_vouch_for_from():
    evil = "mailer.example.net"
    assert not trusted(mail(f"{MX}; spf=pass smtp.mailfrom=bulk@{evil}; "
                            f"dkim=pass header.d={evil}; dmarc=pass header.from={evil}"))
    assert not trusted(mail(f"{MX}; spf=pass smtp.mailfrom=bulk@{evil}; "
                            f"dkim=pass header.d={evil}; {NO_POLICY}"),
                       MailAuth([MX], policy="relaxed"))


@pytest.mark.parametrize("signer", ["baolam.edu.vn", "mail.baolam.edu.vn", "edu.vn",
                                    "BAOLAM.EDU.VN."])
def test_an_aligned_dkim_pass_is_trusted(signer):
    assert trusted(mail(f"{MX}; dkim=pass header.d={signer}; spf=none; {NO_POLICY}"))


def test_an_aligned_spf_pass_is_trusted_a_fail_or_a_sibling_domain_not():
    assert trusted(mail(f"{MX}; spf=pass smtp.mailfrom=bounce@mail.baolam.edu.vn"))
    assert trusted(mail(f"{MX}; spf=pass smtp.mailfrom=baolam.edu.vn"))  # domain only
    assert not trusted(mail(f"{MX}; spf=softfail smtp.mailfrom={CELL}; {NO_POLICY}"))
    assert not trusted(mail(f"{MX}; dkim=fail header.d=baolam.edu.vn; {NO_POLICY}"))
    assert not trusted(mail(f"{MX}; dkim=pass header.d=a.baolam.edu.vn",
                            sender="chibo@b.baolam.edu.vn"))


def test_a_dmarc_fail_is_not_trusted_strict_lets_it_overrule_an_aligned_pass_relaxed_not():
    assert not trusted(mail(f"{MX}; dmarc=fail (p=reject) header.from=baolam.edu.vn"))
    assert not trusted(mail(f"{MX}; dmarc=fail header.from=baolam.edu.vn"),
                       MailAuth([MX], policy="relaxed"))
    overruled = mail(f"{MX}; dkim=pass header.d=mail.baolam.edu.vn; "
                     "dmarc=fail (adkim=s) header.from=baolam.edu.vn")
    assert not trusted(overruled)
    assert trusted(overruled, MailAuth([MX], policy="relaxed"))
    broken = mail(f"{MX}; spf=pass smtp.mailfrom={CELL}; dmarc=permerror "
                  "header.from=baolam.edu.vn")
    assert not trusted(broken)
    assert trusted(broken, MailAuth([MX], policy="relaxed"))


def test_a_dmarc_pass_must_be_for_the_from_domain():
    assert not trusted(mail(f"{MX}; dmarc=pass header.from=mailer.example.net"))
    assert not trusted(mail(f"{MX}; dmarc=pass"))


def test_comments_and_quoted_strings_hide_nothing_and_add_nothing():
    hidden = (f"{MX}; spf=fail (but dkim=pass header.d=baolam.edu.vn; dmarc=pass "
              f"header.from=baolam.edu.vn (nested)) smtp.mailfrom=bulk@mailer.example.net")
    assert not trusted(mail(hidden))
    quoted = f'{MX}; spf=pass smtp.mailfrom="x;dkim=pass header.d=baolam.edu.vn"@evil.example'
    assert not trusted(mail(quoted))
    assert trusted(mail(f'{MX} (Postfix; \\(escaped\\) "x"); DKIM/1 = Pass (ok) '
                        'header.d="baolam.edu.vn" header.b="a;b"'))
    assert trusted(mail(f"{MX};\r\n\tdkim = pass header (the signer) . d = baolam.edu.vn"))


def test_gmails_own_header_is_read():
    gmail = ("mx.google.com;\r\n       dkim=pass header.i=@gmail.com header.s=20230601 "
             "header.b=Xk3/p+Q1;\r\n       spf=pass (google.com: domain of chibo.x@gmail.com "
             "designates 209.85.220.41 as permitted sender) smtp.mailfrom=chibo.x@gmail.com;"
             "\r\n       dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com")
    assert trusted(mail(gmail, sender="chibo.x@gmail.com"), MailAuth(["mx.google.com"]))


def test_from_must_be_one_address_in_one_header():
    assert not trusted(mail(GENUINE, extra=f"From: {CELL}\r\n"))
    assert not trusted(mail(GENUINE, sender=f"{CELL}>, <other@baolam.edu.vn"))
    assert not trusted(mail(GENUINE, sender="no-domain"))


# --- the policy and the sender ---------------------------------------------------------------

def test_without_a_trusted_server_nothing_is_trusted_and_a_run_says_so(caplog):
    auth = MailAuth()
    assert (auth.servids, auth.policy) == ((), "strict")
    assert not trusted(mail(GENUINE), auth)
    with caplog.at_level(logging.WARNING):
        auth.announce()
    assert "CELLREPORTS_MAIL_AUTH_SERVID is not set" in caplog.text


def test_policy_off_trusts_from_as_written_and_logs_a_warning(caplog):
    auth = MailAuth([MX], policy="off")
    assert trusted(mail(), auth)
    with caplog.at_level(logging.WARNING):
        auth.announce()
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "CELLREPORTS_MAIL_AUTH_POLICY=off" in record.getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        MailAuth([MX]).announce()  # strict with a trusted server: nothing to warn about
    assert caplog.records == []


def test_an_unverified_sender_is_a_marker_no_registry_lists_and_replies_go_to_from():
    auth = MailAuth([MX])
    assert auth.sender(mail(GENUINE), CELL)[0] == CELL
    sender, verdict = auth.sender(mail(), CELL)
    assert (sender, verdict.trusted) == (f"{UNVERIFIED}{CELL}", False)
    assert "no Authentication-Results from mx.baolam.vn" in verdict.why
    assert reply_address(sender) == reply_address(CELL) == CELL
    long = "x" * 250 + "@baolam.edu.vn"
    assert len(auth.sender(mail(sender=long), long)[0]) == 255  # the warehouse's column


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="strict, relaxed, off"):
        MailAuth([MX], policy="lenient")


def test_alignment_is_the_same_domain_or_a_sub_domain():
    assert aligned("baolam.edu.vn", "mail.baolam.edu.vn")
    assert aligned("mail.baolam.edu.vn", "baolam.edu.vn")
    assert not aligned("a.baolam.edu.vn", "b.baolam.edu.vn")
    assert not aligned("evilbaolam.edu.vn", "baolam.edu.vn")
    assert not aligned(None, "baolam.edu.vn")
    assert domain_of("Chibo@BaoLam.edu.vn.") == "baolam.edu.vn"
    assert domain_of("@baolam.edu.vn") == "baolam.edu.vn"
    assert domain_of("chibo@trường.vn") == "trường.vn".encode("idna").decode()
    assert domain_of("vn") is None and domain_of("a@b c.vn") is None
