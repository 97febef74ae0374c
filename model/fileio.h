/*
 * fileio.h - reading whole inputs and writing outputs atomically.
 *
 * Outputs never appear half-written (DESIGN.md §5, §9): an output file is
 * written to a temporary file beside its destination, flushed and fsync'd,
 * then renamed into place. Until outfile_commit() succeeds, the destination
 * keeps its previous contents. A SIGINT/SIGTERM during the write removes the
 * temporary file (see outfile_install_signal_cleanup()); a SIGKILL leaves at
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
int hp_read_file(const char *path, char **data, size_t *len, struct errbuf *err);

/* An output being written. path "-" (or NULL) means standard output, which
 * is written directly. */
struct outfile {
	FILE *fp;
	char *path;  /* destination, NULL for stdout */
	char *tmp;   /* temporary file, NULL for stdout */
};

int outfile_open(struct outfile *of, const char *path, struct errbuf *err);
/* Flushes, fsyncs and renames into place; closes in all cases. */
int outfile_commit(struct outfile *of, struct errbuf *err);
/* Closes and removes the temporary file; the destination is untouched.
 * A no-op on a zeroed or already finished outfile. */
void outfile_abort(struct outfile *of);
/* Writes data atomically to path (or stdout for "-"). */
int hp_write_file(const char *path, const void *data, size_t len, struct errbuf *err);

/*
 * Installs SIGINT/SIGTERM/SIGHUP handlers that unlink every temporary file
 * still open and then re-raise the signal. Call once from main().
 */
void outfile_install_signal_cleanup(void);

#endif
