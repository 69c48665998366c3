#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "snapshot_cache.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hosts_snapshot_file cache; /* guarded by cache_lock */
static time_t cache_checked_at;          /* when the path was last stat()ed */

int snapshot_cache_run(const char *path, time_t now, int (*fn)(const struct hosts_snapshot *s, void *userdata),
                       void *userdata) {
        struct stat st;
        int r;

        pthread_mutex_lock(&cache_lock);
        if (!cache.map || hosts_snapshot_file_is_superseded(&cache) || now != cache_checked_at) {
                if (stat(path, &st) < 0) {
                        r = -errno;
                        hosts_snapshot_file_close(&cache);
                        goto out;
                }
                if (!hosts_snapshot_file_is_current(&cache, &st)) {
                        struct hosts_snapshot_file f;

                        hosts_snapshot_file_close(&cache);
                        r = hosts_snapshot_file_map(path, &f);
                        if (r < 0)
                                goto out;
                        cache = f;
                }
                cache_checked_at = now;
        }
        r = fn(&cache.view, userdata);
out:
        pthread_mutex_unlock(&cache_lock);
        return r;
}

/* A fork while another thread holds the lock would leave it locked forever
 * in the child: hold it across fork, release it on both sides. */
static void before_fork(void) {
        pthread_mutex_lock(&cache_lock);
}

static void after_fork(void) {
        pthread_mutex_unlock(&cache_lock);
}

__attribute__((constructor)) static void snapshot_cache_init(void) {
        pthread_atfork(before_fork, after_fork, after_fork);
}

/* At dlclose or exit (valgrind's __libc_freeres): give the mapping back,
 * after any lookup still running in another thread. */
__attribute__((destructor)) static void snapshot_cache_done(void) {
        pthread_mutex_lock(&cache_lock);
        hosts_snapshot_file_close(&cache);
        pthread_mutex_unlock(&cache_lock);
}
