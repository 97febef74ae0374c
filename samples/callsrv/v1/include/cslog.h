/* cslog.h - leveled logging to stderr, tagged with the file and line of the call. */
#ifndef CSLOG_H
#define CSLOG_H

enum { CS_LOG_ERR, CS_LOG_WARN, CS_LOG_INFO, CS_LOG_DEBUG };

/* Messages above LEVEL are dropped (default CS_LOG_WARN). A function, not a
 * variable: a module may not read another module's data (libhotrt). */
void cs_log_set_level(int level);

void cs_log_write(int level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define CS_LOG(level, ...) cs_log_write((level), __FILE__, __LINE__, __VA_ARGS__)

#endif
