/*
 * units.c - the translation units of a tree: from a compilation database
 * (read through libclang's CXCompilationDatabase API) or from a folder of .c
 * files, with the flags libclang needs, the flags hash, and module names.
 *
 * Invariant: units are sorted by absolute path and unique by it (the first
 * command for a file wins, as a build would compile it once); every unit's
 * file exists; module names follow DESIGN.md §3: the file stem, or on a
 * clash the path relative to the source root without its extension, unless
 * the config groups the file into a named module.
 */
#include "analyzer_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <clang-c/CXCompilationDatabase.h>
#include <clang-c/Index.h>

#include "fileio.h"
#include "json.h"

int analyzer_is_c_file(const char *path)
{
	size_t n = strlen(path);
	return n > 2 && !strcmp(path + n - 2, ".c");
}

/* ---- paths ------------------------------------------------------------------ */

static char *path_join(struct arena *a, const char *dir, const char *p)
{
	if (p[0] == '/' || !dir || !*dir)
		return arena_strdup(a, p);
	return arena_printf(a, "%s/%s", dir, p);
}

/* Removes "." and ".." components lexically (paths need not exist). */
static char *path_clean(struct arena *a, const char *p)
{
	char *out = arena_alloc(a, strlen(p) + 2);
	size_t n = 0;
	int abs = p[0] == '/';
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t len = (size_t)(e - s);
		if (len == 0)
			break;
		if (len == 1 && s[0] == '.') {
			/* skip */
		} else if (len == 2 && s[0] == '.' && s[1] == '.' && n > 0 &&
			   !(n >= 2 && out[n - 1] == '.' && out[n - 2] == '.' &&
			     (n == 2 || out[n - 3] == '/'))) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			if (n > 0 || abs)
				out[n++] = '/';
			memcpy(out + n, s, len);
			n += len;
		}
		s = e;
	}
	if (n == 0 && abs)
		out[n++] = '/';
	if (n == 0)
		out[n++] = '.';
	out[n] = '\0';
	return out;
}

const char *units_relpath(struct arena *a, const char *src_root, const char *path)
{
	size_t n = strlen(src_root);
	(void)a;
	if (n > 1 && !strncmp(path, src_root, n) && path[n] == '/')
		return path + n + 1;
	return path;
}

/* dir relative to base ("../include"), for flags that must not depend on
 * where the tree is checked out. */
static const char *path_relative_to(struct arena *a, const char *base, const char *path)
{
	if (path[0] != '/')
		return path;
	size_t common = 0, i = 0;
	while (base[i] && path[i] && base[i] == path[i]) {
		if (base[i] == '/')
			common = i;
		i++;
	}
	if (!base[i] && (path[i] == '/' || !path[i]))
		common = i;
	struct strbuf sb = STRBUF_INIT;
	for (const char *s = base + common; *s; s++)
		if (*s == '/')
			sb_adds(&sb, "../");
	const char *rest = path + common;
	while (*rest == '/')
		rest++;
	sb_adds(&sb, *rest ? rest : ".");
	char *r = arena_strdup(a, sb.buf);
	sb_release(&sb);
	return r;
}

static char *path_dirname(struct arena *a, const char *p)
{
	const char *slash = strrchr(p, '/');
	if (!slash)
		return arena_strdup(a, ".");
	if (slash == p)
		return arena_strdup(a, "/");
	return arena_strndup(a, p, (size_t)(slash - p));
}

/* ---- flags ------------------------------------------------------------------- */

static const char *const drop_alone[] = {
	"-c", "-S", "-E", "-MD", "-MMD", "-M", "-MM", "-MP", "-MG", "--", "-pipe",
};
static const char *const drop_with_value[] = { "-o", "-MF", "-MT", "-MQ", "-MJ" };
static const char *const path_flags[] = {
	"-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-isysroot",
	"--sysroot", "-L",
};

static int in_list(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/*
 * Turns a compile command into libclang arguments, the flags that matter
 * and their hash. raw[0] is the compiler; src is the unit's absolute path;
 * dir the command's working directory. The flags are what the hash covers,
 * in command-line order, a path-valued one joined to its value relative to
 * the source file's folder ("-I../include", "-include ../cfg.h",
 * "--sysroot=../sys"), so they do not depend on where the tree is checked
 * out either.
 */
static void unit_set_args(struct arena *a, struct unit *u, const char *const *raw, size_t nraw,
			  const char *dir)
{
	const char **args = arena_alloc(a, (nraw + 2) * sizeof(*args));
	const char **flags = arena_alloc(a, (nraw + 1) * sizeof(*flags));
	size_t n = 0, nflags = 0;
	uint64_t h = hp_hash_str("hotplan-flags-1");
	const char *srcdir = path_dirname(a, u->path);
	for (size_t i = 1; i < nraw; i++) {
		const char *s = raw[i];
		if (in_list(drop_alone, HP_ARRAY_SIZE(drop_alone), s))
			continue;
		if (in_list(drop_with_value, HP_ARRAY_SIZE(drop_with_value), s)) {
			i++;
			continue;
		}
		if ((!strncmp(s, "-o", 2) && s[2]) ||
		    (!strncmp(s, "-M", 2) && strchr("FTQJ", s[2]) && s[2] && s[3]))
			continue;
		if (s[0] != '-') {
			/* a file operand: the source itself is dropped */
			const char *abs = path_clean(a, path_join(a, dir, s));
			if (!strcmp(abs, u->path) || analyzer_is_c_file(s))
				continue;
		}
		/* path-valued flags: absolute for libclang, relative for the hash */
		const char *flag = NULL, *val = NULL;
		for (size_t k = 0; k < HP_ARRAY_SIZE(path_flags); k++) {
			size_t fl = strlen(path_flags[k]);
			if (!strcmp(s, path_flags[k]) && i + 1 < nraw) {
				flag = path_flags[k];
				val = raw[++i];
				break;
			}
			if (!strncmp(s, path_flags[k], fl) && s[fl] &&
			    (fl == 2 || !strcmp(path_flags[k], "--sysroot"))) {
				flag = path_flags[k];
				val = s + fl + (s[fl] == '=');
				break;
			}
		}
		if (flag) {
			const char *abs = path_clean(a, path_join(a, dir, val));
			const char *rel = path_relative_to(a, srcdir, abs);
			args[n++] = arena_printf(a, "%s%s%s", flag,
						 !strcmp(flag, "--sysroot") ? "=" : "", abs);
			h = hp_hash64(flag, strlen(flag) + 1, h);
			h = hp_hash64(rel, strlen(rel) + 1, h);
			flags[nflags++] = arena_printf(a, "%s%s%s", flag,
						       !strcmp(flag, "--sysroot") ? "=" :
						       strlen(flag) > 2 ? " " : "", rel);
			continue;
		}
		args[n++] = arena_strdup(a, s);
		flags[nflags++] = args[n - 1];
		h = hp_hash64(s, strlen(s) + 1, h);
	}
	args[n++] = "-w";
	u->args = args;
	u->nargs = n;
	u->flags = flags;
	u->nflags = nflags;
	u->flags_hash = h;
}

/* ---- compile database ---------------------------------------------------------- */

/* Checks the shape libclang expects, for a positioned message; 0 if fine. */
static int db_check_json(const char *db, struct json_doc *doc, struct errbuf *err)
{
	char *text;
	size_t len;
	int rc = fileio_read(db, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = json_doc_parse(doc, db, text, len, err);
	if (rc < 0) {
		free(text);
		doc->text = NULL;
		return rc;
	}
	doc->text = text; /* kept for json_locate; freed by db_doc_release */
	if (!cJSON_IsArray(doc->root) && facts_sniff(text, len))
		return json_error(doc, doc->root, "this is a facts file, not a compilation database");
	if (!cJSON_IsArray(doc->root))
		return json_error(doc, doc->root, "a compilation database must be an array");
	const cJSON *e;
	cJSON_ArrayForEach(e, doc->root) {
		const char *s;
		const cJSON *arr;
		if (!cJSON_IsObject(e))
			return json_error(doc, e, "a compile command must be an object");
		if ((rc = json_get_string(doc, e, "directory", 1, &s)) < 0 ||
		    (rc = json_get_string(doc, e, "file", 1, &s)) < 0)
			return rc;
		int has_cmd = json_get_string(doc, e, "command", 0, &s);
		if (has_cmd < 0)
			return has_cmd;
		int has_args = json_get_array(doc, e, "arguments", 0, &arr);
		if (has_args < 0)
			return has_args;
		if (has_cmd == 1 && has_args == 1)
			return json_error(doc, e, "missing 'command' or 'arguments' in object");
	}
	return 0;
}

static void db_doc_release(struct json_doc *doc)
{
	free((char *)doc->text);
	doc->text = NULL;
	json_doc_release(doc);
}

/* The position of the command for file in the database, for messages. */
static void db_locate_file(const struct json_doc *doc, const char *file, unsigned *line,
			   unsigned *col)
{
	const cJSON *e;
	*line = *col = 0;
	cJSON_ArrayForEach(e, doc->root) {
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "file");
		if (cJSON_IsString(f) && !strcmp(f->valuestring, file)) {
			json_locate(doc, f, line, col);
			return;
		}
	}
}

struct raw_unit {
	struct unit u;
	size_t order;
};

struct raw_vec {
	struct raw_unit *items;
	size_t n, alloc;
};

struct str_vec {
	const char **items;
	size_t n, alloc;
};

static int cmp_raw_unit(const void *pa, const void *pb)
{
	const struct raw_unit *a = pa, *b = pb;
	int c = strcmp(a->u.path, b->u.path);
	if (!c)
		c = a->order < b->order ? -1 : a->order > b->order;
	return c;
}

static int load_db(struct unit_list *ul, const char *dbdir, const char *dbname,
		   struct raw_vec *out, struct errbuf *err)
{
	struct json_doc doc = { 0 };
	CXCompilationDatabase db = NULL;
	CXCompileCommands cmds = NULL;
	CXCompilationDatabase_Error ec;
	int rc = db_check_json(dbname, &doc, err);
	if (rc < 0)
		goto out;
	db = clang_CompilationDatabase_fromDirectory(dbdir, &ec);
	if (ec != CXCompilationDatabase_NoError || !db) {
		rc = hp_error(err, HP_EINPUT, "cannot load compilation database '%s'", dbname);
		goto out;
	}
	cmds = clang_CompilationDatabase_getAllCompileCommands(db);
	unsigned n = cmds ? clang_CompileCommands_getSize(cmds) : 0;
	for (unsigned i = 0; i < n; i++) {
		CXCompileCommand cmd = clang_CompileCommands_getCommand(cmds, i);
		CXString cs = clang_CompileCommand_getDirectory(cmd);
		char *dir = arena_strdup(&ul->arena, clang_getCString(cs));
		clang_disposeString(cs);
		cs = clang_CompileCommand_getFilename(cmd);
		char *file = arena_strdup(&ul->arena, clang_getCString(cs));
		clang_disposeString(cs);
		if (!analyzer_is_c_file(file))
			continue;
		unsigned na = clang_CompileCommand_getNumArgs(cmd);
		const char **raw = arena_alloc(&ul->arena, (na + 1) * sizeof(*raw));
		for (unsigned k = 0; k < na; k++) {
			cs = clang_CompileCommand_getArg(cmd, k);
			raw[k] = arena_strdup(&ul->arena, clang_getCString(cs));
			clang_disposeString(cs);
		}
		char resolved[PATH_MAX];
		const char *joined = path_join(&ul->arena, dir, file);
		if (!realpath(joined, resolved)) {
			unsigned line, col;
			int e = errno;
			db_locate_file(&doc, file, &line, &col);
			rc = hp_error_at(err, HP_EINPUT, dbname, line, col,
					 "cannot read '%s' named by the compilation database: %s",
					 joined, strerror(e));
			goto out;
		}
		struct raw_unit r = { .order = i };
		r.u.path = arena_strdup(&ul->arena, resolved);
		unit_set_args(&ul->arena, &r.u, raw, na, dir);
		VEC_PUSH(out, r);
	}
	rc = 0;
out:
	if (cmds)
		clang_CompileCommands_dispose(cmds);
	if (db)
		clang_CompilationDatabase_dispose(db);
	db_doc_release(&doc);
	return rc;
}

/* ---- folder of .c files ------------------------------------------------------- */

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int scan_folder(struct arena *a, const char *dir, struct str_vec *files,
		       unsigned depth, struct errbuf *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return hp_error(err, HP_EIO, "cannot open '%s': %s", dir, strerror(errno));
	if (depth > 64) {
		closedir(d);
		return hp_error(err, HP_ELIMIT, "'%s': folders nested too deep", dir);
	}
	struct str_vec names = { 0 };
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			VEC_PUSH(&names, arena_strdup(a, de->d_name));
	closedir(d);
	if (names.n > 1)
		qsort(names.items, names.n, sizeof(*names.items), cmp_cstr);
	int rc = 0;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		const char *p = arena_printf(a, "%s/%s", dir, names.items[i]);
		struct stat st;
		if (stat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = scan_folder(a, p, files, depth + 1, err);
		else if (S_ISREG(st.st_mode) && analyzer_is_c_file(p))
			VEC_PUSH(files, p);
	}
	VEC_RELEASE(&names);
	return rc;
}

static int load_folder(struct unit_list *ul, const char *dir, struct raw_vec *out,
		       struct errbuf *err)
{
	struct str_vec files = { 0 };
	char resolved[PATH_MAX];
	if (!realpath(dir, resolved))
		return hp_error(err, HP_EIO, "cannot open '%s': %s", dir, strerror(errno));
	const char *root = arena_strdup(&ul->arena, resolved);
	int rc = scan_folder(&ul->arena, root, &files, 0, err);
	if (rc == 0 && files.n == 0)
		rc = hp_error(err, HP_EINPUT,
			      "'%s' holds neither compile_commands.json nor .c files", dir);
	for (size_t i = 0; rc == 0 && i < files.n; i++) {
		const char *raw[2] = { "cc", arena_printf(&ul->arena, "-I%s", root) };
		struct raw_unit r = { .order = i };
		r.u.path = files.items[i];
		/* the -I is hashed relative to each file's folder */
		unit_set_args(&ul->arena, &r.u, raw, 2, root);
		VEC_PUSH(out, r);
	}
	VEC_RELEASE(&files);
	return rc;
}

/* ---- names -------------------------------------------------------------------- */

static const char *stem_of(struct arena *a, const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	return dot && dot != b ? arena_strndup(a, b, (size_t)(dot - b)) : arena_strdup(a, b);
}

static void name_units(struct unit_list *ul, const struct hp_config *cfg)
{
	struct strmap count;
	strmap_init(&count);
	const char **stems = xcalloc(ul->n + 1, sizeof(*stems));
	for (size_t i = 0; i < ul->n; i++) {
		stems[i] = stem_of(&ul->arena, ul->units[i].path);
		uintptr_t c = (uintptr_t)strmap_get(&count, stems[i]);
		strmap_put(&count, stems[i], (void *)(c + 1));
	}
	for (size_t i = 0; i < ul->n; i++) {
		struct unit *u = &ul->units[i];
		const char *group = cfg ? config_group_of(cfg, u->rel) : NULL;
		if (group)
			u->module = arena_strdup(&ul->arena, group);
		else if ((uintptr_t)strmap_get(&count, stems[i]) > 1) {
			const char *dot = strrchr(u->rel, '.');
			u->module = arena_strndup(&ul->arena, u->rel, (size_t)(dot - u->rel));
		} else
			u->module = stems[i];
	}
	free(stems);
	strmap_release(&count);
}

static const char *common_root(struct arena *a, const struct unit *units, size_t n)
{
	char *root = path_dirname(a, units[0].path);
	for (size_t i = 1; i < n; i++) {
		size_t len = strlen(root);
		while (len > 1 && !(strncmp(units[i].path, root, len) == 0 && units[i].path[len] == '/')) {
			while (len > 1 && root[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			root[len] = '\0';
		}
	}
	return root;
}

/* ---- entry --------------------------------------------------------------------- */

/* A database not named compile_commands.json (or read from stdin) is
 * linked into a temporary folder, since libclang finds databases by folder. */
static int db_from_file(struct unit_list *ul, const char *path, struct raw_vec *out,
			struct errbuf *err)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(path, "-") && !strcmp(base, "compile_commands.json"))
		return load_db(ul, path_dirname(&ul->arena, path), path, out, err);
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl = arena_printf(&ul->arena, "%s/hotplan-db-XXXXXX",
				  tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmpl))
		return hp_error(err, HP_EIO, "cannot create a temporary folder: %s", strerror(errno));
	char *link = arena_printf(&ul->arena, "%s/compile_commands.json", tmpl);
	int rc;
	if (!strcmp(path, "-")) {
		char *data;
		size_t len;
		rc = fileio_read("-", &data, &len, err);
		if (rc == 0) {
			rc = fileio_write(link, data, len, err);
			free(data);
		}
	} else {
		char resolved[PATH_MAX];
		if (!realpath(path, resolved) || symlink(resolved, link) != 0)
			rc = hp_error(err, HP_EIO, "cannot read '%s': %s", path, strerror(errno));
		else
			rc = 0;
	}
	if (rc == 0) {
		rc = load_db(ul, tmpl, link, out, err);
		if (rc < 0 && strstr(err->msg, link) == err->msg) {
			/* name the user's file, not the temporary link */
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "%s%s", strcmp(path, "-") ? path : "<stdin>",
				 err->msg + strlen(link));
			snprintf(err->msg, sizeof(err->msg), "%s", msg);
		}
	}
	unlink(link);
	rmdir(tmpl);
	return rc;
}

int units_load(struct unit_list *ul, const char *tree, const struct hp_config *cfg,
	       struct errbuf *err)
{
	struct raw_vec raw = { 0 };
	struct stat st;
	int rc;
	memset(ul, 0, sizeof(*ul));
	arena_init(&ul->arena);
	ul->tree = arena_strdup(&ul->arena, tree);
	if (!strcmp(tree, "-")) {
		ul->db = "<stdin>";
		rc = db_from_file(ul, tree, &raw, err);
	} else if (stat(tree, &st) != 0) {
		rc = hp_error(err, HP_EIO, "cannot open '%s': %s", tree, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		char *db = arena_printf(&ul->arena, "%s/compile_commands.json", tree);
		if (access(db, F_OK) == 0) {
			ul->db = db;
			rc = load_db(ul, tree, db, &raw, err);
		} else {
			rc = load_folder(ul, tree, &raw, err);
		}
	} else {
		ul->db = ul->tree;
		rc = db_from_file(ul, tree, &raw, err);
	}
	if (rc == 0 && raw.n == 0)
		rc = hp_error(err, HP_EINPUT, "'%s' names no C translation unit", tree);
	if (rc < 0) {
		VEC_RELEASE(&raw);
		units_release(ul);
		return rc;
	}
	qsort(raw.items, raw.n, sizeof(*raw.items), cmp_raw_unit);
	ul->units = arena_alloc(&ul->arena, raw.n * sizeof(*ul->units));
	for (size_t i = 0; i < raw.n; i++)
		if (ul->n == 0 || strcmp(ul->units[ul->n - 1].path, raw.items[i].u.path))
			ul->units[ul->n++] = raw.items[i].u;
	VEC_RELEASE(&raw);
	ul->src_root = common_root(&ul->arena, ul->units, ul->n);
	for (size_t i = 0; i < ul->n; i++)
		ul->units[i].rel = units_relpath(&ul->arena, ul->src_root, ul->units[i].path);
	name_units(ul, cfg);
	return 0;
}

void units_release(struct unit_list *ul)
{
	if (!ul)
		return;
	arena_release(&ul->arena);
	memset(ul, 0, sizeof(*ul));
}
