/*
 * fileio.c - whole-file reads and atomic writes.
 *
 * The one mutable global in hotplan lives here, and on purpose: a signal
 * handler cannot receive a context pointer, so the list of temporary files
 * to unlink on SIGINT/SIGTERM is file-static. Writers hold tmp_lock with
 * the signals blocked in their thread (so the handler never interrupts an
 * update in the thread that holds the lock), and the handler only reads it.
 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TMPFILES 64
static char *volatile tmpfiles[MAX_TMPFILES];
static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;

static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void track_tmp(char *path, int add)
{
	sigset_t old;
	block_signals(&old);
	pthread_mutex_lock(&tmp_lock);
	for (int i = 0; i < MAX_TMPFILES; i++) {
		if (add ? tmpfiles[i] == NULL : tmpfiles[i] == path) {
			tmpfiles[i] = add ? path : NULL;
			break;
		}
	}
	pthread_mutex_unlock(&tmp_lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void cleanup_handler(int sig)
{
	for (int i = 0; i < MAX_TMPFILES; i++)
		if (tmpfiles[i])
			unlink(tmpfiles[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void fileio_install_signal_cleanup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cleanup_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int fileio_read(const char *path, char **data, size_t *len, struct errbuf *err)
{
	int fd = 0;
	int is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	struct strbuf sb = STRBUF_INIT;
	struct stat st;

	*data = NULL;
	*len = 0;
	if (!is_stdin) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return hp_error(err, HP_EIO, "cannot open '%s': %s", name, strerror(errno));
		if (fstat(fd, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				close(fd);
				return hp_error(err, HP_EIO, "cannot read '%s': is a directory", name);
			}
			if (S_ISREG(st.st_mode)) {
				if ((uint64_t)st.st_size > HP_MAX_INPUT_BYTES) {
					close(fd);
					return hp_error(err, HP_ELIMIT, "'%s' is %lld bytes, more than the limit of %zu",
							name, (long long)st.st_size, HP_MAX_INPUT_BYTES);
				}
				sb_grow(&sb, (size_t)st.st_size + 1);
			}
		}
	}
	for (;;) {
		sb_grow(&sb, 65536);
		ssize_t n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			if (!is_stdin)
				close(fd);
			sb_release(&sb);
			return hp_error(err, HP_EIO, "cannot read '%s': %s", name, strerror(e));
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > HP_MAX_INPUT_BYTES) {
			if (!is_stdin)
				close(fd);
			sb_release(&sb);
			return hp_error(err, HP_ELIMIT, "'%s' is larger than the limit of %zu bytes",
					name, HP_MAX_INPUT_BYTES);
		}
	}
	if (!is_stdin)
		close(fd);
	*data = sb_detach(&sb, len);
	return 0;
}

int fileio_open(struct fileio *of, const char *path, struct errbuf *err)
{
	memset(of, 0, sizeof(*of));
	if (!path || !strcmp(path, "-")) {
		of->fp = stdout;
		return 0;
	}
	struct strbuf sb = STRBUF_INIT;
	const char *slash = strrchr(path, '/');
	if (slash)
		sb_add(&sb, path, (size_t)(slash - path + 1));
	sb_addf(&sb, ".hotplan-tmp-%ld-XXXXXX", (long)getpid());
	char *tmp = sb_detach(&sb, NULL);
	track_tmp(tmp, 1);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		track_tmp(tmp, 0);
		free(tmp);
		return hp_error(err, HP_EIO, "cannot create '%s': %s", path, strerror(e));
	}
	fchmod(fd, 0644);
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		int e = errno;
		close(fd);
		unlink(tmp);
		track_tmp(tmp, 0);
		free(tmp);
		return hp_error(err, HP_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	of->tmp = tmp;
	of->path = xstrdup(path);
	return 0;
}

void fileio_abort(struct fileio *of)
{
	if (of->tmp) {
		if (of->fp)
			fclose(of->fp);
		unlink(of->tmp);
		track_tmp(of->tmp, 0);
		free(of->tmp);
		free(of->path);
	} else if (of->fp) {
		fflush(of->fp);
	}
	memset(of, 0, sizeof(*of));
}

int fileio_commit(struct fileio *of, struct errbuf *err)
{
	int rc = 0;
	if (!of->tmp) {
		if (of->fp && (fflush(of->fp) != 0 || ferror(of->fp)))
			rc = hp_error(err, HP_EIO, "cannot write to standard output: %s", strerror(errno));
		memset(of, 0, sizeof(*of));
		return rc;
	}
	if (fflush(of->fp) != 0 || ferror(of->fp) || fsync(fileno(of->fp)) != 0) {
		rc = hp_error(err, HP_EIO, "cannot write '%s': %s", of->path, strerror(errno));
		fileio_abort(of);
		return rc;
	}
	if (fclose(of->fp) != 0) {
		of->fp = NULL;
		rc = hp_error(err, HP_EIO, "cannot write '%s': %s", of->path, strerror(errno));
		fileio_abort(of);
		return rc;
	}
	of->fp = NULL;
	if (rename(of->tmp, of->path) != 0) {
		rc = hp_error(err, HP_EIO, "cannot rename into '%s': %s", of->path, strerror(errno));
		fileio_abort(of);
		return rc;
	}
	track_tmp(of->tmp, 0);
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
	return 0;
}

int fileio_write(const char *path, const void *data, size_t len, struct errbuf *err)
{
	struct fileio of;
	int rc = fileio_open(&of, path, err);
	if (rc)
		return rc;
	if (len && fwrite(data, 1, len, of.fp) != len) {
		rc = hp_error(err, HP_EIO, "cannot write '%s': %s", path, strerror(errno));
		fileio_abort(&of);
		return rc;
	}
	return fileio_commit(&of, err);
}
