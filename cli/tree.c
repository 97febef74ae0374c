/*
 * tree.c - cli_load_tree(): facts from whatever names a tree.
 *
 * A folder is taken by what it holds, first match wins:
 *   compile_commands.json   analyzed as it is;
 *   CMakeLists.txt          configured (never built) with cmake
 *                           -DCMAKE_EXPORT_COMPILE_COMMANDS=ON into a folder of
 *                           the cache, DIR/cmake/<hash of its absolute path>,
 *                           reused while its CMake files are unchanged;
 *   CMakeCache.txt          a build folder configured without the export: an
 *                           error saying how to export it;
 *   Makefile                an error saying how to record a compilation
 *                           database (bear, compiledb): guessed flags would
 *                           give wrong facts silently;
 *   anything else           its .c files, with -I for the folder itself and
 *                           for every folder under it holding headers.
 *
 * Invariants: a facts file is recognized by its contents (facts_sniff), not
 * its name, so a compile_commands.json is never mistaken for facts and the
 * reverse; standard input is read once and kept; facts->root is always the
 * tree as the user named it, never a temporary or cache folder; what is
 * said about a configure or a guess is one line on stderr, never on stdout.
 */
#define _GNU_SOURCE /* nftw's FTW_DEPTH | FTW_PHYS */
#include "tree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyzer.h"
#include "cli.h"
#include "fileio.h"
#include "json.h"
#include "jsonw.h"
#include "output.h"

extern char **environ;

#ifndef HOTPLAN_HAVE_ANALYZER
/*
 * Built without libclang (HOTPLAN_WITH_LIBCLANG): there is no analyzer, and
 * only facts files are read. These stand-ins for analyzer.h's two functions
 * keep the code below whole: cli_load_tree_opts() refuses a TREE that is
 * not a facts file through the first before it configures or writes
 * anything, and 'hotplan analyze' refuses the same way.
 */
int analyzer_run(const char *tree, const struct analyzer_opts *opts, struct facts **out,
		 struct errbuf *err)
{
	(void)opts;
	*out = NULL;
	return hp_error(err, HP_EUSAGE, "%s: this hotplan was built without libclang: pass a "
			"facts file written by 'hotplan analyze' on a machine that has it", tree);
}

int analyzer_is_c_file(const char *path)
{
	(void)path;
	return 0;
}
#endif

char *cli_default_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct strbuf sb = STRBUF_INIT;
	if (xdg && xdg[0] == '/')
		sb_addf(&sb, "%s/hotplan", xdg);
	else if (home && home[0] == '/')
		sb_addf(&sb, "%s/.cache/hotplan", home);
	else
		sb_adds(&sb, ".hotplan-cache");
	return sb_detach(&sb, NULL);
}

/* Analyzes the tree (as analyzer_run() takes it); facts->root is tree,
 * which must outlive the facts; facts->source_root is the analyzer's. */
static int analyze(const char *tree, const struct cli_tree_opts *o, struct facts **out,
		   struct errbuf *err)
{
	struct hp_config cfg;
	struct analyzer_opts ao = { 0 };
	char *default_cache = NULL;
	int rc = 0, own_cfg = 0;
	if (o && o->cfg) {
		ao.cfg = o->cfg;
	} else if (o && o->config_file) {
		config_init(&cfg);
		own_cfg = 1;
		if ((rc = config_read_file(&cfg, o->config_file, err)) < 0)
			goto out;
		ao.cfg = &cfg;
	}
	if (o) {
		ao.jobs = o->jobs;
		ao.cache_dir = o->cache_dir;
		if (!ao.cache_dir && o->default_cache && !o->no_cache)
			ao.cache_dir = default_cache = cli_default_cache_dir();
		ao.keep_going = o->keep_going;
		ao.progress = o->progress < 0 ? isatty(2) : o->progress;
	}
	rc = analyzer_run(tree, &ao, out, err);
	/* per-unit facts from the cache may carry the root of another run */
	if (rc == 0)
		(*out)->root = tree;
out:
	if (own_cfg)
		config_release(&cfg);
	free(default_cache);
	return rc;
}

/* ---- small helpers -------------------------------------------------------------- */

static int is_file(const char *dir, const char *name)
{
	struct stat st;
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, "%s/%s", dir, name);
	int r = stat(p.buf, &st) == 0 && S_ISREG(st.st_mode);
	sb_release(&p);
	return r;
}

/* A new empty folder under $TMPDIR (else /tmp); heap, NULL with err set. */
static char *temp_folder(const char *what, struct errbuf *err)
{
	const char *tmp = getenv("TMPDIR");
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, "%s/hotplan-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", what);
	if (!mkdtemp(p.buf)) {
		hp_error(err, HP_EIO, "cannot create a temporary folder '%s': %s", p.buf,
			 strerror(errno));
		sb_release(&p);
		return NULL;
	}
	return sb_detach(&p, NULL);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Removes dir and everything under it, without following symbolic links. */
static void remove_folder(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* path with $HOME shown as '~', for messages (heap). */
static char *display_path(const char *path)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;
	struct strbuf sb = STRBUF_INIT;
	if (n > 1 && !strncmp(path, home, n) && path[n] == '/')
		sb_addf(&sb, "~%s", path + n);
	else
		sb_adds(&sb, path);
	return sb_detach(&sb, NULL);
}

/* mkdir -p; 0 or -1 with errno. */
static int make_folders(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return rc;
}

/* ---- walking a source tree --------------------------------------------------------- */

typedef VEC(char *) path_vec;

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void path_vec_release(path_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i]);
	VEC_RELEASE(v);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

/* What walk_tree() collects; a NULL member is not collected. */
struct walk {
	path_vec *headers;  /* folders holding a file ending in ".h" */
	path_vec *cmake;    /* CMakeLists.txt and *.cmake files */
	path_vec *sources;  /* C source files (analyzer_is_c_file) */
};

/*
 * Collects under dir, unsorted, what w asks for. Hidden entries, CMakeFiles
 * and CMake build folders (holding CMakeCache.txt) below dir are skipped,
 * and so is anything more than 64 levels deep.
 */
static void walk_tree(const char *dir, unsigned depth, const struct walk *w)
{
	DIR *d = depth <= 64 ? opendir(dir) : NULL;
	struct dirent *de;
	int headers = 0;
	if (!d)
		return;
	if (depth > 0 && is_file(dir, "CMakeCache.txt")) {
		closedir(d);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		struct strbuf p = STRBUF_INIT;
		sb_addf(&p, "%s/%s", dir, de->d_name);
		if (stat(p.buf, &st) != 0) {
			sb_release(&p);
			continue;
		}
		if (S_ISDIR(st.st_mode) && strcmp(de->d_name, "CMakeFiles")) {
			walk_tree(p.buf, depth + 1, w);
		} else if (S_ISREG(st.st_mode)) {
			if (has_suffix(de->d_name, ".h"))
				headers = 1;
			if (w->cmake && (!strcmp(de->d_name, "CMakeLists.txt") ||
					 has_suffix(de->d_name, ".cmake"))) {
				VEC_PUSH(w->cmake, sb_detach(&p, NULL));
				continue;
			}
			if (w->sources && analyzer_is_c_file(p.buf)) {
				VEC_PUSH(w->sources, sb_detach(&p, NULL));
				continue;
			}
		}
		sb_release(&p);
	}
	closedir(d);
	if (headers && w->headers)
		VEC_PUSH(w->headers, xstrdup(dir));
}

/* ---- CMake: configure only --------------------------------------------------------- */

/* The fingerprint of a CMake source tree: its absolute path, and the path
 * and contents of every CMake file under it (what cmake reads). */
static void cmake_fingerprint(const char *src, char hex[17])
{
	path_vec files = { 0 };
	uint64_t h = hp_hash_str("hotplan-cmake-1");
	h = hp_hash64(src, strlen(src) + 1, h);
	struct walk w = { NULL, &files, NULL };
	walk_tree(src, 0, &w);
	if (files.n > 1)
		qsort(files.items, files.n, sizeof(*files.items), cmp_path);
	for (size_t i = 0; i < files.n; i++) {
		struct errbuf e = { "", 0 };
		char *data = NULL;
		size_t len = 0;
		h = hp_hash64(files.items[i], strlen(files.items[i]) + 1, h);
		if (fileio_read(files.items[i], &data, &len, &e) == 0)
			h = hp_hash64(data, len, h);
		free(data);
	}
	path_vec_release(&files);
	hp_hash_hex(h, hex);
}

/*
 * Runs 'cmake -S src -B build -DCMAKE_EXPORT_COMPILE_COMMANDS=ON' (found on
 * PATH; src NULL: 'cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON build') with standard input empty and its output in log. Returns its exit
 * status, or -1 with errno set when it cannot be started.
 */
static int run_cmake(const char *src, const char *build, const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, e;
	char *argv[] = { (char *)"cmake", (char *)"-S", (char *)src, (char *)"-B", (char *)build,
			 (char *)"-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", NULL };
	/* src NULL: configure the build folder again ('cmake -D... BUILD') */
	char *again[] = { (char *)"cmake", (char *)"-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
			  (char *)build, NULL };
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	e = posix_spawnp(&pid, "cmake", &fa, NULL, src ? argv : again, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e) {
		errno = e;
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The last n (at most 8) non-empty lines of the file log, each indented
 * and cut to fit a message. */
static void log_tail(const char *log, int n, struct strbuf *out)
{
	struct errbuf e = { "", 0 };
	char *data = NULL;
	size_t len = 0, starts[8], lens[8];
	int k = 0;
	if (n > 8)
		n = 8;
	if (fileio_read(log, &data, &len, &e))
		return;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && data[j] != '\n')
			j++;
		if (j > i) {
			starts[k % n] = i;
			lens[k % n] = j - i;
			k++;
		}
		i = j + 1;
	}
	for (int m = k > n ? k - n : 0; m < k; m++)
		sb_addf(out, "\n  %.*s", (int)(lens[m % n] > 110 ? 110 : lens[m % n]),
			data + starts[m % n]);
	free(data);
}

static int cmake_failed(const char *arg, int status, const char *log, int keep_log,
			struct errbuf *err)
{
	struct strbuf tail = STRBUF_INIT;
	char *shown = display_path(log);
	log_tail(log, 6, &tail);
	if (status < 0)
		hp_error(err, HP_EIO, "cannot run 'cmake' to configure '%s' (it holds CMakeLists.txt "
			 "and no compile_commands.json): %s; install CMake, or configure the project "
			 "with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON and pass its build folder",
			 arg, strerror(errno));
	else
		hp_error(err, HP_EINPUT, "cmake cannot configure '%s/CMakeLists.txt' (exit status "
			 "%d): fix what it reports, or configure the project yourself with "
			 "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON and pass its build folder; the last "
			 "lines cmake printed%s%s%s:%s", arg, status, keep_log ? " (all of them are in '" : "",
			 keep_log ? shown : "", keep_log ? "')" : "", tail.buf);
	free(shown);
	sb_release(&tail);
	return err->status;
}

/* dir/name as a heap string. */
static char *path_in(const char *dir, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	sb_addf(&p, "%s/%s", dir, name);
	return sb_detach(&p, NULL);
}

/* ---- CMake's file API: the programs of a build folder ----------------------------- */

/* Asks CMake for its codemodel at the next configure of build: writes the
 * empty query file build/.cmake/api/v1/query/codemodel-v2. */
static int cmake_query(const char *build, struct errbuf *err)
{
	char *dir = path_in(build, ".cmake/api/v1/query");
	char *file = path_in(dir, "codemodel-v2");
	int rc = 0;
	if (make_folders(dir))
		rc = hp_error(err, HP_EIO, "cannot create the folder '%s': %s", dir, strerror(errno));
	else if (!is_file(dir, "codemodel-v2"))
		rc = fileio_write(file, "", 0, err);
	free(dir);
	free(file);
	return rc;
}

/* The newest index of build's file API replies (the last by name), heap,
 * or NULL when CMake wrote none. */
static char *cmake_reply_index(const char *build)
{
	char *dir = path_in(build, ".cmake/api/v1/reply"), *best = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "index-", 6) && has_suffix(de->d_name, ".json") &&
		    (!best || strcmp(de->d_name, best) > 0)) {
			free(best);
			best = xstrdup(de->d_name);
		}
	if (d)
		closedir(d);
	char *path = best ? path_in(dir, best) : NULL;
	free(best);
	free(dir);
	return path;
}

/* A reply file of the file API, parsed (text heap, released by the caller
 * with json_doc_release and free). */
static int cmake_reply_read(const char *path, struct json_doc *d, char **text, struct errbuf *err)
{
	size_t len = 0;
	*text = NULL;
	memset(d, 0, sizeof(*d));
	int rc = fileio_read(path, text, &len, err);
	if (!rc)
		rc = json_doc_parse(d, path, *text, len, err);
	return rc;
}

/* One target of the codemodel. */
struct cm_target {
	char *id, *name, *type;
	path_vec sources;   /* absolute, resolved */
	path_vec deps;      /* ids of the targets it depends on */
};
typedef VEC(struct cm_target) cm_target_vec;

static void cm_targets_release(cm_target_vec *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->items[i].id);
		free(v->items[i].name);
		free(v->items[i].type);
		path_vec_release(&v->items[i].sources);
		path_vec_release(&v->items[i].deps);
	}
	VEC_RELEASE(v);
}

/* Reads the target reply file reply/name into t; source paths relative to
 * srcdir are made absolute. */
static int cmake_read_target(const char *reply, const char *name, const char *srcdir,
			     struct cm_target *t, struct errbuf *err)
{
	struct json_doc d;
	char *text, *path = path_in(reply, name);
	const char *s;
	const cJSON *arr, *it;
	int rc = cmake_reply_read(path, &d, &text, err);
	if (!rc && !(rc = json_get_string(&d, d.root, "name", 1, &s)))
		t->name = xstrdup(s);
	if (!rc && !(rc = json_get_string(&d, d.root, "type", 1, &s)))
		t->type = xstrdup(s);
	if (!rc && (rc = json_get_array(&d, d.root, "sources", 0, &arr)) == 0) {
		cJSON_ArrayForEach(it, arr) {
			char abs[PATH_MAX];
			if ((rc = json_get_string(&d, it, "path", 1, &s)) < 0)
				break;
			/* headers and other files listed are not compiled */
			if (!cJSON_GetObjectItemCaseSensitive(it, "compileGroupIndex"))
				continue;
			char *p = s[0] == '/' ? xstrdup(s) : path_in(srcdir, s);
			VEC_PUSH(&t->sources, xstrdup(realpath(p, abs) ? abs : p));
			free(p);
		}
	}
	if (rc >= 0 && (rc = json_get_array(&d, d.root, "dependencies", 0, &arr)) == 0) {
		cJSON_ArrayForEach(it, arr) {
			if ((rc = json_get_string(&d, it, "id", 1, &s)) < 0)
				break;
			VEC_PUSH(&t->deps, xstrdup(s));
		}
	}
	json_doc_release(&d);
	free(text);
	free(path);
	return rc < 0 ? rc : 0;
}

/* The targets of the first configuration of the codemodel that build's
 * newest reply index names; *found 0 when there is no reply. */
static int cmake_read_targets(const char *build, cm_target_vec *v, int *found,
			      struct errbuf *err)
{
	char *index = cmake_reply_index(build), *reply = path_in(build, ".cmake/api/v1/reply");
	char *text = NULL, *cmtext = NULL, *cmpath = NULL;
	struct json_doc d, cm;
	const cJSON *objs, *it, *paths, *confs, *targets;
	const char *s, *srcdir = NULL;
	int rc = 0;
	memset(&d, 0, sizeof(d));
	memset(&cm, 0, sizeof(cm));
	*found = index != NULL;
	if (!index || (rc = cmake_reply_read(index, &d, &text, err)) ||
	    (rc = json_get_array(&d, d.root, "objects", 1, &objs)) < 0)
		goto out;
	cJSON_ArrayForEach(it, objs) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
		if (cJSON_IsString(kind) && !strcmp(kind->valuestring, "codemodel") &&
		    json_get_string(&d, it, "jsonFile", 1, &s) == 0)
			cmpath = path_in(reply, s);
	}
	if (!cmpath) {
		rc = json_error(&d, objs, "CMake's reply holds no codemodel");
		goto out;
	}
	if ((rc = cmake_reply_read(cmpath, &cm, &cmtext, err)) ||
	    (rc = json_get_object(&cm, cm.root, "paths", 1, &paths)) < 0 ||
	    (rc = json_get_string(&cm, paths, "source", 1, &srcdir)) < 0 ||
	    (rc = json_get_array(&cm, cm.root, "configurations", 1, &confs)) < 0)
		goto out;
	if (!cJSON_GetArraySize(confs)) {
		rc = json_error(&cm, confs, "the codemodel has no configuration");
		goto out;
	}
	if ((rc = json_get_array(&cm, cJSON_GetArrayItem(confs, 0), "targets", 1, &targets)) < 0)
		goto out;
	cJSON_ArrayForEach(it, targets) {
		struct cm_target t;
		memset(&t, 0, sizeof(t));
		if ((rc = json_get_string(&cm, it, "id", 1, &s)) < 0)
			break;
		t.id = xstrdup(s);
		VEC_PUSH(v, t);
		if ((rc = json_get_string(&cm, it, "jsonFile", 1, &s)) < 0 ||
		    (rc = cmake_read_target(reply, s, srcdir, &v->items[v->n - 1], err)) < 0)
			break;
	}
out:
	json_doc_release(&d);
	json_doc_release(&cm);
	free(text);
	free(cmtext);
	free(cmpath);
	free(index);
	free(reply);
	return rc < 0 ? rc : 0;
}

/* Takes into p the modules of target t's sources and, depth first, of the
 * libraries it depends on (seen: targets visited). */
static void cmake_collect(const cm_target_vec *v, size_t t, const struct strmap *file_module,
			  char *seen, struct arena *a, struct program *p, size_t *alloc)
{
	const struct cm_target *x = &v->items[t];
	if (seen[t])
		return;
	seen[t] = 1;
	for (size_t i = 0; i < x->sources.n; i++) {
		const char *m = strmap_get(file_module, x->sources.items[i]);
		if (!m)
			continue;
		if (p->nmodules == *alloc) {
			const char **grown = arena_alloc(a, (*alloc = 2 * *alloc + 8) * sizeof(char *));
			if (p->nmodules)
				memcpy(grown, p->modules, p->nmodules * sizeof(char *));
			p->modules = grown;
		}
		p->modules[p->nmodules++] = m;
	}
	for (size_t i = 0; i < x->deps.n; i++)
		for (size_t k = 0; k < v->n; k++)
			if (!strcmp(v->items[k].id, x->deps.items[i]) &&
			    strstr(v->items[k].type, "LIBRARY"))
				cmake_collect(v, k, file_module, seen, a, p, alloc);
}

/*
 * Replaces f's programs by the executables of the CMake build folder build
 * (its file API reply), each with the modules of its sources and of the
 * libraries it links; with fewer than two executables, the tree is one
 * program (no programs). No reply: f keeps the inferred programs.
 */
static int cmake_programs(const char *build, struct facts *f, struct errbuf *err)
{
	cm_target_vec v = { 0 };
	struct strmap file_module;
	int found, rc = cmake_read_targets(build, &v, &found, err);
	size_t nexec = 0;
	strmap_init(&file_module);
	if (rc || !found)
		goto out;
	for (size_t i = 0; i < f->nmodules; i++)
		for (size_t k = 0; k < f->modules[i].nfiles; k++) {
			char abs[PATH_MAX];
			const char *file = f->modules[i].files[k];
			char *p = file[0] == '/' || !f->source_root ? xstrdup(file)
								     : path_in(f->source_root, file);
			strmap_put(&file_module, arena_strdup(&f->arena, realpath(p, abs) ? abs : p),
				   (void *)f->modules[i].name);
			free(p);
		}
	for (size_t i = 0; i < v.n; i++)
		nexec += !strcmp(v.items[i].type, "EXECUTABLE");
	f->programs = NULL;
	f->nprograms = 0;
	if (nexec < 2)
		goto out;
	f->programs = arena_zalloc(&f->arena, nexec * sizeof(*f->programs));
	char *seen = xcalloc(v.n, 1);
	for (size_t i = 0; i < v.n; i++) {
		struct program *p = &f->programs[f->nprograms];
		size_t alloc = 0;
		if (strcmp(v.items[i].type, "EXECUTABLE"))
			continue;
		memset(seen, 0, v.n);
		p->name = arena_strdup(&f->arena, v.items[i].name);
		p->kind = "executable";
		p->source = "cmake";
		cmake_collect(&v, i, &file_module, seen, &f->arena, p, &alloc);
		f->nprograms++;
	}
	free(seen);
	facts_finish(f);
out:
	strmap_release(&file_module);
	cm_targets_release(&v);
	return rc;
}

/*
 * Configures the CMake project in the folder arg, without building it, into
 * CACHE/cmake/<hash of its absolute path> (CACHE: o->cache_dir, else
 * cli_default_cache_dir()), or into a new temporary folder when
 * o->no_cache (*temp is then set and the caller removes the folder). A
 * configured folder whose stamp matches the fingerprint of the project's
 * CMake files is reused as it is; otherwise cmake runs again in it (cmake
 * reconfigures incrementally) under an exclusive lock. Says what it did in
 * one line on stderr. On success *build (heap) holds compile_commands.json.
 */
static int cmake_configure(const char *arg, const struct cli_tree_opts *o, char **build,
			   int *temp, struct errbuf *err)
{
	char src[PATH_MAX], want[17], key[17], *dir = NULL, *base = NULL, *stamp = NULL;
	char *log = NULL, *old = NULL, *shown = NULL, *index = NULL;
	size_t oldlen = 0;
	int rc = 0, lock = -1, reused = 0;
	struct errbuf e = { "", 0 };
	*temp = o && o->no_cache;
	if (!realpath(arg, src))
		return hp_error(err, HP_EIO, "cannot open '%s': %s", arg, strerror(errno));
	if (*temp) {
		if (!(dir = temp_folder("cmake", err)))
			return err->status;
	} else {
		struct strbuf p = STRBUF_INIT;
		if (!(o && o->cache_dir))
			base = cli_default_cache_dir();
		hp_hash_hex(hp_hash_str(src), key);
		sb_addf(&p, "%s/cmake/%s", base ? base : o->cache_dir, key);
		dir = sb_detach(&p, NULL);
		if (make_folders(dir)) {
			rc = hp_error(err, HP_EIO, "cannot create the folder '%s' to configure '%s' in: "
				      "%s", dir, arg, strerror(errno));
			goto out;
		}
		char *lockp = path_in(dir, "hotplan.lock");
		lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		free(lockp);
		if (lock >= 0)
			while (flock(lock, LOCK_EX) != 0 && errno == EINTR)
				;
	}
	stamp = path_in(dir, "hotplan-configured");
	log = path_in(dir, "cmake.log");
	cmake_fingerprint(src, want);
	index = cmake_reply_index(dir);
	if (!*temp && fileio_read(stamp, &old, &oldlen, &e) == 0 && oldlen == 16 &&
	    !memcmp(old, want, 16) && is_file(dir, "compile_commands.json") && index) {
		reused = 1;
	} else {
		unlink(stamp);
		/* the codemodel names the programs (cmake_programs) */
		if ((rc = cmake_query(dir, err)))
			goto out;
		int status = run_cmake(src, dir, log);
		if (status != 0) {
			rc = cmake_failed(arg, status, log, !*temp, err);
			goto out;
		}
		if (!is_file(dir, "compile_commands.json")) {
			rc = hp_error(err, HP_EINPUT, "cmake configured '%s' but wrote no "
				      "compile_commands.json (its generator cannot export one: set "
				      "CMAKE_GENERATOR to 'Unix Makefiles' or 'Ninja')", arg);
			goto out;
		}
		if (!*temp && (rc = fileio_write(stamp, want, 16, err)))
			goto out;
	}
	shown = display_path(dir);
	if (*temp)
		fprintf(stderr, "hotplan: configured '%s' with cmake in a temporary folder "
			"(configure only, nothing built)\n", arg);
	else
		fprintf(stderr, "hotplan: %s '%s' with cmake in '%s' (configure only, nothing "
			"built)\n", reused ? "reusing the configuration of" : "configured", arg, shown);
	*build = dir;
	dir = NULL;
out:
	free(index);
	if (lock >= 0)
		close(lock);
	if (dir && *temp)
		remove_folder(dir);
	free(dir);
	free(base);
	free(stamp);
	free(log);
	free(old);
	free(shown);
	return rc;
}

/*
 * The programs of a CMake build folder given as TREE (cmake_programs): when
 * CMake wrote no file API reply there yet, the codemodel query is written
 * and the folder configured again (never built), said in one line on
 * stderr; a configure that fails leaves the inferred programs.
 */
static int build_folder_programs(const char *arg, struct facts *f, struct errbuf *err)
{
	char *index = cmake_reply_index(arg), *log = NULL;
	int rc = 0;
	if (!index) {
		char *tmp = temp_folder("cmake-log", err);
		if (!tmp || (rc = cmake_query(arg, err))) {
			free(tmp);
			return tmp ? rc : err->status;
		}
		log = path_in(tmp, "cmake.log");
		int status = run_cmake(NULL, arg, log);
		fprintf(stderr, "hotplan: %s '%s' with cmake to read its targets (configure "
			"only, nothing built)%s\n", status ? "could not configure" : "configured",
			arg, status ? ": its programs are inferred" : "");
		remove_folder(tmp);
		free(tmp);
	}
	rc = cmake_programs(arg, f, err);
	free(index);
	free(log);
	return rc;
}

/* ---- a folder of .c files: include folders guessed -------------------------------- */

/*
 * The compilation database of the .c files under root: each compiled with
 * -I for root (as the analyzer does for a folder) and for every other
 * folder in headers, in that order.
 */
/* s as a JSON string, quotes included. */
static void json_string(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	jsonw_escape(sb, s, strlen(s));
	sb_addc(sb, '"');
}

static void plain_database(const char *root, const path_vec *sources, const path_vec *headers,
			   struct strbuf *db)
{
	sb_adds(db, "[\n");
	for (size_t i = 0; i < sources->n; i++) {
		sb_adds(db, "  {\"directory\": ");
		json_string(db, root);
		sb_adds(db, ", \"file\": ");
		json_string(db, sources->items[i]);
		sb_adds(db, ", \"arguments\": [\"cc\", ");
		struct strbuf flag = STRBUF_INIT;
		sb_addf(&flag, "-I%s", root);
		json_string(db, flag.buf);
		for (size_t k = 0; k < headers->n; k++) {
			if (!strcmp(headers->items[k], root))
				continue;
			sb_reset(&flag);
			sb_addf(&flag, "-I%s", headers->items[k]);
			sb_adds(db, ", ");
			json_string(db, flag.buf);
		}
		sb_release(&flag);
		sb_adds(db, ", \"-c\", ");
		json_string(db, sources->items[i]);
		sb_adds(db, i + 1 < sources->n ? "]},\n" : "]}\n");
	}
	sb_adds(db, "]\n");
}

/*
 * A folder with no compilation database and no build system: its .c files,
 * as the analyzer takes a folder, plus -I for every folder under it that
 * holds headers (sorted), through a database in a temporary folder. When
 * no folder but arg itself holds headers, this is exactly the analyzer's
 * own folder analysis.
 */
static int analyze_plain(const char *arg, const struct cli_tree_opts *o, struct facts **out,
			 struct errbuf *err)
{
	char root[PATH_MAX], *tmp = NULL;
	path_vec headers = { 0 }, sources = { 0 };
	struct walk w = { &headers, NULL, &sources };
	struct strbuf db = STRBUF_INIT, dbpath = STRBUF_INIT;
	int rc;
	if (!realpath(arg, root))
		return analyze(arg, o, out, err);
	walk_tree(root, 0, &w);
	size_t extra = headers.n;
	for (size_t i = 0; i < headers.n; i++)
		extra -= !strcmp(headers.items[i], root);
	if (extra == 0 || sources.n == 0) {
		rc = analyze(arg, o, out, err);
		goto out;
	}
	qsort(headers.items, headers.n, sizeof(*headers.items), cmp_path);
	qsort(sources.items, sources.n, sizeof(*sources.items), cmp_path);
	fprintf(stderr, "hotplan: '%s' has no compile_commands.json and no build system: "
		"analyzing its .c files with -I for the %zu folder%s holding headers (guessed)\n",
		arg, headers.n, headers.n == 1 ? "" : "s");
	plain_database(root, &sources, &headers, &db);
	if (!(tmp = temp_folder("guess", err))) {
		rc = err->status;
		goto out;
	}
	sb_addf(&dbpath, "%s/compile_commands.json", tmp);
	rc = fileio_write(dbpath.buf, db.buf, db.len, err);
	if (!rc)
		rc = analyze(tmp, o, out, err);
	if (!rc)
		(*out)->root = arg;
	remove_folder(tmp);
out:
	free(tmp);
	path_vec_release(&headers);
	path_vec_release(&sources);
	sb_release(&db);
	sb_release(&dbpath);
	return rc;
}

/* ---- which kind of folder ------------------------------------------------------------ */

/* A folder without compile_commands.json: by its build system. */
static int analyze_folder(const char *arg, const struct cli_tree_opts *o, struct facts **out,
			  struct errbuf *err)
{
	static const char *const makefiles[] = { "GNUmakefile", "makefile", "Makefile" };
	char *build = NULL;
	int temp = 0, rc;
	if (is_file(arg, "CMakeLists.txt")) {
		if ((rc = cmake_configure(arg, o, &build, &temp, err)))
			return rc;
		rc = analyze(build, o, out, err);
		if (!rc)
			(*out)->root = arg;
		if (!rc && (rc = cmake_programs(build, *out, err))) {
			facts_free(*out);
			*out = NULL;
		}
		if (temp)
			remove_folder(build);
		free(build);
		return rc;
	}
	if (is_file(arg, "CMakeCache.txt"))
		return hp_error(err, HP_EINPUT, "'%s' is a CMake build folder without "
				"compile_commands.json: configure it again with "
				"'cmake -DCMAKE_EXPORT_COMPILE_COMMANDS=ON %s', or pass its source folder",
				arg, arg);
	for (size_t i = 0; i < HP_ARRAY_SIZE(makefiles); i++)
		if (is_file(arg, makefiles[i]))
			return hp_error(err, HP_EINPUT, "'%s/%s': hotplan needs the compiler's flags "
					"and '%s' has no compile_commands.json; record one with "
					"'bear -- make' (or 'compiledb make') in '%s', then pass '%s' again",
					arg, makefiles[i], arg, arg, arg);
	return analyze_plain(arg, o, out, err);
}

/* ---- standard input -------------------------------------------------------------------- */

/* Standard input that is not facts: a compilation database. */
static int analyze_stdin_db(const char *data, size_t len, const struct cli_tree_opts *o,
			    struct facts **out, struct errbuf *err)
{
	char *tmp = temp_folder("stdin", err);
	if (!tmp)
		return err->status;
	struct strbuf path = STRBUF_INIT;
	sb_addf(&path, "%s/compile_commands.json", tmp);
	int rc = fileio_write(path.buf, data, len, err);
	if (rc == 0)
		rc = analyze(path.buf, o, out, err);
	if (rc == 0) {
		/* the tree is standard input, not the temporary copy */
		(*out)->root = "-";
	} else if (!strncmp(err->msg, path.buf, path.len)) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "<stdin>%s", err->msg + path.len);
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	unlink(path.buf);
	rmdir(tmp);
	free(tmp);
	sb_release(&path);
	return rc;
}

/* ---- entry ------------------------------------------------------------------------------ */

int cli_tree_args_opts(const char *cmd, const struct cli_tree_args *t, int default_cache,
		       struct cli_tree_opts *to)
{
	if (t->cache && t->no_cache)
		return cli_usage_error(cmd, "--cache and --no-cache contradict each other");
	memset(to, 0, sizeof(*to));
	to->jobs = (unsigned)t->jobs;
	to->config_file = t->config;
	to->keep_going = t->keep_going;
	to->no_cache = t->no_cache;
	to->progress = -1;
	to->cache_dir = t->cache;
	to->default_cache = default_cache;
	return 0;
}

int cli_load_tree_config(const char *arg, const char *config_file, struct facts **out,
			 struct errbuf *err)
{
	struct cli_tree_opts o = { .config_file = config_file, .progress = -1 };
	return cli_load_tree_opts(arg, &o, out, err);
}

int cli_load_tree_opts(const char *arg, const struct cli_tree_opts *opts, struct facts **out,
		       struct errbuf *err)
{
	struct stat st;
	if (!strcmp(arg, "-")) {
		char *data;
		size_t len;
		int rc = fileio_read("-", &data, &len, err);
		if (rc < 0)
			return rc;
		if (facts_sniff(data, len))
			rc = facts_read_json("<stdin>", data, len, out, err);
		else
			rc = analyze_stdin_db(data, len, opts, out, err);
		free(data);
		return rc;
	}
	if (stat(arg, &st) != 0)
		return hp_error(err, HP_EIO, "cannot open '%s': %s", arg, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		char head[4096];
		FILE *fp = fopen(arg, "rb");
		if (!fp)
			return hp_error(err, HP_EIO, "cannot open '%s': %s", arg, strerror(errno));
		size_t n = fread(head, 1, sizeof(head), fp);
		fclose(fp);
		if (facts_sniff(head, n))
			return facts_read_file(arg, out, err);
	}
#ifndef HOTPLAN_HAVE_ANALYZER
	return analyzer_run(arg, NULL, out, err); /* refused before anything is configured */
#endif
	if (S_ISDIR(st.st_mode) && !is_file(arg, "compile_commands.json"))
		return analyze_folder(arg, opts, out, err);
	int rc = analyze(arg, opts, out, err);
	if (!rc && (rc = cli_tree_programs(arg, *out, err))) {
		facts_free(*out);
		*out = NULL;
	}
	return rc;
}

int cli_tree_programs(const char *arg, struct facts *f, struct errbuf *err)
{
	struct stat st;
	if (strcmp(arg, "-") && stat(arg, &st) == 0 && S_ISDIR(st.st_mode) &&
	    is_file(arg, "CMakeCache.txt"))
		return build_folder_programs(arg, f, err);
	return 0;
}

/* ---- one program of the tree --------------------------------------------------------------- */

int cli_select_program(struct facts **f, struct facts **whole, const char *name,
		       struct errbuf *err)
{
	struct facts *one;
	*whole = NULL;
	if (!name)
		return 0;
	int rc = facts_select_program(*f, name, &one, err);
	if (rc)
		return rc;
	*whole = *f;
	*f = one;
	return 0;
}

int cli_one_program(const struct facts *f, struct errbuf *err)
{
	if (f->nprograms < 2)
		return 0;
	struct strbuf names = STRBUF_INIT;
	facts_program_names(f, &names);
	hp_error(err, HP_EUSAGE, "'%s' builds several programs (%s): choose one with "
		 "--program NAME", f->root, names.buf);
	sb_release(&names);
	return err->status;
}

/* ---- the application a tree builds ------------------------------------------------------ */

/* s as an Erlang atom that needs no quotes: lower case, every character
 * but a-z, 0-9 and _ made _, "app_" before a name not starting with a
 * letter. Heap; NULL for an empty s. */
static char *atom_name(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	if (n == 0)
		return NULL;
	if (!isalpha((unsigned char)s[0]))
		sb_adds(&sb, "app_");
	for (size_t i = 0; i < n; i++) {
		int c = tolower((unsigned char)s[i]);
		sb_addc(&sb, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_');
	}
	return sb_detach(&sb, NULL);
}

/* text without its CMake comments ('#' to the end of the line, outside
 * quotes): heap. */
static char *cmake_strip_comments(const char *text, size_t len)
{
	char *s = xstrndup(text, len);
	int quoted = 0;
	for (size_t i = 0; i < len; i++) {
		if (quoted && s[i] == '\\' && i + 1 < len) {
			i++;
		} else if (s[i] == '"') {
			quoted = !quoted;
		} else if (!quoted && s[i] == '#') {
			while (i < len && s[i] != '\n')
				s[i++] = ' ';
		}
	}
	return s;
}

/* The name and VERSION of the first project() command of a CMakeLists.txt
 * (each left NULL when absent or not literal: ${...}). */
static void project_from_cmakelists(const char *text, size_t len, struct cli_project *p)
{
	char *s = cmake_strip_comments(text, len);
	const char *c = s, *args = NULL;
	for (; (c = strcasestr(c, "project")); c += 7) {
		const char *q = c + 7;
		if (c > s && (isalnum((unsigned char)c[-1]) || c[-1] == '_'))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '(') {
			args = q + 1;
			break;
		}
	}
	for (int k = 0, want_vsn = 0; args && *args && *args != ')'; k++) {
		while (isspace((unsigned char)*args))
			args++;
		const char *b = args;
		size_t n;
		if (*args == '"') {
			b = ++args;
			while (*args && *args != '"')
				args++;
			n = (size_t)(args - b);
			if (*args)
				args++;
		} else {
			while (*args && !isspace((unsigned char)*args) && *args != ')')
				args++;
			n = (size_t)(args - b);
		}
		if (n == 0 || memchr(b, '$', n)) {
			want_vsn = 0;
			continue;
		}
		if (k == 0)
			p->app = atom_name(b, n);
		else if (want_vsn && !p->vsn)
			p->vsn = xstrndup(b, n);
		want_vsn = n == 7 && !memcmp(b, "VERSION", 7);
	}
	free(s);
}

/* CMAKE_PROJECT_NAME and CMAKE_PROJECT_VERSION of a CMakeCache.txt. */
static void project_from_cache(const char *text, size_t len, struct cli_project *p)
{
	static const char *const keys[] = { "CMAKE_PROJECT_NAME:", "CMAKE_PROJECT_VERSION:" };
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		for (int k = 0; k < 2; k++) {
			size_t kl = strlen(keys[k]);
			const char *eq;
			if (j - i <= kl || memcmp(text + i, keys[k], kl) ||
			    !(eq = memchr(text + i, '=', j - i)) || eq + 1 == text + j)
				continue;
			size_t n = (size_t)(text + j - (eq + 1));
			if (k == 0 && !p->app)
				p->app = atom_name(eq + 1, n);
			else if (k == 1 && !p->vsn)
				p->vsn = xstrndup(eq + 1, n);
		}
		i = j + 1;
	}
}

void cli_tree_project(const char *arg, const struct facts *f, struct cli_project *p)
{
	const char *path = f && f->root && strcmp(f->root, arg) ? f->root : arg;
	static const char *const files[] = { "CMakeLists.txt", "CMakeCache.txt" };
	char resolved[PATH_MAX];
	struct stat st;
	char *dir;
	memset(p, 0, sizeof(*p));
	if (!strcmp(path, "-") || !strcmp(path, "<stdin>"))
		return;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		const char *slash = strrchr(path, '/');
		dir = slash ? xstrndup(path, (size_t)(slash - path + (slash == path))) : xstrdup(".");
	} else {
		dir = xstrdup(path);
	}
	for (int k = 0; k < 2 && !p->app && !p->vsn; k++) {
		struct errbuf e = { "", 0 };
		char *file = path_in(dir, files[k]), *text = NULL;
		size_t len = 0;
		if (is_file(dir, files[k]) && fileio_read(file, &text, &len, &e) == 0) {
			if (k == 0)
				project_from_cmakelists(text, len, p);
			else
				project_from_cache(text, len, p);
		}
		free(text);
		free(file);
	}
	if (!p->app) {
		const char *name = realpath(dir, resolved) ? resolved : dir;
		size_t n = strlen(name);
		while (n > 1 && name[n - 1] == '/')
			n--;
		const char *b = name + n;
		while (b > name && b[-1] != '/')
			b--;
		p->app = atom_name(b, (size_t)(name + n - b));
	}
	free(dir);
}

void cli_project_release(struct cli_project *p)
{
	free(p->app);
	free(p->vsn);
	memset(p, 0, sizeof(*p));
}

void cli_identity_init(struct cli_identity *id, const char *app, const char *vsn,
		       const char *from_vsn, const struct hp_config *cfg, const char *old_arg,
		       const struct facts *old, const char *new_arg, const struct facts *new)
{
	struct cli_project *p = id->proj;
	cli_tree_project(old_arg, old, &p[0]);
	cli_tree_project(new_arg, new, &p[1]);
	if (!app && cfg && cfg->app && strcmp(cfg->app, "app"))
		app = cfg->app;
	id->app = app ? app : p[1].app ? p[1].app : p[0].app ? p[0].app : "app";
	if (!vsn && cfg)
		vsn = cfg->vsn;
	if (!from_vsn && cfg)
		from_vsn = cfg->old_vsn;
	const char *tree_vsn = p[1].vsn ? p[1].vsn : "2.0";
	const char *tree_from = p[0].vsn ? p[0].vsn : "1.0";
	int trees_say = strcmp(vsn ? vsn : tree_vsn, from_vsn ? from_vsn : tree_from) != 0;
	id->vsn = vsn ? vsn : trees_say ? tree_vsn : "2.0";
	id->from_vsn = from_vsn ? from_vsn : trees_say ? tree_from : "1.0";
}

void cli_identity_release(struct cli_identity *id)
{
	cli_project_release(&id->proj[0]);
	cli_project_release(&id->proj[1]);
	memset(id, 0, sizeof(*id));
}
