"""Who sent a message: the From header says so, the district's mail server can vouch for it.

Anyone can write any address in From. The mail server that received the message checks SPF
(the envelope sender's domain allows the sending machine), DKIM (a signature of a domain) and
DMARC (the From domain's own policy over both) and writes what it found in an
``Authentication-Results`` header (RFC 8601) at the top of the message, headed by its
*authserv-id*. Only headers under the authserv-id(s) of the installation's own server
(``CELLREPORTS_MAIL_AUTH_SERVID``) count: a sender can write any other header, under any
other id, into the message itself. That server must remove headers that arrive already
claiming its id (RFC 8601 section 5; docs/schedule.md says how).

Policies (``CELLREPORTS_MAIL_AUTH_POLICY``), each on the trusted server's results only:

``strict`` (default)
    DMARC pass for the From domain; or an SPF pass whose envelope domain
    (``smtp.mailfrom``), or a DKIM pass whose signing domain (``header.d``), is aligned with
    the From domain — unless the server reports DMARC ``fail``, ``temperror`` or
    ``permerror`` for the From domain: the domain owner's own verdict then wins.
``relaxed``
    DMARC pass for the From domain, or an aligned SPF or DKIM pass, whatever DMARC said (a
    DMARC record the server could not read, or the domain's stricter alignment, does not
    stop an aligned pass).
``off``
    From is trusted as written (as before this check existed); every run logs a WARNING.

Aligned: the two domains are equal or one is a subdomain of the other. This stands for
DMARC's relaxed alignment (the same organisational domain) without the Public Suffix List:
it never trusts anyone the From domain does not already depend on (a parent domain's owner
controls the delegation of its subdomains; a subdomain is the domain owner's), and it leaves
out two sibling subdomains of one organisation (``a.baolam.edu.vn``, ``b.baolam.edu.vn``),
which DMARC would align.

A message is never trusted with no From address, several From headers or several addresses
in From (which one a server checked is unclear).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses

from connectors.safe_names import readable_name

# The sender of a file whose message could not be authenticated: a marker no registry lists,
# so the sender check (F05) rejects the file for any unit, before the address it carries.
UNVERIFIED = "unverified:"
SENDER_LIMIT = 255  # submissions.sender

POLICIES = ("strict", "relaxed", "off")
HEADER = "authentication-results"
DMARC_AGAINST = frozenset({"fail", "temperror", "permerror"})

log = logging.getLogger(__name__)


# --- the header (RFC 8601 section 2.2), read leniently ------------------------------------

@dataclass(frozen=True)
class MethodResult:
    """One ``method=result`` of a header with its properties (``header.d``: ``example.org``),
    names in lower case; reasons and comments dropped."""

    method: str  # "spf", "dkim", "dmarc", … (version dropped)
    result: str  # "pass", "fail", "none", …
    properties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthResults:
    servid: str  # lower case; "" when the header has none (it then counts for no one)
    results: tuple[MethodResult, ...]


_WORD, _QUOTED, _EQUALS, _SEMICOLON = "word", "quoted", "=", ";"
_SPECIAL = {"=": _EQUALS, ";": _SEMICOLON}


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of a header value: words, quoted strings (unescaped), "=" and ";";
    comments — nested, with escapes — and white space between tokens are dropped. An
    unterminated comment swallows the rest (nothing in it counts); an unterminated quoted
    string is the rest of the value."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            i = _after_comment(text, i)
        elif ch == '"':
            quoted, i = _quoted_string(text, i)
            yield _QUOTED, quoted
        elif ch in _SPECIAL:
            yield _SPECIAL[ch], ch
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '()";=':
                i += 1
            yield _WORD, text[start:i]


def _after_comment(text: str, i: int) -> int:
    """Where the (nested, escaped) comment opening at ``i`` ends."""
    depth, i, n = 1, i + 1, len(text)
    while i < n and depth:
        if text[i] == "\\":
            i += 1
        elif text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
        i += 1
    return i


def _quoted_string(text: str, i: int) -> tuple[str, int]:
    """The unescaped quoted string opening at ``i``, and where it ends."""
    chars, i, n = [], i + 1, len(text)
    while i < n and text[i] != '"':
        if text[i] == "\\" and i + 1 < n:
            i += 1
        chars.append(text[i])
        i += 1
    return "".join(chars), i + 1


def _pairs(tokens: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """``name=value`` pairs of one result, in order; anything else is passed over. A quoted
    local part followed by ``@domain`` (``smtp.mailfrom="a b"@example.org``) is one value."""
    i = 0
    while i + 2 < len(tokens):
        (kind, name), (equals, _), (value_kind, value) = tokens[i:i + 3]
        if kind != _WORD or equals != _EQUALS or value_kind not in (_WORD, _QUOTED):
            i += 1
            continue
        i += 3
        if value_kind == _QUOTED and i < len(tokens) and tokens[i][0] == _WORD \
                and tokens[i][1].startswith("@"):
            value, i = f'"{value}"{tokens[i][1]}', i + 1
        yield name.lower(), value


def parse_header(value: str) -> AuthResults:
    """One Authentication-Results header's value."""
    segments: list[list[tuple[str, str]]] = [[]]
    for token in _tokens(value):
        segment = segments[-1]
        if token[0] == _SEMICOLON:
            segments.append([])
        elif (token[0] == _WORD and segment and segment[-1][0] == _WORD
              and (segment[-1][1][-1] in "./" or token[1][0] in "./")):
            # "dkim / 1", "header . d": white space or a comment is allowed around them
            segment[-1] = (_WORD, segment[-1][1] + token[1])
        else:
            segment.append(token)
    head = segments[0]
    # authserv-id: a word or quoted string, not the start of "method=result" (a server that
    # writes none, as Microsoft 365 does, is nobody's)
    servid = ""
    if head and head[0][0] in (_WORD, _QUOTED) and (len(head) == 1 or head[1][0] != _EQUALS):
        servid = head[0][1].strip().lower()
    results = []
    for segment in segments[1:]:
        pairs = list(_pairs(segment))
        if not pairs:
            continue  # "none", or nothing readable
        (method, result), properties = pairs[0], {}
        for name, value in pairs[1:]:
            if "." in name:  # ptype.property; "reason" and unknown words are not needed
                properties.setdefault(name, value)
        results.append(MethodResult(method.split("/")[0].strip(), result.lower(), properties))
    return AuthResults(servid, tuple(results))


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n", "", value)


def header_values(message: Message) -> list[str]:
    """The raw values of every Authentication-Results header, top first — not decoded: an
    RFC 2047 encoded word must not turn into a ";" or a result."""
    return [_unfold(str(value)) for name, value in message.raw_items()
            if name.strip().lower() == HEADER]


# --- domains and alignment ------------------------------------------------------------------

_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+"
                     r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def domain_of(value: str | None) -> str | None:
    """The domain of an address or a domain (``user@Example.ORG.``, ``@example.org``,
    ``example.org``), lower case, in ASCII (an internationalised domain as xn--); None if it
    is not a domain name of at least two labels."""
    if not value:
        return None
    domain = value.rpartition("@")[2].strip().rstrip(".").lower()
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return domain if _DOMAIN.fullmatch(domain) else None


def aligned(one: str | None, other: str | None) -> bool:
    """The same domain, or one a subdomain of the other (see the module's docstring)."""
    if not one or not other:
        return False
    return one == other or one.endswith(f".{other}") or other.endswith(f".{one}")


# --- the verdict ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    trusted: bool
    why: str  # in English, for the run's log


def servids_of(setting: str | Iterable[str]) -> tuple[str, ...]:
    """Authserv-ids from the setting (comma- or space-separated), lower case."""
    items = setting.replace(",", " ").split() if isinstance(setting, str) else setting
    return tuple(dict.fromkeys(s.strip().strip('"').lower() for s in items if s.strip()))


class MailAuth:
    """Judges each message's From address against the trusted server's results."""

    def __init__(self, servids: str | Iterable[str] = (), policy: str = "strict"):
        if policy not in POLICIES:
            raise ValueError(f"mail_auth_policy must be one of {', '.join(POLICIES)}: {policy!r}")
        self.servids = servids_of(servids)
        self.policy = policy

    @classmethod
    def from_settings(cls, settings) -> MailAuth:  # type: ignore[no-untyped-def]
        return cls(settings.mail_auth_servid, settings.mail_auth_policy)

    def announce(self, logger: logging.Logger | logging.LoggerAdapter | None = None  # type: ignore[type-arg]
                 ) -> None:
        """Say, once per run, when senders are not checked or cannot be trusted at all."""
        logger = logger or log
        if self.policy == "off":
            logger.warning(
                "CELLREPORTS_MAIL_AUTH_POLICY=off: the From address of every message is trusted "
                "as written; anyone can send a report as a cell (forged From). Set it to "
                "strict and CELLREPORTS_MAIL_AUTH_SERVID to your mail server's authserv-id.")
        elif not self.servids:
            logger.warning(
                "CELLREPORTS_MAIL_AUTH_SERVID is not set: no mail server is trusted to vouch "
                "for a sender, so every e-mailed file is rejected (F05). Set it to the "
                "authserv-id of your mail server's Authentication-Results header "
                "(docs/schedule.md).")

    def judge(self, message: Message, address: str) -> Verdict:
        """Whether ``address``, the From address of ``message`` as the channel read it, is
        the sender's, by the trusted server. The raw From header must hold exactly that one
        address: the domain judged is the domain of the sender recorded."""
        if self.policy == "off":
            return Verdict(True, "not checked (CELLREPORTS_MAIL_AUTH_POLICY=off)")
        froms = [value for name, value in message.raw_items() if name.strip().lower() == "from"]
        addresses = [a for _n, a in getaddresses([_unfold(str(v)) for v in froms]) if a]
        if len(froms) != 1 or len(addresses) != 1:
            return Verdict(False, f"{len(froms)} From headers with {len(addresses)} addresses")
        if addresses[0].lower() != address.lower():
            return Verdict(False, "the From header does not read as one address")
        domain = domain_of(address)
        if domain is None:
            return Verdict(False, "no domain in the From address")
        if not self.servids:
            return Verdict(False, "no trusted mail server (CELLREPORTS_MAIL_AUTH_SERVID)")
        results = [r for value in header_values(message)
                   for header in [parse_header(value)] if header.servid in self.servids
                   for r in header.results]
        if not results:
            return Verdict(False, f"no Authentication-Results from {', '.join(self.servids)}")
        return self._verdict(domain, results)

    def _verdict(self, domain: str, results: list[MethodResult]) -> Verdict:
        # DMARC is about the message's From: a result naming another domain is not this one's
        dmarc = {r.result for r in results if r.method == "dmarc"
                 and domain_of(r.properties.get("header.from")) == domain}
        if self.policy == "strict" and dmarc & DMARC_AGAINST:
            return Verdict(False, f"DMARC {'/'.join(sorted(dmarc & DMARC_AGAINST))} for {domain}")
        if "pass" in dmarc:
            return Verdict(True, f"DMARC pass for {domain}")
        for r in results:
            if r.result != "pass":
                continue
            identity = (r.properties.get("smtp.mailfrom") if r.method == "spf" else
                        r.properties.get("header.d") if r.method == "dkim" else None)
            if aligned(domain_of(identity), domain):
                return Verdict(True, f"{r.method.upper()} pass for {domain_of(identity)}")
        passes = [f"{r.method}=pass {k}={v}" for r in results if r.result == "pass"
                  for k, v in r.properties.items() if k in ("smtp.mailfrom", "header.d")]
        return Verdict(False, f"no pass aligned with {domain}" + (
            f" ({'; '.join(passes)})" if passes else ""))

    def sender(self, message: Message, address: str) -> tuple[str, Verdict]:
        """The sender a file of ``message`` gets: ``address`` when trusted, else the
        ``unverified:`` marker with it (bounded to the warehouse column)."""
        verdict = self.judge(message, address)
        if verdict.trusted:
            return address, verdict
        return f"{UNVERIFIED}{address}"[:SENDER_LIMIT], verdict


def reply_address(sender: str) -> str:
    """Where an answer to ``sender`` goes: the From address, marker or not."""
    return sender.removeprefix(UNVERIFIED)


def shown(text: str, limit: int = 200) -> str:
    """Received text (an address, a domain) as it goes into a log line: no control or bidi
    characters, bounded."""
    return readable_name(text.replace("\n", " ").replace("\r", " "), limit)
