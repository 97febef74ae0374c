/*
 * json.c - parsing with positioned errors, typed getters, small writers.
 */
#include "json.h"
#include "jsonw.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

void json_offset_pos(const char *text, size_t len, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Returns the offset of the first invalid UTF-8 byte, NUL (*nul = 1) or
 * control character other than tab and line ends (*nul = 2), or len. */
static size_t utf8_check(const char *s, size_t len, int *nul)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	*nul = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x80) {
			i++;
			continue;
		}
		if (c == 0) {
			*nul = 1;
			return i;
		}
		if (c < 0x80) {
			/* cJSON would skip other controls as blanks, which JSON
			 * forbids and json_locate() does not expect */
			if (c != '\t' && c != '\n' && c != '\r') {
				*nul = 2;
				return i;
			}
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
		else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
		else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
		else return i;
		if (i + n > len)
			return i;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n;
	}
	return len;
}

/* Depth of brackets at offset off (strings skipped), and the max depth
 * reached before it. */
static unsigned depth_before(const char *s, size_t off)
{
	unsigned d = 0, max = 0;
	int in_str = 0;
	for (size_t i = 0; i < off; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++d > max)
				max = d;
		} else if (c == ']' || c == '}') {
			if (d)
				d--;
		}
	}
	return max;
}

/* Whether the text ends inside a string or an unclosed array/object, or
 * holds no value at all: a truncated file. */
static int ends_open(const char *s, size_t len)
{
	int d = 0, in_str = 0, any = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = any = 1;
		} else if (c == '[' || c == '{') {
			d++;
			any = 1;
		} else if (c == ']' || c == '}') {
			d--;
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			any = 1;
		}
	}
	return in_str || d > 0 || !any;
}

int json_doc_parse(struct json_doc *d, const char *file, const char *text, size_t len,
		   struct errbuf *err)
{
	unsigned line, col;
	int nul;
	memset(d, 0, sizeof(*d));
	d->file = file;
	d->text = text;
	d->len = len;
	d->err = err;

	size_t bad = utf8_check(text, len, &nul);
	if (bad < len) {
		json_offset_pos(text, len, bad, &line, &col);
		if (nul == 2)
			return hp_error_at(err, HP_EINPUT, file, line, col,
					   "control character U+%04X in JSON", (unsigned char)text[bad]);
		return hp_error_at(err, HP_EINPUT, file, line, col, nul ? "NUL byte in JSON" : "invalid UTF-8");
	}
	const char *end = NULL;
	d->root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!d->root) {
		size_t off = end && end >= text ? (size_t)(end - text) : 0;
		const char *e = cJSON_GetErrorPtr();
		if (!end && e && e >= text && e <= text + len)
			off = (size_t)(e - text);
		if (depth_before(text, off) >= HP_JSON_MAX_DEPTH) {
			json_offset_pos(text, len, off, &line, &col);
			return hp_error_at(err, HP_ELIMIT, file, line, col,
					   "JSON nested deeper than %d levels", HP_JSON_MAX_DEPTH);
		}
		if (ends_open(text, len)) {
			json_offset_pos(text, len, len, &line, &col);
			return hp_error_at(err, HP_EINPUT, file, line, col, "unexpected end of JSON input");
		}
		json_offset_pos(text, len, off, &line, &col);
		return hp_error_at(err, HP_EINPUT, file, line, col, "malformed JSON");
	}
	/* only whitespace may follow the value */
	size_t off = end ? (size_t)(end - text) : len;
	while (off < len && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r'))
		off++;
	if (off < len) {
		cJSON_Delete(d->root);
		d->root = NULL;
		json_offset_pos(text, len, off, &line, &col);
		return hp_error_at(err, HP_EINPUT, file, line, col, "unexpected text after the JSON value");
	}
	return 0;
}

void json_doc_release(struct json_doc *d)
{
	cJSON_Delete(d->root);
	d->root = NULL;
}

/* ---- locating a node ------------------------------------------------------ */

struct scan {
	const char *s;
	size_t len, pos;
	const cJSON *target;
	size_t found;
	int done;
};

static void scan_ws(struct scan *sc)
{
	while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
				     sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
		sc->pos++;
}

static void scan_string(struct scan *sc)
{
	sc->pos++; /* opening quote */
	while (sc->pos < sc->len && sc->s[sc->pos] != '"') {
		if (sc->s[sc->pos] == '\\')
			sc->pos++;
		sc->pos++;
	}
	sc->pos++;
}

/* Scans the value at sc->pos that cJSON parsed into node. */
static void scan_value(struct scan *sc, const cJSON *node)
{
	scan_ws(sc);
	if (node == sc->target) {
		sc->found = sc->pos;
		sc->done = 1;
		return;
	}
	if (sc->pos >= sc->len)
		return;
	char c = sc->s[sc->pos];
	if (c == '{' || c == '[') {
		sc->pos++;
		for (const cJSON *ch = node ? node->child : NULL; ch && !sc->done; ch = ch->next) {
			scan_ws(sc);
			if (c == '{') {
				if (ch == sc->target) { /* point at the key */
					sc->found = sc->pos;
					sc->done = 1;
					return;
				}
				scan_string(sc);
				scan_ws(sc);
				sc->pos++; /* ':' */
			}
			scan_value(sc, ch);
			scan_ws(sc);
			if (sc->pos < sc->len && sc->s[sc->pos] == ',')
				sc->pos++;
		}
		scan_ws(sc);
		sc->pos++; /* closing bracket */
	} else if (c == '"') {
		scan_string(sc);
	} else {
		while (sc->pos < sc->len && !strchr(",]} \t\r\n", sc->s[sc->pos]))
			sc->pos++;
	}
}

void json_locate(const struct json_doc *d, const cJSON *node, unsigned *line, unsigned *col)
{
	struct scan sc = { d->text, d->len, 0, node, 0, 0 };
	*line = *col = 0;
	if (!node || !d->root)
		return;
	/* cJSON skips a UTF-8 byte order mark before the value */
	if (d->len >= 3 && !memcmp(d->text, "\xEF\xBB\xBF", 3))
		sc.pos = 3;
	/* a member of an object: point at its value, not its key */
	scan_value(&sc, d->root);
	if (sc.done) {
		size_t off = sc.found;
		if (node->string) {
			/* skip "key" : to reach the value */
			struct scan k = { d->text, d->len, off, NULL, 0, 0 };
			scan_string(&k);
			scan_ws(&k);
			if (k.pos < k.len && d->text[k.pos] == ':') {
				k.pos++;
				scan_ws(&k);
			}
			off = k.pos;
		}
		json_offset_pos(d->text, d->len, off, line, col);
	}
}

int json_error(const struct json_doc *d, const cJSON *node, const char *fmt, ...)
{
	char msg[768];
	unsigned line, col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_locate(d, node, &line, &col);
	return hp_error_at(d->err, HP_EINPUT, d->file, line, col, "%s", msg);
}

int json_check_count(const struct json_doc *d, const cJSON *arr, const char *key, size_t max)
{
	size_t n = 0;
	unsigned line, col;
	for (const cJSON *c = arr ? arr->child : NULL; c; c = c->next)
		if (++n > max) {
			size_t total = n;
			for (c = c->next; c; c = c->next)
				total++;
			json_locate(d, arr, &line, &col);
			return hp_error_at(d->err, HP_ELIMIT, d->file, line, col,
					   "'%s' has %zu entries, more than the limit of %zu", key, total, max);
		}
	return 0;
}

/* ---- typed getters ---------------------------------------------------------- */

static int member(const struct json_doc *d, const cJSON *obj, const char *key,
		  int required, const cJSON **out)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = m;
	if (!m)
		return required ? json_error(d, obj, "missing '%s' in object", key) : 1;
	return 0;
}

int json_get_string(const struct json_doc *d, const cJSON *obj, const char *key,
		    int required, const char **out)
{
	const cJSON *m;
	int rc = member(d, obj, key, required, &m);
	if (rc)
		return rc;
	if (!cJSON_IsString(m))
		return json_error(d, m, "'%s' must be a string", key);
	*out = m->valuestring;
	return 0;
}

int json_get_string_or_null(const struct json_doc *d, const cJSON *obj, const char *key,
			    int required, const char **out)
{
	const cJSON *m;
	int rc = member(d, obj, key, required, &m);
	if (rc)
		return rc;
	if (cJSON_IsNull(m)) {
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(m))
		return json_error(d, m, "'%s' must be a string or null", key);
	*out = m->valuestring;
	return 0;
}

int json_get_int(const struct json_doc *d, const cJSON *obj, const char *key,
		 int required, long long min, long long max, long long *out)
{
	const cJSON *m;
	int rc = member(d, obj, key, required, &m);
	if (rc)
		return rc;
	double x = m->valuedouble;
	if (!cJSON_IsNumber(m) || x != floor(x))
		return json_error(d, m, "'%s' must be an integer", key);
	/* converting a double outside long long's range is undefined */
	if (x < -9223372036854775808.0 || x >= 9223372036854775808.0)
		return json_error(d, m, "'%s' must be between %lld and %lld", key, min, max);
	long long v = (long long)x;
	if (v < min || v > max)
		return json_error(d, m, "'%s' must be between %lld and %lld", key, min, max);
	*out = v;
	return 0;
}

int json_get_bool(const struct json_doc *d, const cJSON *obj, const char *key,
		  int required, int *out)
{
	const cJSON *m;
	int rc = member(d, obj, key, required, &m);
	if (rc)
		return rc;
	if (!cJSON_IsBool(m))
		return json_error(d, m, "'%s' must be true or false", key);
	*out = cJSON_IsTrue(m);
	return 0;
}

int json_get_array(const struct json_doc *d, const cJSON *obj, const char *key,
		   int required, const cJSON **out)
{
	const cJSON *m;
	int rc = member(d, obj, key, required, &m);
	if (rc)
		return rc;
	if (!cJSON_IsArray(m))
		return json_error(d, m, "'%s' must be an array", key);
	*out = m;
	return 0;
}

int json_get_object(const struct json_doc *d, const cJSON *obj, const char *key,
		    int required, const cJSON **out)
{
	const cJSON *m;
	int rc = member(d, obj, key, required, &m);
	if (rc)
		return rc;
	if (!cJSON_IsObject(m))
		return json_error(d, m, "'%s' must be an object", key);
	*out = m;
	return 0;
}

int json_get_hash(const struct json_doc *d, const cJSON *obj, const char *key,
		  int required, uint64_t *out)
{
	const char *s;
	int rc = json_get_string(d, obj, key, required, &s);
	if (rc)
		return rc;
	if (hp_hash_parse(s, out))
		return json_error(d, cJSON_GetObjectItemCaseSensitive(obj, key),
				  "'%s' must be a hash of 16 hex digits", key);
	return 0;
}

void json_put_string(struct strbuf *sb, const char *s)
{
	if (!s) {
		sb_adds(sb, "null");
		return;
	}
	sb_addc(sb, '"');
	jsonw_escape(sb, s, strlen(s));
	sb_addc(sb, '"');
}

void json_put_hash(struct strbuf *sb, uint64_t h)
{
	char hex[17];
	hp_hash_hex(h, hex);
	sb_addc(sb, '"');
	sb_adds(sb, hex);
	sb_addc(sb, '"');
}
