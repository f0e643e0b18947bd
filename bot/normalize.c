/*
 * normalize.c — message and phrase normalisation.  See normalize.h.
 * Called by the intent engine (phrases at load, messages at classify)
 * and by `loket intents check`.  Whitespace-separated chunks that look
 * like a date, code, number or address become one class token; the
 * rest is read code point by code point into words.
 */
#include <string.h>

#include "normalize.h"
#include "utf8.h"

struct nstate {
	struct buf	*out;
	struct buf	*raw;		/* words before mapping, or NULL */
	int		 flags;
	unsigned	 marks;
	int		 full;		/* output reached out->max */
	int		 oom;
	char		 word[NORM_WORD_MAX + 8];
	size_t		 wlen;
	size_t		 seg;		/* letters since the last joiner */
	size_t		 last;		/* offset of the last token in out */
};

/* U+00C0..U+00FF folded to lower-case ASCII; "" = not a letter.  */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "y",
};

/* U+0100..U+017F (Latin Extended-A): base letter of each; '1' = ij,
 * '2' = oe. */
static const char latin_ext_a[] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii11jjkkk"
    "llllllllllnnnnnnnnnoooooo22rrrrrrsssssssstttttt"
    "uuuuuuuuuuuuwwyyyzzzzzzs";
_Static_assert(sizeof(latin_ext_a) == 129, "one letter per code point");

/* Emoji that mean the same for us collapse onto one. */
static const uint32_t emoji_canon[][2] = {
	{ 0x1F44C, 0x1F44D }, { 0x2705, 0x1F44D }, { 0x2714, 0x1F44D },
	{ 0x1F620, 0x1F621 }, { 0x1F92C, 0x1F621 }, { 0x1F47F, 0x1F621 },
	{ 0x1F624, 0x1F621 }, { 0x1F4A2, 0x1F621 },
	{ 0x1F600, 0x1F642 }, { 0x1F603, 0x1F642 }, { 0x1F604, 0x1F642 },
	{ 0x1F601, 0x1F642 }, { 0x1F60A, 0x1F642 }, { 0x263A, 0x1F642 },
	{ 0x1F609, 0x1F642 },
	{ 0x1F60D, 0x2764 }, { 0x1F970, 0x2764 }, { 0x1F499, 0x2764 },
	{ 0x1F49A, 0x2764 }, { 0x1F49B, 0x2764 }, { 0x1F49C, 0x2764 },
	{ 0x1F9E1, 0x2764 }, { 0x1F495, 0x2764 }, { 0x1F496, 0x2764 },
	{ 0x1F618, 0x2764 },
	{ 0x1F62D, 0x1F622 }, { 0x1F61E, 0x1F622 }, { 0x1F614, 0x1F622 },
	{ 0x2639, 0x1F622 }, { 0x1F641, 0x1F622 }, { 0x1F625, 0x1F622 },
	{ 0x1F923, 0x1F602 },
	{ 0x2753, 0x1F914 }, { 0x2754, 0x1F914 },
	{ 0x1F612, 0x1F644 }, { 0x1F611, 0x1F644 },
};

static const char *const months[] = {
	"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december",
	"jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "sept",
	"okt", "nov", "dec",
};

static int
is_vowel(int c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ||
	    c == 'y';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Code points skipped without separating words: combining accents (so
 * decomposed "e\u0301" folds like "é"), zero-width joiners, variation
 * selectors and skin tones. */
static int
is_ignorable(uint32_t cp)
{
	return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B &&
	    cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x1F3FB &&
	    cp <= 0x1F3FF);
}

static int
is_emoji(uint32_t cp)
{
	return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 &&
	    cp <= 0x27BF) || (cp >= 0x2B00 && cp <= 0x2BFF) ||
	    (cp >= 0x2300 && cp <= 0x23FF);
}

/* Non-ASCII code points that are punctuation, spaces or symbols. */
static int
is_separator(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
	    (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 &&
	    cp <= 0x303F) || cp == UTF8_BAD;
}

static uint32_t
canon_emoji(uint32_t cp)
{
	size_t i;

	for (i = 0; i < sizeof(emoji_canon) / sizeof(emoji_canon[0]); i++)
		if (emoji_canon[i][0] == cp)
			return emoji_canon[i][1];
	return cp;
}

int
normalize_is_symbol(const char *tok)
{
	return tok[0] == '_' || (unsigned char)tok[0] >= 0xE2;
}

/* Appends one token, squeezing repeated symbols ("😡😡😡") and turning
 * "_num_ maart" into one date token. */
static void
emit(struct nstate *st, const char *tok, size_t n)
{
	struct buf *o = st->out;
	const char *prev = o->len ? o->data + st->last : "";
	size_t i, plen = o->len - (o->len ? st->last : 0);

	if (n == 0 || st->full || st->oom)
		return;
	if (plen == n && memcmp(prev, tok, n) == 0 &&
	    normalize_is_symbol(prev))
		return;
	if (plen == sizeof(NORM_TOK_NUM) - 1 &&
	    memcmp(prev, NORM_TOK_NUM, plen) == 0) {
		for (i = 0; i < sizeof(months) / sizeof(months[0]); i++) {
			if (strlen(months[i]) == n &&
			    memcmp(months[i], tok, n) == 0) {
				/* Overwrite the number in place; the
				 * space before it stays. */
				if (st->last + sizeof(NORM_TOK_DATE) > o->max) {
					st->full = 1;
					return;
				}
				o->len = st->last;
				if (buf_append(o, NORM_TOK_DATE,
				    sizeof(NORM_TOK_DATE) - 1) == -1)
					goto oom;
				return;
			}
		}
	}
	if (o->len + n + 1 > o->max) {
		st->full = 1;
		return;
	}
	if (o->len && buf_putc(o, ' ') == -1)
		goto oom;
	st->last = o->len;
	if (buf_append(o, tok, n) == -1)
		goto oom;
	return;
oom:
	st->oom = 1;
}

static void
emit_str(struct nstate *st, const char *s)
{
	emit(st, s, strlen(s));
}

/*
 * Emphasis ("heeeel", "jaaaa", "slechtttt") is squeezed with Dutch
 * spelling in mind: doubled a/e/o/u are real inside a word (heel,
 * vaak), ee is real at the end after a consonant (nee, twee), double
 * consonants are real inside a word (alle) but never at the end, and
 * Dutch has no ii.  Runs of three or more collapse to what fits; a
 * doubled a/o/u/i at the end ("jaa", "hallo"+"o") also collapses.
 */
static size_t
squeeze(char *w, size_t n)
{
	size_t i = 0, j = 0, r, keep;
	int c, prev, end;

	while (i < n) {
		c = (unsigned char)w[i];
		for (r = 1; i + r < n && w[i + r] == c; r++)
			;
		end = i + r == n;
		prev = j ? (unsigned char)w[j - 1] : 0;
		keep = r;
		if (!is_alpha(c) || r == 1)
			keep = r;
		else if (c == 'i' || c == 'y')
			keep = 1;
		else if (c == 'e')
			keep = r < 3 ? r : (prev && !is_vowel(prev)) ? 2 : 1;
		else if (is_vowel(c)) {
			if (end && j > 0)
				keep = 1;
			else if (r >= 3)
				keep = is_vowel(prev) ? 1 : 2;
		} else if (r >= 3)
			keep = end ? 1 : 2;
		memmove(w + j, w + i, keep);
		j += keep;
		i += r;
	}
	return j;
}

/*
 * Diminutives carry no intent: "vraagje", "vraagske", "momentje",
 * "mailtje", "boompje" become "vraag", "moment", "mail", "boom" (also
 * plural).  Dutch adds -tje after a vowel or l/n/r/w, -pje after m, -je
 * after other consonants; Flemish adds -ske, and -ke after a vowel
 * ("mercikes").  The stem keeps at least three letters.
 */
static size_t
undiminish(const char *w, size_t n)
{
	size_t m = n;
	int c;

	if (m > 4 && w[m - 1] == 's' && w[m - 2] == 'e')
		m--;			/* plural: -jes, -kes */
	if (m < 5 || w[m - 1] != 'e')
		return n;
	if (w[m - 2] == 'k' && w[m - 3] == 's' && m - 3 >= 3)
		return m - 3;		/* -ske: dagske */
	if (w[m - 2] == 'k' && m >= 6 && is_vowel(w[m - 3]))
		return m - 2;		/* -ke: mercieke, not vriendelijke */
	if (w[m - 2] != 'j')
		return n;
	c = (unsigned char)w[m - 3];
	if (c == 't' && m - 3 >= 3 && (is_vowel(w[m - 4]) ||
	    (strchr("lnrw", w[m - 4]) != NULL && is_vowel(w[m - 5]) &&
	    is_vowel(w[m - 6]))))
		return m - 3;		/* -tje: mailtje, not momentje */
	if (c == 'p' && w[m - 4] == 'm' && m - 3 >= 3)
		return m - 3;		/* -pje: boompje */
	if (is_alpha(c) && !is_vowel(c) && m - 2 >= 3)
		return m - 2;		/* -je: vraagje, momentje */
	return n;
}

/* Emits a mapped word: "ik zen" is "ik ben", any other "zen" "zijn". */
static void
emit_mapped(struct nstate *st, const char *to)
{
	const char *p = to, *q;
	struct buf *o = st->out;

	if (strcmp(to, "zijn") == 0 && o->len >= 2 && o->len - st->last ==
	    2 && memcmp(o->data + st->last, "ik", 2) == 0 && st->wlen == 3 &&
	    memcmp(st->word, "zen", 3) == 0)
		to = p = "ben";
	while (*p != '\0') {
		q = strchr(p, ' ');
		if (q == NULL)
			q = p + strlen(p);
		emit(st, p, (size_t)(q - p));
		p = *q ? q + 1 : q;
	}
}

static void
flush_word(struct nstate *st)
{
	const char *to;

	if (st->wlen == 0)
		return;
	st->wlen = squeeze(st->word, st->wlen);
	if (st->raw != NULL && st->raw->len < st->raw->max / 2 &&
	    ((st->raw->len > 0 && buf_putc(st->raw, ' ') == -1) ||
	    buf_append(st->raw, st->word, st->wlen) == -1))
		st->oom = 1;
	to = (st->flags & NORM_RAW) ? NULL :
	    normalize_map_lookup(st->word, st->wlen);
	if (to == NULL && !(st->flags & NORM_RAW)) {
		size_t n = undiminish(st->word, st->wlen);

		if (n != st->wlen) {	/* only a changed word can map now */
			st->wlen = n;
			to = normalize_map_lookup(st->word, st->wlen);
		}
	}
	if (to != NULL)
		emit_mapped(st, to);
	else
		emit(st, st->word, st->wlen);
	st->wlen = 0;
	st->seg = 0;
}

static void
add_letters(struct nstate *st, const char *s, size_t n)
{
	if (st->wlen + n > NORM_WORD_MAX)
		return;
	memcpy(st->word + st->wlen, s, n);
	st->wlen += n;
	st->seg++;
}

/* Lower-cases and folds one letter into the word being built. */
static void
add_letter(struct nstate *st, uint32_t cp)
{
	char u[4];
	char c;
	size_t n;

	if (cp < 0x80) {
		c = (char)cp;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		add_letters(st, &c, 1);
	} else if (cp >= 0xC0 && cp <= 0xFF)
		add_letters(st, latin1[cp - 0xC0], strlen(latin1[cp - 0xC0]));
	else if (cp >= 0x100 && cp <= 0x17F) {
		c = latin_ext_a[cp - 0x100];
		if (c == '1')
			add_letters(st, STRLIT("ij"));
		else if (c == '2')
			add_letters(st, STRLIT("oe"));
		else
			add_letters(st, &c, 1);
	} else if ((n = utf8_encode(cp, u)) > 0)
		add_letters(st, u, n);
}

static int
is_letter(uint32_t cp)
{
	if (cp < 0x80)
		return is_alpha((int)cp);
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0][0] != '\0';
	return !is_separator(cp) && !is_emoji(cp) && !is_ignorable(cp);
}

static void
emit_emoji(struct nstate *st, uint32_t cp)
{
	char u[4];
	size_t n;

	n = utf8_encode(canon_emoji(cp), u);
	emit(st, u, n);
}

static void
mark(struct nstate *st, uint32_t cp)
{
	if (cp == '?' || cp == 0xBF)
		st->marks |= NORM_MARK_QUESTION;
	else if (cp == '!' || cp == 0xA1)
		st->marks |= NORM_MARK_EXCLAIM;
}

/* A joiner glues letters: "e-mail", "da's", "z'n", and the dots of a
 * one-letter abbreviation ("a.u.b.", "i.v.m."). */
static int
is_joiner(struct nstate *st, uint32_t cp)
{
	if (st->wlen == 0)
		return 0;
	if (cp == '-' || cp == '\'' || cp == 0x2019 || cp == 0x2010 ||
	    cp == 0x2011)
		return 1;
	return cp == '.' && st->seg == 1;
}

/* "dossier:2025/11873": a code glued to a word still counts as one. */
static int
class_rest(struct nstate *st, const unsigned char *s, size_t n, size_t i)
{
	const char *cls;
	size_t b, j;

	for (b = n; b > i && strchr(")]}\"'>.,;:!?", s[b - 1]) != NULL; b--)
		;
	cls = normalize_chunk_class((const char *)s + i, b - i);
	if (cls == NULL || strcmp(cls, NORM_TOK_NUM) == 0)
		return 0;
	emit_str(st, cls);
	for (j = b; j < n; j++)
		mark(st, s[j]);
	return 1;
}

static void
read_chunk(struct nstate *st, const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp, next;

	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		i += k;
		if (is_ignorable(cp))
			continue;
		if (is_letter(cp)) {
			add_letter(st, cp);
			continue;
		}
		if (cp != UTF8_BAD && is_joiner(st, cp) && i < n) {
			utf8_decode(s + i, n - i, &next);
			if (is_letter(next)) {
				st->seg = 0;
				continue;
			}
		}
		flush_word(st);
		mark(st, cp);
		if (is_digit((int)cp) && class_rest(st, s, n, i - k))
			return;
		if (is_digit((int)cp)) {
			while (i < n && (is_digit(s[i]) || ((s[i] == ',' ||
			    s[i] == '.') && i + 1 < n && is_digit(s[i + 1]))))
				i++;
			emit_str(st, NORM_TOK_NUM);
		} else if (is_emoji(cp))
			emit_emoji(st, cp);
		else if (cp == 0x20AC)
			emit_str(st, "euro");
		else if (cp == '&')
			emit_str(st, "en");
	}
	flush_word(st);
}

int
normalize(const char *text, size_t len, int flags, struct buf *out,
    unsigned *marks)
{
	return normalize_raw_too(text, len, flags, out, marks, NULL);
}

int
normalize_raw_too(const char *text, size_t len, int flags, struct buf *out,
    unsigned *marks, struct buf *raw)
{
	struct nstate st;
	const unsigned char *s = (const unsigned char *)text;
	const char *cls;
	size_t i = 0, j, a, b;

	memset(&st, 0, sizeof(st));
	st.out = out;
	st.raw = raw;
	st.flags = flags;
	buf_reset(out);
	if (raw != NULL)
		buf_reset(raw);
	while (i < len) {
		while (i < len && (s[i] == ' ' || (s[i] >= '\t' &&
		    s[i] <= '\r')))
			i++;
		for (j = i; j < len && s[j] != ' ' && !(s[j] >= '\t' &&
		    s[j] <= '\r'); j++)
			;
		if (j == i)
			break;
		/* Class detection ignores quotes and brackets around a
		 * code and the sentence punctuation after it. */
		for (a = i; a < j && strchr("([{\"'<", s[a]) != NULL; a++)
			;
		for (b = j; b > a && strchr(")]}\"'>.,;:!?", s[b - 1]) !=
		    NULL; b--)
			mark(&st, s[b - 1]);
		cls = normalize_chunk_class(text + a, b - a);
		if (cls != NULL)
			emit_str(&st, cls);
		else
			read_chunk(&st, s + i, j - i);
		i = j;
	}
	if (st.oom) {
		buf_free(out);
		return -1;
	}
	if (out->data == NULL && buf_append(out, "", 0) == -1)
		return -1;
	if (marks != NULL)
		*marks = st.marks;
	return 0;
}
