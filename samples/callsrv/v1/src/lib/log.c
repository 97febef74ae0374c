/*
 * log.c - leveled logging. One mutex keeps lines from different threads
 * whole; the file name is shortened to its last component.
 */
#include "cslog.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int cs_log_level = CS_LOG_WARN;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

void cs_log_set_level(int level)
{
    cs_log_level = level;
}

void cs_log_write(int level, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    if (level > cs_log_level || level < CS_LOG_ERR)
        return;
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "callsrv: %s: %s:%d: ", level_names[level], base_name(file), line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    pthread_mutex_unlock(&log_lock);
}
