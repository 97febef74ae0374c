/*
 * cli_util.c - helpers shared by the subcommands.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hotplan %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'hotplan %s --help'.\n", cmd);
	return 2;
}

int cli_fail(const char *cmd, const struct errbuf *err)
{
	fprintf(stderr, "hotplan %s: error: %s\n", cmd, err->msg);
	return hp_exit_status(err->status);
}

int cli_emit(const char *path, const struct strbuf *data, struct errbuf *err)
{
	return fileio_write(path ? path : "-", data->buf, data->len, err);
}

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}
