/*
 * fuzz_json.c - libFuzzer target for model/json.h: json_doc_parse() and the
 * position finder json_locate() that every JSON reader's messages rely on.
 *
 * Checks beyond "no crash, no leak, no UB":
 *  - a failure is HP_EINPUT or HP_ELIMIT with a "file:line:column: " message;
 *  - on success, json_locate() finds every node it is asked about (up to
 *    MAX_LOCATE per input, as it rescans the text each time), and the
 *    character at the position it gives starts a value of the node's type.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define MAX_LOCATE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_json: %s: %s\n", what, detail);
	abort();
}

/* Byte offset of 1-based line/column (columns count UTF-8 characters). */
static size_t offset_of(const char *text, size_t len, unsigned line, unsigned col)
{
	size_t i = 0;
	unsigned l = 1, c = 1;
	while (i < len && (l < line || (l == line && c < col))) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;
		}
		i++;
		while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

static int starts_value(const cJSON *node, char c)
{
	if (cJSON_IsObject(node))
		return c == '{';
	if (cJSON_IsArray(node))
		return c == '[';
	if (cJSON_IsString(node))
		return c == '"';
	if (cJSON_IsNumber(node))
		return c == '-' || (c >= '0' && c <= '9');
	if (cJSON_IsBool(node))
		return c == 't' || c == 'f';
	if (cJSON_IsNull(node))
		return c == 'n';
	return 0;
}

static void check_node(const struct json_doc *d, const cJSON *node, unsigned *budget)
{
	for (; node && *budget; node = node->next) {
		unsigned line, col;
		(*budget)--;
		json_locate(d, node, &line, &col);
		if (!line || !col)
			broken("json_locate lost a node", node->string ? node->string : "(element)");
		size_t off = offset_of(d->text, d->len, line, col);
		if (off >= d->len || !starts_value(node, d->text[off])) {
			char msg[128];
			snprintf(msg, sizeof(msg), "%u:%u does not start a value of the node's type", line, col);
			broken("json_locate points at the wrong place", msg);
		}
		check_node(d, node->child, budget);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc d;
	struct errbuf err;
	memset(&err, 0, sizeof(err));
	int rc = json_doc_parse(&d, "fuzz.json", (const char *)data, size, &err);
	if (rc) {
		unsigned line, col;
		if (rc != HP_EINPUT && rc != HP_ELIMIT)
			broken("unexpected status", err.msg);
		if (sscanf(err.msg, "fuzz.json:%u:%u: ", &line, &col) != 2 || !line || !col)
			broken("failure without file:line:column", err.msg);
		json_doc_release(&d);
		return 0;
	}
	unsigned budget = MAX_LOCATE;
	check_node(&d, d.root, &budget);
	json_doc_release(&d);
	return 0;
}
