"""Titles and offices next to names ("President To Lam" where the sources say Tổng Bí thư), envoys' countries, who holds an office."""

from __future__ import annotations

import re
import unicodedata

from ..lexical import fold
from .figures import CITATION, _folded_words, extract
from .names import _STOP_NAMES, name_supported
from .places import ALIASES, country_key, lexicon



# ---------------------------------------------------------------------------------------------------
# titles and roles: "President To Lam" is wrong when the sources call him General Secretary

# role -> its renderings (folded, lower case) in English and Vietnamese
ROLES = {k: list(v["forms"]) for k, v in lexicon()["offices"]["entries"].items()}  # role -> its written forms
_VI_ROLE_SURFACES = list(lexicon()["offices"]["vi_surfaces"])
_ROLE_WORDS = sorted({r for rs in ROLES.values() for r in rs if " " in r or len(r) > 3} - {fold(v).lower() for v in _VI_ROLE_SURFACES}
                     | set(_VI_ROLE_SURFACES), key=len, reverse=True)
_RE_ROLE_NAME = re.compile(
    r"\b(?i:(" + "|".join(re.escape(r) for r in _ROLE_WORDS) + r"))\s+(?:of\s+[A-Z][\w ]*?\s+)?"
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){0,3})")


_RE_NAME_ROLE = re.compile(
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){1,3})(?:,\s+|\s+(?:is|was|as)\s+)(?i:the\s+)?(?:[A-Z][a-z]+\s+)?"
    r"(?i:(" + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True)) + r"))\b")


_RE_ROLE_IS_NAME = re.compile(
    r"\b(?i:(" + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True)) + r"))\b[^.;]{0,60}?\s(?:is|was)\s+"
    r"((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){0,3})")


def _role_key(surface: str) -> str | None:
    s = fold(surface).lower()
    for key, forms in ROLES.items():
        if s in forms:
            return key
    return None


def _introduces_next(text: str, m: re.Match) -> bool:
    """In a list ("…, Thongloun Sisoulith, the Prime Minister of Laos, Sonexay Siphandone") the role after a
    comma belongs to the name that follows it, not to the one before."""
    return bool(re.match(r"(?:\s+of\s+[^,.;]{1,60})?,\s+(?:and\s+)?[A-ZĐÀ-Ỹ]", text[m.end():]))


_EN_ROLE_FORMS = sorted({f for fs in ROLES.values() for f in fs} - {fold(v).lower() for v in _VI_ROLE_SURFACES},
                        key=lambda f: -len(f.split()))  # the English forms (the folded Vietnamese ones set aside)
_TOKEN = re.compile(r"[\wÀ-ỹĐđ'’-]+|,")


def _title_chains(claim: str) -> list[tuple[str, str, str, int]]:
    """(role, name, span, where the role starts) for a title whose office is spelled out before the name ("the Prime Minister of the
    Central Committee of the Communist Party of Lao, the President of the Democratic Republic of Lao Thongloun
    Sisoulith": both titles are Thongloun Sisoulith's). The chain runs through "of (the) X" phrases and ", (the)
    <another title>"; the name is the capitalized run right after it, else the last "of" phrase's run ("of Lao
    Thongloun Sisoulith"). Only a run with no generic word once a leading country is set aside counts as a person
    ("of Foreign Affairs" does not). A title directly before a name is ``_RE_ROLE_NAME``'s."""
    toks = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(claim)]
    low = [t[0].lower() for t in toks]
    n = len(toks)

    def role_at(i: int) -> int:
        for f in _EN_ROLE_FORMS:
            w = f.split()
            if low[i:i + len(w)] == w:
                return len(w)
        return 0

    def run(i: int) -> int:
        j = i
        while j < n and toks[j][0][:1].isupper() and not role_at(j):
            j += 1
        return j

    def person(a: int, b: int) -> str | None:
        words = [toks[x][0] for x in range(a, b)]
        if country_key(words[0]):  # "Lao Thongloun Sisoulith" is a person; "Laos" alone is not
            words = words[1:]
        if not words or any(fold(w).lower() in _GENERIC_NAME_WORDS for w in words) or len(" ".join(words)) < 3:
            return None
        return " ".join(words)

    out: list[tuple[str, str, str, int]] = []
    for i in range(n):
        k = role_at(i)
        if not k or (i and role_at(i - 1)):
            continue
        j, extended, last = i + k, False, None
        while j < n:
            if low[j] == "of":
                a = j + 1 + (j + 1 < n and low[j + 1] == "the")
                e = run(a)
                if e == a:
                    break
                j, last, extended = e, (a, e), True
                if person(a, e):  # "President of Laos Thongloun Sisoulith, General Secretary …": his title ends here
                    break
            elif low[j] == "," and j + 1 < n:
                a = j + 1 + (low[j + 1] == "the")
                k2 = role_at(a) if a < n else 0
                if not k2:
                    break
                j, last, extended = a + k2, None, True
            else:
                break
        if not extended:
            continue
        e = run(j)
        span = (j, e) if e > j else last
        name = person(*span) if span else None
        if name:
            out.append((claim[toks[i][1]:toks[i + k - 1][2]], name, claim[toks[i][1]:toks[span[1] - 1][2]],
                        toks[i][1]))
    return out


def unsupported_roles(claim: str, sources: list[str], window: int = 80) -> list[str]:
    """Role + name pairs in ``claim`` ("President To Lam") whose name the sources mention, but never with that
    role (in either language) within ``window`` characters before it. A name the sources lack is the name
    check's business, not this one's."""
    bad = []
    folded_srcs = [_fold_src(s) for s in sources]
    pairs = [(m.group(1), m.group(2).strip(), m.group(0).strip()) for m in _RE_ROLE_NAME.finditer(claim)]
    pairs += [(m.group(1), m.group(2).strip(), m.group(0).strip()) for m in _RE_ROLE_IS_NAME.finditer(claim)]
    chains = _title_chains(claim)
    pairs += [c[:3] for c in chains]
    spelled = {c[2] for c in chains}
    # "Name, Role …" is the name's title unless the role introduces the next person ("…, General Secretary of the
    # Communist Party of Vietnam Tô Lâm")
    pairs += [(m.group(2), m.group(1).strip(), m.group(0).strip()) for m in _RE_NAME_ROLE.finditer(claim)
              if not _introduces_next(claim, m) and not any(c[3] == m.start(2) for c in chains)]
    def key(name: str) -> str:
        words = fold(name).lower().split()
        if len(words) > 1 and country_key(words[0]):  # "Laos Saysomphone Phomvihane": the country is not the name
            words = words[1:]
        return words[0] if len(words) == 1 else " ".join(words[:2])

    others = {key(n) for _, n, _ in pairs if len(n) >= 3}
    for role_surface, name, whole in pairs:
        role = _role_key(role_surface)
        if not role or len(name) < 3:
            continue
        first = key(name)
        if not first:
            continue
        forms = ROLES[role]
        seen_name, ok = False, False
        for fs in folded_srcs:
            for nm in re.finditer(re.escape(first), fs):
                seen_name = True
                # the titles in front of this name: back to the previous clause (";", ".", ":", a bracket), and
                # after the last other person the claim names there ("Thủ tướng Lào Sonexay Siphandone, Chủ tịch
                # Quốc hội Lào Saysomphone …": the Prime Minister's title is not Saysomphone's)
                win = window * 3 if whole in spelled else window  # a spelled-out office is long in the source too
                ctx = re.split(r"[;.:()\n]", fs[max(0, nm.start() - win):nm.start()])[-1]
                for o in others - {first}:
                    i = ctx.rfind(o)
                    if i >= 0:
                        ctx = ctx[i + len(o):]
                if role in _roles_stated(ctx):
                    ok = True
                    break
            if ok:
                break
        if seen_name and not ok:
            bad.append(whole)
    return (bad + unsupported_affiliations(claim, sources) + unsupported_nationality_roles(claim, sources)
            + unsupported_qualifiers(claim, sources))


_EXACT = {k: v for k, v in lexicon()["offices"].get("vi_exact", {}).items()}
_RE_EXACT = re.compile(r"(?<![\wÀ-ỹ])(?i:" + "|".join(map(re.escape, _EXACT)) + r")(?![\wÀ-ỹ])") if _EXACT else None


def _exact_forms(text: str) -> str:
    """``text`` with the offices written in a form that folding would merge with another word ("vua" = king,
    "vừa" = just) replaced by the office's key, so the folded text states them."""
    if _RE_EXACT is None:
        return text
    text = unicodedata.normalize("NFC", text)
    return _RE_EXACT.sub(lambda m: _EXACT[m.group(0).lower()], text)


def _fold_src(text: str) -> str:
    """A source folded (tone marks off, lower case) for office matching, its exact-marked office forms kept."""
    return fold(_exact_forms(text)).lower()


_ROLE_NAME = {k: v["en"].lower() for k, v in lexicon()["offices"]["entries"].items()}


def _roles_stated(ctx: str) -> set[str]:
    """The offices folded text ``ctx`` states. A form inside a longer form of another office counts only when that
    office is a kind of it (its English name starts with this one's: "Chairman of the National Assembly" is a
    chair): "Chủ tịch" inside "Chủ tịch Quốc hội" does not make that person President, "Thủ tướng" inside "Phó Thủ
    tướng" not Prime Minister."""
    spans = [(m.start(), m.end(), r) for r, fs in ROLES.items() for f in fs
             for m in re.finditer(rf"(?<!\w){re.escape(f)}(?!\w)", ctx)]
    return {r for s, e, r in spans
            if not any(s2 <= s and e <= e2 and e2 - s2 > e - s and r2 != r and not _ROLE_NAME[r2].startswith(_ROLE_NAME[r])
                       for s2, e2, r2 in spans)}


# each office, as the claim may name it ("Prime Minister" not inside "Deputy Prime Minister")
_STATED_ROLES = {"general secretary": r"general secretary", "deputy prime minister": r"deputy prime minister",
                 "prime minister": r"(?<!deputy )prime minister", "president": r"(?<!vice )(?<!vice-)president",
                 "ambassador": r"ambassador", "chairman of the national assembly": r"chairman of the national assembly",
                 "king": r"king", "mayor": r"mayor"}


def unstated_roles(claim: str, sources: list[str]) -> list[str]:
    """Offices ``claim`` names that its sources never state in either language, with or without a name after them:
    "… the invitation of the Prime Minister of the Democratic People's Republic of Laos" over a sentence that names
    a General Secretary and a President only. Both sides are read by ``_roles_stated``: "Chủ tịch" inside "Chủ tịch
    Quốc hội" states no President."""
    stated = _roles_stated(" ".join(_folded_words(_exact_forms(s)) for s in sources))
    text = fold(claim).lower()
    named = _roles_stated(text)  # "President of the National Assembly" names that office, not a President
    return [role for role, pattern in _STATED_ROLES.items()
            if re.search(rf"\b{pattern}\b", text) and role in named and role not in stated]


# an envoy's countries: "Lao Ambassador to Vietnam" / "Đại sứ Lào tại Việt Nam" — sender and host both count
_COUNTRY_WORDS = r"[A-Za-zÀ-ỹĐđ'’]+(?:[-–][A-Za-zÀ-ỹĐđ]+)?(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’]+)?"
_RE_ENVOY_CLAIM = [
    # "the Vietnamese ambassador to Laos", "Lao Ambassador to Vietnam", "Vietnam's ambassador to Laos"
    re.compile(rf"(?:\b({_COUNTRY_WORDS}?)(?:['’]s)?\s+)?\b(?i:ambassador|envoy)\b(?:\s+of\s+({_COUNTRY_WORDS}))?"
               rf"(?:\s+(?:to|in)\s+({_COUNTRY_WORDS}))?"),
    re.compile(rf"\b(?i:đại sứ)\s+({_COUNTRY_WORDS}?)\s+(?i:tại)\s+({_COUNTRY_WORDS})"),
]
_RE_ENVOY_SRC_VI = re.compile(r"dai su\s+([a-z' ]+?)\s+tai\s+([a-z' ]+)")
_RE_ENVOY_SRC_EN = re.compile(r"(?:([a-z']+)\s+)?ambassador(?:\s+of\s+([a-z' ]+?))?\s+(?:to|in)\s+([a-z' ]+)")


def _src_envoys(sources: list[str]) -> list[tuple[str | None, str | None]]:
    out = []
    for s in sources:
        fs = _fold_src(s)
        for m in _RE_ENVOY_SRC_VI.finditer(fs):
            out.append((country_key(m.group(1)), country_key(" ".join(m.group(2).split()[:2]))))
        for m in _RE_ENVOY_SRC_EN.finditer(fs):
            out.append((country_key(m.group(1) or m.group(2)), country_key(" ".join(m.group(3).split()[:2]))))
    return [(a, b) for a, b in out if a or b]


def unsupported_affiliations(claim: str, sources: list[str]) -> list[str]:
    """Envoys whose countries the claim gets wrong: the sources know an ambassador of Laos to Vietnam, the claim
    says "the Vietnamese ambassador to Laos" (sender and host, in either language)."""
    src = _src_envoys(sources)
    bad = []
    for i, rx in enumerate(_RE_ENVOY_CLAIM):
        for m in rx.finditer(claim):
            if i == 0:
                sender = country_key(m.group(1)) or country_key(m.group(2))
                host = country_key(m.group(3))
            else:
                sender, host = country_key(m.group(1)), country_key(m.group(2))
            if not sender and not host:
                continue
            # no envoy with countries in the sources: the claim adds countries they do not state
            if not any((not sender or sender == a) and (not host or host == b) for a, b in src):
                bad.append(m.group(0).strip())
    return bad


_ROLE_EN = {k: v["en"] for k, v in lexicon()["offices"]["entries"].items()}


def _source_role(name: str, sources: list[str], window: int = 80) -> str | None:
    """The role the sources give ``name`` (the title nearest in front of it), as a ROLES key."""
    nkey = fold(name).lower().split()
    if not nkey:
        return None
    first = nkey[0] if len(nkey) == 1 else " ".join(nkey[:2])
    for s in sources:
        fs = _fold_src(s)
        for nm in re.finditer(re.escape(first), fs):
            ctx = re.split(r"[;.:()\n]", fs[max(0, nm.start() - window):nm.start()])[-1]
            best = None
            for key, forms in ROLES.items():
                for f in forms:
                    i = ctx.rfind(f)
                    if i >= 0 and (best is None or i + len(f) > best[0] or (i + len(f) == best[0] and len(f) > best[2])):
                        best = (i + len(f), key, len(f))
            if best:
                return best[1]
    return None


def repair_roles(claim: str, sources: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Rewrite wrong titles to the ones the sources state ("President Tô Lâm" -> "General Secretary Tô Lâm" where
    they say Tổng Bí thư), and drop countries an envoy's title gets wrong or adds ("Ambassador of Vietnam" ->
    "Ambassador"). Returns the claim and the (old, new) rewrites; what cannot be rewritten stays for the check."""
    done: list[tuple[str, str]] = []
    pairs = [(m.group(1), m.group(2).strip(), m.group(0)) for m in _RE_ROLE_NAME.finditer(claim)]
    pairs += [(m.group(2), m.group(1).strip(), m.group(0)) for m in _RE_NAME_ROLE.finditer(claim)
              if not _introduces_next(claim, m)]
    bad = set(unsupported_roles(claim, sources))
    for role_surface, name, whole in pairs:
        if whole.strip() not in bad:
            continue
        right = _source_role(name, sources)
        if right and right in _ROLE_EN and whole in claim:
            new = re.sub(re.escape(role_surface), _ROLE_EN[right], whole, count=1)
            claim = claim.replace(whole, new, 1)
            done.append((whole, new))
    for piece in unsupported_qualifiers(claim, sources):  # "Deputy Ambassador X" -> "Ambassador X"
        new = re.sub(r"^(?i:deputy|vice|acting|former)[-\s]+", "", piece)
        if piece in claim:
            claim = claim.replace(piece, new, 1)
            done.append((piece, new))
    for piece in unsupported_affiliations(claim, sources):
        role = re.search(r"(?i)ambassador|envoy|đại sứ", piece)
        if role and piece in claim:
            new = role.group(0)
            lead = re.match(r"(?i)the\s", piece)
            claim = claim.replace(piece, (lead.group(0) if lead else "") + new, 1)
            done.append((piece, new))
    return claim, done


# words a translated name adds around the distinctive part ("Quốc hội Scotland" -> "Scottish Parliament")
_GENERIC_NAME_WORDS = set("""the of and for parliament party committee council museum gallery office kingdom river basin
forest rainforest army ministry assembly republic national government university city province state states union
federation association bureau agency commission court bank company corporation group institute academy center
centre department program programme project act law treaty protocol report summit conference congress mission
embassy people's peoples democratic socialist central general space research science sciences health education
foreign affairs trade defense defence security police armed forces navy air force energy agency station airport port
bridge highway railway rail link network tram hall square park lake island islands sea ocean bay valley
international world global royal federal public supreme high grand center vice deputy acting
former""".split())
# role words inside a name run ("Vice-Chair Ismail El Gizouli") are the role check's business
_GENERIC_NAME_WORDS |= {w for forms in ROLES.values() for f in forms for w in f.split() if f.isascii()} - {"tong", "thu",
                                                                                                          "chu", "tich"}


# a role with a nationality and no name: "the Vietnamese President" where the sources have only a Lao one
_SPECIFIC_ROLE_FORMS = {"president": ["president", "chu tich nuoc", "tong thong"],
                        "prime minister": ["prime minister", "thu tuong"],
                        "general secretary": ["general secretary", "tong bi thu"],
                        "ambassador": ["ambassador", "dai su"]}
_ALL_ROLE_FORMS = sorted({f for forms in ROLES.values() for f in forms}, key=len, reverse=True)
_RE_NAT_ROLE = re.compile(r"\b(Vietnamese|Lao|Laotian|Cambodian|Thai|Chinese|Japanese|Korean|Russian|French|German|"
                          r"American|Indian)\s+(President|Prime Minister|General Secretary|Ambassador)\b", re.I)


def unsupported_nationality_roles(claim: str, sources: list[str]) -> list[str]:
    """"Vietnamese President" (no name) is wrong where the sources give that office only to other countries
    ("Chủ tịch nước Lào") or never mention it. An office with no country next to it in the sources could be
    anyone's, so it does not count against the claim."""
    bad = []
    folded = [_fold_src(s) for s in sources]
    for m in _RE_NAT_ROLE.finditer(claim):
        country = country_key(m.group(1))
        forms = _SPECIFIC_ROLE_FORMS[m.group(2).lower()]
        attached: set[str | None] = set()
        for fs in folded:
            for f in forms:
                for occ in re.finditer(rf"\b{re.escape(f)}\b", fs):
                    after = re.split(r"[,;.:()]", fs[occ.end():occ.end() + 45])[0]
                    nxt = [after.find(g) for g in _ALL_ROLE_FORMS if after.find(g) > 0]
                    after = after[:min(nxt)] if nxt else after  # up to the next office named
                    before = fs[max(0, occ.start() - 25):occ.start()]
                    found = {key for key in set(ALIASES.values())
                             if re.search(rf"\b{re.escape(key)}\b", after) or re.search(rf"\b{re.escape(key)}\b", before)}
                    found |= {key for adj, key in ALIASES.items() if re.search(rf"\b{re.escape(adj)}\s*$", before)}
                    attached |= found or {None}
        if country in attached or None in attached:
            continue
        bad.append(m.group(0))
    return bad


_RE_QUALIFIED_ROLE = re.compile(
    r"\b(?i:(deputy|vice|acting|former))[-\s]+(?i:(" + "|".join(re.escape(r) for r in sorted(ROLES, key=len, reverse=True))
    + r"))\s+((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ'’-]+){0,3})")
_QUALIFIER_FORMS = {"deputy": ["deputy", "pho", "vice"], "vice": ["vice", "pho", "deputy"],
                    "acting": ["acting", "quyen"], "former": ["former", "nguyen", "cuu"]}


def unsupported_qualifiers(claim: str, sources: list[str], window: int = 80) -> list[str]:
    """"Deputy Ambassador Ernthavanh" where the sources say Đại sứ (no Phó): a qualifier of an office is a fact."""
    bad = []
    folded = [_fold_src(s) for s in sources]
    for m in _RE_QUALIFIED_ROLE.finditer(claim):
        name = fold(m.group(3)).lower().split()
        if not name:
            continue
        forms = _QUALIFIER_FORMS[m.group(1).lower()]
        seen, ok = False, False
        for fs in folded:
            for nm in re.finditer(re.escape(name[-1]), fs):
                seen = True
                ctx = re.split(r"[;.:()\n]", fs[max(0, nm.start() - window):nm.start()])[-1]
                ok = ok or any(re.search(rf"\b{f}\b", ctx) for f in forms)
        if seen and not ok:
            bad.append(m.group(0))
    return bad


# "Who is <office>?" answered with a person the sources give another office
_RE_WHO_IS = [re.compile(r"^\s*(?:who|whom)\s+(?:is|was|are|were)\s+(?:the\s+|currently\s+the\s+)?(?P<role>.+?)\s*\??\s*$", re.I),
              re.compile(r"^\s*ai\s+(?:là|đang là|giữ chức|giữ cương vị)\s+(?P<role>.+?)\s*\??\s*$", re.I),
              re.compile(r"^\s*(?P<role>.+?)\s+(?:là ai|tên là gì|là người nào)\s*\??\s*$", re.I)]


def wrong_holder(question: str, answer: str, sources: list[str]) -> list[str]:
    """The person an answer gives for the office a "who is <office>" question asks about, where the sources give
    that person another office ("Ai là Chủ tịch nước Việt Nam?" -> "Tổng Bí thư Tô Lâm"), or an envoy whose
    countries the sources never pair ("Who is Vietnam's ambassador to Laos?" over a Lao ambassador to Vietnam)."""
    m = next((rx.match(question) for rx in _RE_WHO_IS if rx.match(question)), None)
    if not m:
        return []
    role_text = m.group("role")
    folded = f" {_fold_src(role_text)} "
    key = None
    for k, forms in ROLES.items():
        for f in forms:
            if f" {f} " in folded and (key is None or len(f) > key[1]):
                key = (k, len(f))
    if key is None:
        return []
    bad = []
    if key[0] == "ambassador" and unsupported_affiliations(role_text, sources):
        bad.append(role_text)
    qf = extract(question)
    for name in extract(CITATION.sub(" ", answer)).names:
        low = fold(name).lower()
        if (name_supported(name, qf) or low in _STOP_NAMES or country_key(name)
                or any(f.startswith(low) for forms in ROLES.values() for f in forms)):
            continue
        if unsupported_roles(f"{_ROLE_EN[key[0]]} {name}", sources):
            bad.append(f"{name} ({role_text})")
    return bad
