/* vmnet top (vmnet status --all --watch): the lab listing, redrawn
 * whenever vmnetd announces a change on a subscription (no polling of
 * vmnetd), and once a minute for the ages it shows.  q or Ctrl-C quits.
 * Plain ANSI (clear, home) on whatever terminal it runs in, so it works
 * over ssh -t; on a pipe each view is printed after the last. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lab_fetch.h"
#include "lab_print.h"
#include "vmnet.h"

#define CLOCK_REDRAW_MS 60000

static volatile sig_atomic_t quit_requested, redraw_requested;

static void on_quit(int sig) {
        (void)sig;
        quit_requested = 1;
}

static void on_winch(int sig) {
        (void)sig;
        redraw_requested = 1;
}

static void draw(const struct lab_view *v, bool terminal) {
        time_t now = time(NULL);
        struct tm tm;
        char when[16] = "?";

        if (localtime_r(&now, &tm))
                strftime(when, sizeof when, "%H:%M:%S", &tm);
        if (terminal)
                fputs("\033[H\033[2J", stdout);
        printf("vmnet top: %zu student%s, %zu VM%s; as of %s (generation %llu); q quits\n\n",
               v->n_students, v->n_students == 1 ? "" : "s", v->n_vms, v->n_vms == 1 ? "" : "s", when,
               (unsigned long long)v->generation);
        lab_print_text(stdout, v, (int64_t)now);
        if (!terminal)
                putchar('\n');
        fflush(stdout);
}

/* Keys without Enter and without echo; Ctrl-C still signals. */
static bool raw_keys(struct termios *saved) {
        struct termios t;
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, saved) < 0)
                return false;
        t = *saved;
        t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        return tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

int cmd_watch(uint8_t scope) {
        struct lab_view v = {};
        struct termios saved;
        bool terminal = isatty(STDOUT_FILENO), keys = true, raw;
        int sub, r;

        r = cli_subscribe_lab(scope, &sub);
        if (r != EXIT_OK)
                return r;
        /* subscribed first: a change between the two is announced, not lost */
        r = cli_fetch_lab(scope, &v);
        if (r != EXIT_OK) {
                close(sub);
                return r;
        }
        struct sigaction quit = { .sa_handler = on_quit }, winch = { .sa_handler = on_winch };
        sigaction(SIGINT, &quit, NULL);
        sigaction(SIGTERM, &quit, NULL);
        sigaction(SIGHUP, &quit, NULL);
        sigaction(SIGWINCH, &winch, NULL);
        raw = raw_keys(&saved);
        draw(&v, terminal);
        while (!quit_requested) {
                struct pollfd p[2] = { { .fd = sub, .events = POLLIN }, { .fd = STDIN_FILENO, .events = POLLIN } };
                int n = poll(p, keys ? 2 : 1, CLOCK_REDRAW_MS);
                if (n < 0 && errno != EINTR) {
                        perror("vmnet: poll");
                        r = EXIT_ERROR;
                        break;
                }
                if (n == 0 || redraw_requested) {
                        redraw_requested = 0;
                        draw(&v, terminal);
                }
                if (n <= 0)
                        continue;
                if (p[0].revents) {
                        int c = cli_lab_changed(sub);
                        if (c < 0) {
                                fprintf(stderr, "vmnet: vmnetd closed the connection (did it stop?)\n");
                                r = EXIT_UNREACHABLE;
                                break;
                        }
                        if (c > 0) {
                                struct lab_view next;
                                r = cli_fetch_lab(scope, &next);
                                if (r != EXIT_OK)
                                        break;
                                lab_view_clear(&v);
                                v = next;
                                draw(&v, terminal);
                        }
                }
                if (keys && p[1].revents) {
                        char key;
                        ssize_t k = read(STDIN_FILENO, &key, 1);
                        if (k <= 0)
                                keys = false; /* no keyboard (a pipe that ended): Ctrl-C still quits */
                        else if (key == 'q' || key == 'Q' || key == 3)
                                quit_requested = 1;
                }
        }
        if (raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        close(sub);
        lab_view_clear(&v);
        return r;
}
