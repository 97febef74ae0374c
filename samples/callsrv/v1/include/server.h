/* server.h - the framework: one event loop dispatching to callback modules. */
#ifndef SERVER_H
#define SERVER_H

/* Thread entry point; ARG is unused. Returns after server_stop() once the
 * queue is drained. */
void *server_main(void *arg);

/* Queues one request line (copied). Returns 0, or -1 when the queue is full. */
int server_post(const char *line);

void server_stop(void);

/* Suspend / code change / resume, as the release handler drives them.
 * server_suspend() returns 0 once the loop is parked between two requests;
 * server_code_change() is only allowed while parked. */
int server_suspend(void);
int server_code_change(const char *module, int old_vsn);
void server_resume(void);

unsigned long server_handled(void);       /* requests taken off the queue */
unsigned long server_status_count(int status_class); /* 2, 4 or 5 */

#endif
