/*
 * fileio.h - reading whole inputs and writing outputs atomically.
 *
 * Every function is fileio_*: fileio_read()/fileio_write() for a whole
 * file at once, fileio_open/commit/abort() on a struct fileio for an
 * output written piece by piece.
 *
 * Outputs never appear half-written (DESIGN.md §5, §9): an output file is
 * written to a temporary file beside its destination, flushed and fsync'd,
 * then renamed into place. Until fileio_commit() succeeds, the destination
 * keeps its previous contents. A SIGINT/SIGTERM during the write removes the
 * temporary file (see fileio_install_signal_cleanup()); a SIGKILL leaves at
 * most a stray ".hotplan-tmp-*" file beside the destination, never a damaged
 * destination.
 */
#ifndef HOTPLAN_FILEIO_H
#define HOTPLAN_FILEIO_H

#include <stdio.h>
#include "util.h"

/* The largest input file hotplan reads, in bytes (DESIGN.md §9). */
#define HP_MAX_INPUT_BYTES ((size_t)4 << 30)

/*
 * Reads all of path ("-" is standard input) into a NUL-terminated heap buffer
 * (*data, freed by the caller) of *len bytes. Returns 0 or HP_EIO/HP_ELIMIT
 * with a message naming the file.
 */
int fileio_read(const char *path, char **data, size_t *len, struct errbuf *err);

/* An output being written. path "-" (or NULL) means standard output, which
 * is written directly. */
struct fileio {
	FILE *fp;
	char *path;  /* destination, NULL for stdout */
	char *tmp;   /* temporary file, NULL for stdout */
};

int fileio_open(struct fileio *of, const char *path, struct errbuf *err);
/* Flushes, fsyncs and renames into place; closes in all cases. */
int fileio_commit(struct fileio *of, struct errbuf *err);
/* Closes and removes the temporary file; the destination is untouched.
 * A no-op on a zeroed or already finished struct fileio. */
void fileio_abort(struct fileio *of);
/* Writes data atomically to path (or stdout for "-"). */
int fileio_write(const char *path, const void *data, size_t len, struct errbuf *err);

/*
 * Installs SIGINT/SIGTERM/SIGHUP handlers that unlink every temporary file
 * still open and then re-raise the signal. Call once from main().
 */
void fileio_install_signal_cleanup(void);

#endif
