#!/bin/sh
# tests/locales.sh — the rules for locales/*.txt that a machine can check,
# beyond what the loader refuses (bot/locales.h):
#   - no term from locales/verboden.txt (whole words, per language);
#   - no sentence over 25 words (';' does not end a sentence);
#   - a link (http..., www..., {website}, {complaint_url}, {privacy_url})
#     alone on its line;
#   - button and list titles (knop.*) within WhatsApp's 20 characters, a
#     text with buttons within the 1024 of an interactive body, any text
#     within the 4096 of a text message;
#   - the same placeholders for a key in every language.
# Every rule is first run on a deliberately bad locale directory and must
# fail there, so a broken check cannot pass silently.  Ends with
# "N passed, N failed"; exits non-zero on a failure.
set -u
cd "$(dirname "$0")/.."
exec python3 - "${1:-locales}" <<'PY'
import os, re, sys, tempfile

LANGS = ("nl", "fr", "en")
MAX_WORDS = 25
BUTTON_MAX = 20          # reply button, list button, Messenger quick reply
BODY_MAX = 1024          # WhatsApp interactive body
TEXT_MAX = 4096          # WhatsApp text message
LINK_PLACEHOLDERS = ("{website}", "{complaint_url}", "{privacy_url}")
RULES = ("forbidden", "sentence", "link", "length", "placeholders")

def load(path):
    """key -> (line, text) with \\n unescaped."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, text = (s.strip() for s in line.split("=", 1))
            text = text.replace("\\\\", "\0").replace("\\n", "\n")
            out[key] = (no, text.replace("\0", "\\"))
    return out

def load_forbidden(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                lang, term, why = (s.strip() for s in line.split("|", 2))
                pat = re.compile(r"(?<![\w-])" + re.escape(term) +
                                 r"(?![\w-])", re.I)
                rules.append((lang, term, pat, why))
    return rules

def placeholders(text):
    return set(re.findall(r"\{[a-z_]+\}", text))

def sentences(text):
    for line in text.split("\n"):
        for s in re.split(r"(?<=[.!?])\s+", line.strip()):
            if s:
                yield s

def words(s):
    return [w for w in s.split() if re.search(r"[\w{]", w)]

def is_link(tok):
    return re.match(r"(https?://|www\.)", tok) or tok in LINK_PLACEHOLDERS

def check(d, forbidden):
    """[(rule, where, problem)] for every rule broken in directory d."""
    bad, sets = [], {}
    for lang in LANGS:
        path = os.path.join(d, lang + ".txt")
        if os.path.exists(path):
            sets[lang] = (path, load(path))
    for lang, (path, texts) in sets.items():
        for key, (no, text) in texts.items():
            where = "%s:%d: %s" % (path, no, key)
            for tl, term, pat, why in forbidden:
                if tl in (lang, "*") and pat.search(text):
                    bad.append(("forbidden", where, "'%s' (%s)" % (term, why)))
            for s in sentences(text):
                if len(words(s)) > MAX_WORDS:
                    bad.append(("sentence", where, "%d words: %s" %
                                (len(words(s)), s)))
            for line in text.split("\n"):
                toks = line.split()
                if any(is_link(t.rstrip(".,;:)")) for t in toks) and \
                        not (len(toks) == 1 and is_link(toks[0])):
                    bad.append(("link", where, "link not alone on its "
                                "line: %s" % line))
            n = len(text)
            if key.startswith("knop.") and n > BUTTON_MAX:
                bad.append(("length", where, "button title of %d "
                            "characters (max %d)" % (n, BUTTON_MAX)))
            elif not key.startswith("onderwerp.") and n > BODY_MAX:
                bad.append(("length", where, "%d characters (max %d with "
                            "buttons)" % (n, BODY_MAX)))
            elif n > TEXT_MAX:
                bad.append(("length", where, "%d characters (max %d)" %
                            (n, TEXT_MAX)))
    if "nl" in sets:
        for lang, (path, texts) in sets.items():
            for key, (no, text) in texts.items():
                ref = sets["nl"][1].get(key)
                if ref and placeholders(ref[1]) != placeholders(text):
                    bad.append(("placeholders", "%s:%d: %s" % (path, no, key),
                                "%s here, %s in nl" % (
                                    sorted(placeholders(text)),
                                    sorted(placeholders(ref[1])))))
    return bad

BAD_NL = """\
welkom = Dag {agency_name}, vul je achternaam in.
klacht.naam = Dit is een veel te lange zin met meer dan vijfentwintig woorden, want ze gaat maar door en door zonder punt; en nog verder tot de lezer het spoor helemaal kwijt is.
klacht.dossier = Kijk op https://www.voorbeeld.be voor meer.
knop.klacht = Een hele lange knoptitel
"""
BAD_FR = """\
welkom = Bonjour {agency_of} !
"""

passed = failed = 0

def result(ok, what, detail=()):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)
        for d in detail:
            print("     " + d)

forbidden = load_forbidden(os.path.join(sys.argv[1], "verboden.txt"))

# The checks themselves: each rule must catch its case in a bad set.
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, "nl.txt"), "w", encoding="utf-8") as f:
        f.write(BAD_NL)
    with open(os.path.join(tmp, "fr.txt"), "w", encoding="utf-8") as f:
        f.write(BAD_FR)
    found = check(tmp, forbidden)
    for rule in RULES:
        result(any(r == rule for r, _, _ in found),
               "self-test: rule '%s' catches a bad text" % rule)
    result(sum(r == "forbidden" for r, _, _ in found) == 2,
           "self-test: 'je' and 'achternaam' both caught, nothing else",
           ["%s %s: %s" % b for b in found if b[0] == "forbidden"])

# The real texts: one result per rule and language.
found = check(sys.argv[1], forbidden)
for rule in RULES:
    for lang in LANGS:
        mine = [b for b in found if b[0] == rule and
                os.path.basename(b[1].split(":")[0]) == lang + ".txt"]
        result(not mine, "%s/%s.txt: %s" % (sys.argv[1], lang, rule),
               ["%s: %s" % (w, p) for _, w, p in mine])

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
