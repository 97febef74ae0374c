/*
 * boot.c - the callsrv program. It creates the runtime (libhotrt), loads
 * every module NAME.VSN.so found beside the executable, starts the control
 * socket through which 'hotplan apply --pid' upgrades it, and calls main's
 * functions through hotrt_lookup(), so each call runs main's current
 * version. It holds no callsrv logic and is the same file in every version:
 * it is never part of an upgrade.
 *
 *   callsrv [-v] [--port N] [--libdir VSN=DIR]...  serve 127.0.0.1:N (default
 *                                                  5060) until SIGINT or SIGTERM
 *   callsrv [-v] --selftest                        run a few calls, exit 0 if sane
 *
 * --libdir names the folder holding the modules of another version (NAME.VSN.so),
 * for the release handler's load_object_code; this version's folder is always
 * one of them.
 */
#define _GNU_SOURCE
#include "hotrt.h"

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOOT_MAX_LIBDIRS 8

typedef int (*main_start_fn)(struct hotrt *rt, struct hotrt_sup *sup, unsigned short port,
                             int verbose);
typedef int (*main_selftest_fn)(struct hotrt *rt, unsigned short port);
typedef void (*main_stop_fn)(struct hotrt *rt, struct hotrt_sup *sup);

struct boot {
    struct hotrt *rt;
    char dir[PATH_MAX];          /* the executable's folder */
    char vsn[64];                /* the version of the modules found there */
    struct hotrt_libdir libs[BOOT_MAX_LIBDIRS];
    size_t nlibs;
};

/* Splits NAME.VSN.so into name and vsn (NAME up to the first dot, VSN up to
 * ".so", neither empty); returns 0, or -1 for another file. */
static int module_file(const char *file, char *name, size_t ncap, char *vsn, size_t vcap)
{
    const char *dot = strchr(file, '.');
    size_t len = strlen(file), n, v;

    if (dot == NULL || len < 3 || strcmp(file + len - 3, ".so") != 0)
        return -1;
    n = (size_t)(dot - file);
    if (n == 0 || n + 1 >= len - 3)
        return -1;
    v = len - 3 - (n + 1);
    if (n >= ncap || v >= vcap)
        return -1;
    memcpy(name, file, n);
    name[n] = '\0';
    memcpy(vsn, dot + 1, v);
    vsn[v] = '\0';
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Loads every NAME.VSN.so of b->dir (in name order). Returns 0 or -1. */
static int load_modules(struct boot *b)
{
    struct dirent **ents;
    char name[64], vsn[64], path[PATH_MAX + 256], msg[256];
    int n = scandir(b->dir, &ents, NULL, by_name), i, rc = 0, loaded = 0;

    if (n < 0) {
        fprintf(stderr, "callsrv: cannot read '%s'\n", b->dir);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (rc == 0 && module_file(ents[i]->d_name, name, sizeof name, vsn, sizeof vsn) == 0) {
            snprintf(path, sizeof path, "%s/%s", b->dir, ents[i]->d_name);
            if (hotrt_load(b->rt, name, vsn, path) != 0) {
                fprintf(stderr, "callsrv: %s\n", hotrt_errmsg(b->rt, msg, sizeof msg));
                rc = -1;
            }
            snprintf(b->vsn, sizeof b->vsn, "%s", vsn);
            loaded++;
        }
        free(ents[i]);
    }
    free(ents);
    if (rc == 0 && loaded == 0) {
        fprintf(stderr, "callsrv: no module NAME.VSN.so in '%s'\n", b->dir);
        rc = -1;
    }
    return rc;
}

/* Adds {callsrv, VSN, DIR} from "VSN=DIR". Returns 0 or -1. */
static int add_libdir(struct boot *b, char *arg)
{
    char *eq = strchr(arg, '=');

    if (eq == NULL || eq == arg || eq[1] == '\0' || b->nlibs == BOOT_MAX_LIBDIRS)
        return -1;
    *eq = '\0';
    b->libs[b->nlibs++] = (struct hotrt_libdir){ "callsrv", arg, eq + 1 };
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: callsrv [-v] [--port N] [--selftest] [--libdir VSN=DIR]...\n");
    return 2;
}

/* Serves (or runs the selftest) with the modules loaded; returns the exit status. */
static int run(struct boot *b, unsigned short port, int verbose, int selftest,
               const sigset_t *stop_signals)
{
    main_start_fn start = (main_start_fn)hotrt_lookup(b->rt, "main", "main_start");
    main_selftest_fn test;
    main_stop_fn stop;
    struct hotrt_sup *sup = hotrt_sup_new(b->rt, "callsrv_sup", 5, 10000);
    int bound, rc = 0, sig;

    if (start == NULL || sup == NULL) {
        fprintf(stderr, "callsrv: module 'main' exports no 'main_start'\n");
        return 1;
    }
    bound = start(b->rt, sup, port, verbose);
    if (bound <= 0) {
        perror("callsrv: start");
        rc = 1;
    } else if (selftest) {
        test = (main_selftest_fn)hotrt_lookup(b->rt, "main", "main_selftest");
        rc = test != NULL && test(b->rt, (unsigned short)bound) == 0 ? 0 : 1;
    } else if (sigwait(stop_signals, &sig) != 0) {
        rc = 1;
    }
    stop = (main_stop_fn)hotrt_lookup(b->rt, "main", "main_stop");
    if (stop != NULL)
        stop(b->rt, sup);
    if (selftest)
        fprintf(stderr, "callsrv: selftest %s\n", rc ? "FAILED" : "ok");
    return rc;
}

int main(int argc, char **argv)
{
    static struct boot b;
    sigset_t stop_signals;
    const char *err = NULL;
    unsigned short port = 5060;
    int selftest = 0, verbose = 0, rc, i;
    char *slash;
    ssize_t n;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--selftest") == 0) {
            selftest = 1;
            port = 0;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = (unsigned short)atoi(argv[++i]);
        } else if (strcmp(argv[i], "--libdir") == 0 && i + 1 < argc) {
            if (add_libdir(&b, argv[++i]) != 0)
                return usage();
        } else {
            return usage();
        }
    }
    n = readlink("/proc/self/exe", b.dir, sizeof b.dir - 1);
    if (n <= 0 || (slash = strrchr(b.dir, '/')) == NULL) {
        fprintf(stderr, "callsrv: cannot find the program's folder\n");
        return 1;
    }
    *slash = '\0';
    /* Blocked here, so in every thread the runtime starts: main takes them in sigwait(). */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    if (hotrt_new(&b.rt, NULL, &err) != 0) {
        fprintf(stderr, "callsrv: %s\n", err ? err : "cannot create the runtime");
        return 1;
    }
    if (load_modules(&b) != 0) {
        hotrt_free(b.rt);
        return 1;
    }
    if (b.nlibs < BOOT_MAX_LIBDIRS)
        b.libs[b.nlibs++] = (struct hotrt_libdir){ "callsrv", b.vsn, b.dir };
    /* the operator's way in: 'hotplan apply --pid' and 'hotplan snapshot'
     * talk to /tmp/hotrt.<pid>.sock */
    if (hotrt_control_start(b.rt, NULL, b.libs, b.nlibs) != 0) {
        char msg[256];

        fprintf(stderr, "callsrv: %s\n", hotrt_errmsg(b.rt, msg, sizeof msg));
        hotrt_free(b.rt);
        return 1;
    }
    rc = run(&b, port, verbose, selftest, &stop_signals);
    hotrt_free(b.rt);
    return rc;
}
