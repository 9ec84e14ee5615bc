"""Normalisers: amount surface strings -> number and currency; date expressions -> ISO dates.

Pure functions over strings (no spaCy), so they are fast, easy to test and safe to fuzz. The
regular expressions are assembled from the currency lexicon in `corpus/lexicons/`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .lexicon import Lexicon

NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# multiplier words in any case ("$40 Million", "$3.4 BILLION"); lakh 1e5, crore 1e7
MULT_WORDS = r"(?i:thousand|million|billion|trillion|lakhs?|crores?)"
MULT_ABBR = r"(?:(?i:mln|mn|bln|bn|tn)|[kKmMbB])"


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    """The quantity in `currency` units."""
    currency: str
    native: str
    """A compact normalised form of the surface, e.g. "26M USD" or "12,000 ETH"."""
    kind: str
    """fiat, stable or crypto."""


@functools.lru_cache(maxsize=4)
def amount_regex(lex: Lexicon) -> re.Pattern[str]:
    cur = lex.currencies
    symbols = sorted(cur["fiat_symbols"], key=len, reverse=True)
    sym = "|".join(re.escape(s) for s in symbols)
    words = sorted(cur["fiat_words"], key=len, reverse=True)
    fiat_word = "|".join(re.escape(w) for w in words)
    named = sorted({w for v in cur["crypto"].values() for w in v.get("words", [])},
                   key=len, reverse=True)
    tickers = sorted([*cur["crypto"], *cur["stablecoins"]], key=len, reverse=True)
    # tickers as written ("ETH"); a coin's name in any case ("1,200 Ether", "5 Bitcoin")
    ticker = "|".join([*(re.escape(t) for t in tickers),
                       "(?i:" + "|".join(re.escape(w) for w in named) + ")"])
    mult = rf"(?:\s{MULT_WORDS}|\s?(?i:mln|mn|bln|bn|tn)(?![A-Za-z])|{MULT_ABBR}(?![A-Za-z]))"
    pattern = (
        rf"(?P<sym>{sym})\s?(?P<n1>{NUM})(?P<m1>{mult})?(?!\d)"
        rf"|(?P<iso>\bUSD|\bEUR)\s(?P<n2>{NUM})(?P<m2>{mult})?"
        rf"|\b(?P<n3>{NUM})(?P<m3>{mult})?\s?(?:US\s)?(?P<word>(?i:{fiat_word}))\b"
        rf"|\b(?P<n4>{NUM})(?P<m4>{mult})?\s?(?P<tick>{ticker})(?![A-Za-z0-9])"
        rf"|\b(?P<n5>{NUM})(?P<m5>{mult})?\s(?P<gen>[a-z]?[A-Z][A-Z0-9]{{1,9}})(?![A-Za-z0-9])"
    )
    return re.compile(pattern, re.I if False else 0)


def find_amounts(text: str, lex: Lexicon) -> list[tuple[int, int, Amount]]:
    """Every money or token amount in `text`, with character offsets."""
    out = []
    not_tickers = set(lex.currencies["not_tickers"])
    for m in amount_regex(lex).finditer(text):
        gen = m.group("gen")
        if gen and gen.upper() in not_tickers:
            continue
        amount = parse_match(m, lex)
        if amount is not None:
            out.append((m.start(), m.end(), amount))
    return out


def parse_amount(surface: str, lex: Lexicon) -> Amount | None:
    """Parse one amount string such as "$1.5bn", "US$26m" or "12,000 ETH"."""
    m = amount_regex(lex).search(surface.strip())
    return parse_match(m, lex) if m else None


def multiplier(token: str | None, lex: Lexicon) -> Decimal:
    if not token:
        return Decimal(1)
    key = token.strip().lower()
    return Decimal(str(lex.currencies["multipliers"].get(key, 1)))


def number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def parse_match(m: re.Match[str], lex: Lexicon) -> Amount | None:
    cur = lex.currencies
    for i in range(1, 6):
        n = m.group(f"n{i}")
        if n is not None:
            break
    value = number(n)
    if value is None:
        return None
    mult_token = m.group(f"m{i}")
    value = value * multiplier(mult_token, lex)
    if m.group("sym"):
        code, kind = cur["fiat_symbols"][m.group("sym")], "fiat"
    elif m.group("iso"):
        code, kind = m.group("iso").upper(), "fiat"
    elif m.group("word"):
        code, kind = cur["fiat_words"][m.group("word").lower()], "fiat"
    else:
        token = m.group("tick") or m.group("gen")
        code = canonical_ticker(token, lex)
        kind = "stable" if code in lex.stablecoins else "crypto"
    if i == 5 and value < 1:
        return None
    return Amount(value=value, currency=code, native=compact(value, code), kind=kind)


def canonical_ticker(token: str, lex: Lexicon) -> str:
    for code, info in lex.currencies["crypto"].items():
        if token.upper() == code or token.lower() in info.get("words", []):
            return code
    for code in lex.currencies["stablecoins"]:
        if token.upper() == code.upper():
            return code
    return token


def compact(value: Decimal, code: str) -> str:
    """26000000 USD -> "26M USD"; 12000 ETH -> "12,000 ETH"."""
    v = float(value)
    for size, suffix in ((1e9, "B"), (1e6, "M")):
        if v >= size:
            return f"{v / size:.3g}{suffix} {code}"
    return f"{v:,.10g} {code}"


def to_usd(amount: Amount, when: dt.date | None, lex: Lexicon) -> tuple[float | None, float]:
    """The amount in USD and how much that conversion can be trusted (0..1)."""
    if amount.currency == "USD":
        return float(amount.value), 1.0
    if amount.kind == "stable":
        return float(amount.value), 0.9
    year = str((when or dt.date.today()).year)
    if amount.kind == "fiat":
        rates = lex.fx.get(amount.currency)
        if not rates:
            return None, 0.0
        rate = rates.get(year) or rates[max(rates, key=lambda y: -abs(int(y) - int(year)))]
        return float(amount.value) / rate, 0.8
    table = lex.prices.get(amount.currency)
    if not table or when is None:
        return None, 0.0
    key = f"{when.year}-Q{(when.month - 1) // 3 + 1}"
    if key not in table:
        key = min(table, key=lambda k: abs(quarter_index(k) - quarter_index(key)))
    return float(amount.value) * table[key], 0.5


def quarter_index(key: str) -> int:
    year, q = key.split("-Q")
    return int(year) * 4 + int(q)


# dates ---------------------------------------------------------------------------------------

MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], 1) for m in names}
WEEKDAYS = {d: i for i, names in enumerate(
    [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
     ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"),
     ("sunday", "sun")]) for d in names}
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:19|20)\d\d"
DATE_RE = re.compile(
    rf"(?P<iso>\b{YEAR}-[01]\d-[0-3]\d\b)"
    rf"|(?P<slash_ymd>\b{YEAR}/[01]?\d/[0-3]?\d\b)"
    rf"|(?P<slash_mdy>\b[01]?\d/[0-3]?\d/(?:{YEAR}|\d\d)\b)"
    rf"|(?:(?P<wd1>{WEEKDAY}),?\s)?(?P<mdy>\b{MONTH}\s{DAY}(?:\s?(?:-|–|and|to)\s?{DAY})?(?:,?\s{YEAR})?\b)"
    rf"|(?:(?P<wd2>{WEEKDAY}),?\s)?(?P<dmy>\b{DAY}(?:\s?(?:-|–)\s?{DAY})?\s(?:of\s)?{MONTH}(?:,?\s{YEAR})?\b)"
    rf"|(?P<my>\b{MONTH}\s{YEAR}\b)"
    rf"|(?P<rel>\b(?:(?:late|early)\s(?:on\s)?|(?:last|this\spast|this|on|from)\s)?{WEEKDAY}"
    rf"(?:\s(?:morning|afternoon|evening|night))?\b)"
    rf"|(?P<phrase>\b(?:yesterday|today|tonight|last\snight|overnight|earlier\stoday|"
    rf"earlier\sthis\sweek|(?:(?:late|early)\s)?last\sweek|over\sthe\sweekend|this\sweekend|last\sweekend|"
    rf"(?:two|three|four|five|six|2|3|4|5|6)\sdays\sago|a\sweek\sago|the\sday\sbefore)\b)"
    rf"|(?P<year>\b(?:in|since|of|during)\s{YEAR}\b)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DateValue:
    date: dt.date | None
    precision: str
    """day, month, year or none."""
    relative: bool


def find_dates(text: str, published: dt.date | None, default_year: int | None = None
               ) -> list[tuple[int, int, DateValue]]:
    out = []
    matches = list(DATE_RE.finditer(text))
    for i, m in enumerate(matches):
        nxt = matches[i + 1] if i + 1 < len(matches) else None
        if m.group("rel") and nxt is not None and nxt.start() - m.end() <= 3 and \
                not nxt.group("rel") and not nxt.group("phrase"):
            continue  # "on Thursday, Oct. 19": the explicit date says it all
        value = parse_date_match(m, published, default_year)
        out.append((m.start(), m.end(), value))
    return out


def dates_at(text: str, offsets, published: dt.date | None, default_year: int | None = None
             ) -> list[tuple[int, int, DateValue]]:
    """The dates `find_dates` found at `offsets` of `text`, read again where they stand (with the
    publication date that resolves relative ones), without scanning the text a second time."""
    out = []
    for start, end in offsets:
        m = DATE_RE.match(text, start)
        if m is not None and m.end() == end:
            out.append((start, end, parse_date_match(m, published, default_year)))
    return out


def parse_date(surface: str, published: dt.date | None = None,
               default_year: int | None = None) -> DateValue:
    m = DATE_RE.search(surface)
    if not m:
        return DateValue(None, "none", False)
    return parse_date_match(m, published, default_year)


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def pick_year(month: int, day: int, published: dt.date | None, default_year: int | None
              ) -> dt.date | None:
    """A date written without a year: the latest such date not after publication; one up to
    four months after it is a date ahead ("offline until May 28"), kept in its own year so it
    is never mistaken for one a year back."""
    if published:
        d = safe_date(published.year, month, day)
        if d and d > published + dt.timedelta(days=2):
            if d <= published + dt.timedelta(days=120):
                return d  # ahead of the story: later dates are dropped as candidates
            d = safe_date(published.year - 1, month, day)
        return d
    if default_year:
        return safe_date(default_year, month, day)
    return None


def first_int(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))


def parse_date_match(m: re.Match[str], published: dt.date | None,
                     default_year: int | None) -> DateValue:
    g = m.groupdict()
    if g["iso"]:
        return DateValue(safe_date(*map(int, g["iso"].split("-"))), "day", False)
    if g["slash_ymd"]:
        y, mo, d = map(int, g["slash_ymd"].split("/"))
        return DateValue(safe_date(y, mo, d), "day", False)
    if g["slash_mdy"]:
        mo, d, y = map(int, g["slash_mdy"].split("/"))
        y = y + 2000 if y < 100 else y
        return DateValue(safe_date(y, mo, d), "day", False)
    if g["mdy"] or g["dmy"]:
        text = g["mdy"] or g["dmy"]
        month_name = re.search(MONTH, text, re.I).group(0).rstrip(".").lower()
        month = MONTHS[month_name]
        day_text = text if g["dmy"] else text[len(re.match(MONTH, text, re.I).group(0)):]
        day = first_int(day_text.strip())
        year = re.search(rf"\b{YEAR}\b", text)
        if year:
            return DateValue(safe_date(int(year.group(0)), month, day), "day", False)
        return DateValue(pick_year(month, day, published, default_year), "day", False)
    if g["my"]:
        month = MONTHS[re.match(MONTH, g["my"], re.I).group(0).rstrip(".").lower()]
        year = int(re.search(YEAR, g["my"]).group(0))
        return DateValue(safe_date(year, month, 1), "month", False)
    if g["rel"]:
        return DateValue(resolve_weekday(g["rel"], published), "day", True)
    if g["phrase"]:
        phrase = g["phrase"].lower()
        vague = "week" in phrase or "ago" in phrase
        return DateValue(resolve_phrase(phrase, published), "week" if vague else "day", True)
    if g["year"]:
        year = int(re.search(YEAR, g["year"]).group(0))
        return DateValue(dt.date(year, 1, 1), "year", False)
    return DateValue(None, "none", False)


def resolve_weekday(text: str, published: dt.date | None) -> dt.date | None:
    """ "on Sunday", "late Tuesday", "last Friday" -> the matching day on or before publication."""
    if published is None:
        return None
    lower = text.lower()
    name = re.search(WEEKDAY, text, re.I).group(0).lower()
    target = WEEKDAYS[name]
    back = (published.weekday() - target) % 7
    if lower.startswith("last") and back == 0:
        back = 7
    return published - dt.timedelta(days=back)


def resolve_phrase(text: str, published: dt.date | None) -> dt.date | None:
    if published is None:
        return None
    words = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    if text in ("today", "tonight", "earlier today"):
        back = 0
    elif text in ("yesterday", "last night", "overnight", "the day before"):
        back = 1
    elif "days ago" in text:
        n = text.split()[0]
        back = int(n) if n.isdigit() else words[n]
    elif text.endswith("last week"):
        # the previous calendar week: its Wednesday, or Tuesday / Thursday for early / late
        monday = published - dt.timedelta(days=published.weekday() + 7)
        return monday + dt.timedelta(days={"early": 1, "late": 3}.get(text.split()[0], 2))
    elif text == "a week ago":
        back = 7
    elif "weekend" in text:
        back = (published.weekday() - 5) % 7 or (7 if text.startswith("last") else 0)
    else:  # earlier this week
        back = max(1, min(published.weekday(), 3))
    return published - dt.timedelta(days=back)
