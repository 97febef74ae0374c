/*
 * json.h - cJSON with positions for error messages.
 *
 * cJSON nodes carry no source positions. Rather than pay for them on every
 * read (the runtime file can be 130 MB), a position is computed only when a
 * message needs one: json_locate() rescans the text in document order in
 * lockstep with the tree until it reaches the node. Reading stays at cJSON's
 * speed; errors still say file:line:column.
 */
#ifndef HOTPLAN_JSON_H
#define HOTPLAN_JSON_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include "util.h"

/* cJSON's own nesting limit (CJSON_NESTING_LIMIT) */
#define HP_JSON_MAX_DEPTH 1000

struct json_doc {
	const char *file;   /* name used in messages */
	const char *text;   /* the source (not owned) */
	size_t len;
	cJSON *root;        /* owned; freed by json_doc_release */
	struct errbuf *err;
};

/*
 * Parses text (len bytes). Rejects invalid UTF-8, NUL bytes, other control
 * characters outside tab and line ends, and nesting
 * deeper than HP_JSON_MAX_DEPTH with file:line:column. Returns 0 or
 * HP_EINPUT/HP_ELIMIT.
 */
int json_doc_parse(struct json_doc *d, const char *file, const char *text, size_t len,
		   struct errbuf *err);
void json_doc_release(struct json_doc *d);

/* Line and column (1-based) of node in the document; 0,0 if not found. */
void json_locate(const struct json_doc *d, const cJSON *node, unsigned *line, unsigned *col);
/* Line and column of a byte offset. */
void json_offset_pos(const char *text, size_t len, size_t off, unsigned *line, unsigned *col);

/* Fails with HP_ELIMIT and "file:line:column: 'key' has N entries, more
 * than the limit of max" when array arr is longer than max; else 0. */
int json_check_count(const struct json_doc *d, const cJSON *arr, const char *key, size_t max);

/* Records "file:line:column: message" for node in d->err; returns HP_EINPUT. */
int json_error(const struct json_doc *d, const cJSON *node, const char *fmt, ...) HP_PRINTF(3, 4);

/*
 * Typed member access. Each returns 0 on success, 1 if the member is absent
 * and not required (out untouched), or HP_EINPUT with a positioned message
 * if it has the wrong type or is required and absent ("missing 'name' in
 * object").
 */
int json_get_string(const struct json_doc *d, const cJSON *obj, const char *key,
		    int required, const char **out);
int json_get_int(const struct json_doc *d, const cJSON *obj, const char *key,
		 int required, long long min, long long max, long long *out);
int json_get_bool(const struct json_doc *d, const cJSON *obj, const char *key,
		  int required, int *out);
int json_get_array(const struct json_doc *d, const cJSON *obj, const char *key,
		   int required, const cJSON **out);
int json_get_object(const struct json_doc *d, const cJSON *obj, const char *key,
		    int required, const cJSON **out);
/* A 16-hex-digit hash string. */
int json_get_hash(const struct json_doc *d, const cJSON *obj, const char *key,
		  int required, uint64_t *out);
/* "string or null": *out NULL for null. */
int json_get_string_or_null(const struct json_doc *d, const cJSON *obj, const char *key,
			    int required, const char **out);

/* Writing helpers: appends "key": with indentation, for hand-written
 * canonical JSON writers (faster and more predictable than cJSON_Print). */
void json_put_string(struct strbuf *sb, const char *s); /* "s" or null */
void json_put_hash(struct strbuf *sb, uint64_t h);      /* "0123456789abcdef" */

#endif
