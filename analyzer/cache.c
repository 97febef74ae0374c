/*
 * cache.c - per-unit facts kept between runs (analyze --cache DIR).
 *
 * An entry is the file DIR/<key>.facts, where key hashes the unit's path,
 * flags, module name, the analysis settings and the hotplan executable. Its layout:
 *
 *   hotplan-cache 2 <checksum of everything after this line, 16 hex>
 *   <number of dependencies>
 *   <content hash, 16 hex> <path>        one line per file the unit read
 *   <the unit's facts JSON>
 *
 * Invariant: an entry is used only if its checksum matches (so a truncated
 * or damaged entry is never read as facts) and every dependency still has
 * the recorded content hash; checking it reads and hashes files but parses
 * nothing. Entries are written to a temporary name and renamed into place,
 * so readers see an old entry, a new one, or none.
 */
#include "analyzer_int.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "fileio.h"

/* 2: per-unit facts list their compile flags */
#define CACHE_MAGIC "hotplan-cache 2 "

void hash_memo_init(struct hash_memo *m)
{
	strmap_init(&m->map);
	arena_init(&m->arena);
}

void hash_memo_release(struct hash_memo *m)
{
	strmap_release(&m->map);
	arena_release(&m->arena);
}

uint64_t file_content_hash(const char *path)
{
	struct errbuf err;
	char *data;
	size_t len;
	if (fileio_read(path, &data, &len, &err) < 0)
		return 0;
	uint64_t h = XXH3_64bits(data, len);
	free(data);
	return h ? h : 1;
}

static uint64_t memo_hash(struct hash_memo *m, const char *path)
{
	uint64_t *v = strmap_get(&m->map, path);
	if (!v) {
		v = arena_alloc(&m->arena, sizeof(*v));
		*v = file_content_hash(path);
		strmap_put(&m->map, arena_strdup(&m->arena, path), v);
	}
	return *v;
}

uint64_t cache_tool_hash(void)
{
	return file_content_hash("/proc/self/exe");
}

uint64_t cache_key(const struct unit *u, const struct hp_config *cfg, uint64_t tool)
{
	uint64_t h = hp_hash_str("hotplan-cache-key-1");
	h = hp_hash64(&tool, sizeof(tool), h);
	h = hp_hash64(u->path, strlen(u->path) + 1, h);
	h = hp_hash64(u->module, strlen(u->module) + 1, h);
	h = hp_hash64(u->rel, strlen(u->rel) + 1, h);
	h = hp_hash64(&u->flags_hash, sizeof(u->flags_hash), h);
	for (size_t i = 0; i < u->nargs; i++)
		h = hp_hash64(u->args[i], strlen(u->args[i]) + 1, h);
	uint64_t c = config_analysis_hash(cfg);
	return hp_hash64(&c, sizeof(c), h);
}

static char *entry_path(const char *dir, uint64_t key)
{
	char hex[17];
	struct strbuf sb = STRBUF_INIT;
	hp_hash_hex(key, hex);
	sb_addf(&sb, "%s/%s.facts", dir, hex);
	return sb_detach(&sb, NULL);
}

struct facts *cache_load(const char *dir, uint64_t key, struct hash_memo *memo)
{
	struct errbuf err;
	struct facts *f = NULL;
	char *path = entry_path(dir, key), *data = NULL;
	size_t len;
	if (fileio_read(path, &data, &len, &err) < 0)
		goto out;
	size_t ml = strlen(CACHE_MAGIC);
	if (len < ml + 17 || memcmp(data, CACHE_MAGIC, ml) || data[ml + 16] != '\n')
		goto out;
	char hex[17];
	memcpy(hex, data + ml, 16);
	hex[16] = '\0';
	uint64_t sum;
	const char *body = data + ml + 17;
	size_t blen = len - ml - 17;
	if (hp_hash_parse(hex, &sum) < 0 || sum != XXH3_64bits(body, blen))
		goto out;
	char *p = (char *)body, *end;
	unsigned long ndeps = strtoul(p, &end, 10);
	if (end == p || *end != '\n')
		goto out;
	p = end + 1;
	for (unsigned long i = 0; i < ndeps; i++) {
		char *nl = strchr(p, '\n');
		uint64_t want;
		if (!nl || nl - p < 18 || p[16] != ' ')
			goto out;
		memcpy(hex, p, 16);
		if (hp_hash_parse(hex, &want) < 0)
			goto out;
		*nl = '\0';
		if (memo_hash(memo, p + 17) != want)
			goto out;
		p = nl + 1;
	}
	if (facts_read_json(path, p, len - (size_t)(p - data), &f, &err) < 0 || !f->unit) {
		facts_free(f);
		f = NULL;
	}
out:
	free(data);
	free(path);
	return f;
}

/*
 * Writes an entry beside its final name and renames it into place. Not
 * fileio_write(): workers store entries concurrently, and a cache needs no
 * fsync, since the checksum catches an entry a crash left incomplete.
 */
static void write_entry(const char *path, const struct strbuf *data)
{
	struct strbuf tmp = STRBUF_INIT;
	sb_addf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd >= 0) {
		size_t off = 0;
		while (off < data->len) {
			ssize_t n = write(fd, data->buf + off, data->len - off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		if (close(fd) == 0 && off == data->len && rename(tmp.buf, path) == 0) {
			sb_release(&tmp);
			return;
		}
		unlink(tmp.buf);
	}
	sb_release(&tmp);
}

void cache_store(const char *dir, uint64_t key, const struct facts *facts,
		 char *const *deps, size_t ndeps)
{
	struct strbuf body = STRBUF_INIT, all = STRBUF_INIT;
	char hex[17];
	sb_addf(&body, "%zu\n", ndeps);
	for (size_t i = 0; i < ndeps; i++) {
		hp_hash_hex(file_content_hash(deps[i]), hex);
		sb_addf(&body, "%s %s\n", hex, deps[i]);
	}
	facts_write_json(facts, &body);
	hp_hash_hex(XXH3_64bits(body.buf, body.len), hex);
	sb_addf(&all, "%s%s\n", CACHE_MAGIC, hex);
	sb_add(&all, body.buf, body.len);
	char *path = entry_path(dir, key);
	write_entry(path, &all);
	free(path);
	sb_release(&body);
	sb_release(&all);
}
