/* run_dir/state: what vmnetd reads back after a crash — round trip through
 * state_save and state_load (user names with spaces included), and every
 * malformed line skipped and counted with the line it is on, never the
 * whole file. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>

#include "files.h"
#include "state.h"
#include "strbuf.h"

static void test_round_trip(void **state) {
        (void)state;
        char dir[] = "/tmp/vmnet-test-state.XXXXXX", path[64];
        struct students s = {};
        struct saved_state back;
        struct user_info a = { .name = "alice", .uid = 1001, .gid = 1001 };
        struct user_info b = { .name = "bob.smith", .uid = 1002, .gid = 100 };

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/state", dir);
        struct student *sa = students_add(&s, &a, "tap-alice");
        struct student *sb = students_add(&s, &b, "t~0123456789");
        struct link_registry links = {};
        struct link_record la = { .ifindex = 7, .name = "tap-alice", .kind = LINK_LOGIN, .owner = 1001,
                                  .peer_ifindex = 8 };
        struct link_record lb = { .ifindex = 8, .name = "vmnp0", .kind = LINK_LOGIN_PEER, .owner = 1001,
                                  .peer_ifindex = 7 };
        struct link_record lc = { .ifindex = 12, .name = "tap-alice+1", .kind = LINK_VM_TAP, .owner = 1001,
                                  .created = 1700000000 };
        assert_int_equal(link_registry_add(&links, &la), 0);
        assert_int_equal(link_registry_add(&links, &lb), 0);
        assert_int_equal(link_registry_add(&links, &lc), 0);
        struct link_record ld = { .ifindex = 3, .name = "vmnet0", .kind = LINK_LAB_BRIDGE };
        assert_int_equal(link_registry_add(&links, &ld), 0);
        struct lab_made made = {};
        struct address_record addr = { .ifindex = 3, .address = { htonl(0x0a4d0001) }, .prefix_len = 24 };
        assert_int_equal(made_address_add(&made, &addr), 0);
        assert_int_equal(made_table_add(&made, "inet vmnet"), 0);
        assert_int_equal(made_table_add(&made, "bridge vmnet_guard"), 0);
        assert_int_equal(student_add_session(sa, 100, 5555, -1, 0), 0);
        assert_int_equal(student_add_session(sa, 200, 6666, -1, 0), 0);
        assert_int_equal(student_add_session(sb, 300, 7777, -1, 0), 0);
        assert_int_equal(state_save(path, &s, &links, &made), 0);
        assert_int_equal(access(path, F_OK), 0);

        assert_int_equal(state_load(path, &back), 0);
        assert_int_equal(back.version, STATE_VERSION);
        assert_int_equal(back.students.n, 2);
        struct student *ra = students_find(&back.students, "alice");
        struct student *rb = students_find(&back.students, "bob.smith");
        assert_non_null(ra);
        assert_non_null(rb);
        assert_string_equal(ra->login_tap, "tap-alice");
        assert_string_equal(rb->login_tap, "t~0123456789");
        assert_int_equal(ra->user.uid, 1001);
        assert_int_equal(rb->user.gid, 100);
        assert_int_equal(ra->n_sessions, 2);
        assert_int_equal(ra->sessions[1].pid, 200);
        assert_int_equal(ra->sessions[1].start_time, 6666);
        assert_int_equal(ra->sessions[0].pidfd, -1);
        assert_int_equal(back.links.n, 4);
        assert_int_equal(link_registry_by_ifindex(&back.links, 3)->kind, LINK_LAB_BRIDGE);
        assert_int_equal(back.made.n_addresses, 1);
        assert_true(made_address_has(&back.made, &addr));
        assert_int_equal(back.made.n_tables, 2);
        assert_string_equal(back.made.tables[0], "inet vmnet");
        assert_string_equal(back.made.tables[1], "bridge vmnet_guard");
        struct link_record *r7 = link_registry_by_ifindex(&back.links, 7);
        assert_non_null(r7);
        assert_string_equal(r7->name, "tap-alice");
        assert_int_equal(r7->kind, LINK_LOGIN);
        assert_int_equal(r7->owner, 1001);
        assert_int_equal(r7->peer_ifindex, 8);
        assert_int_equal(link_registry_by_ifindex(&back.links, 12)->kind, LINK_VM_TAP);
        assert_int_equal(link_registry_by_ifindex(&back.links, 12)->created, 1700000000);
        assert_int_equal(back.n_bad_lines, 0);
        saved_state_clear(&back);
        students_clear(&s);
        link_registry_clear(&links);

        /* a later save replaces it whole, and no temporary file is left */
        assert_int_equal(state_save(path, &s, &links, &(struct lab_made) {}), 0);
        assert_int_equal(state_load(path, &back), 0);
        assert_int_equal(back.links.n, 0);
        assert_int_equal(back.made.n_addresses + back.made.n_tables, 0);
        assert_int_equal(back.students.n, 0);
        saved_state_clear(&back);
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t entries = 0;
        assert_non_null(d);
        while ((e = readdir(d)))
                entries += e->d_name[0] != '.';
        closedir(d);
        assert_int_equal(entries, 1);
        unlink(path);
        rmdir(dir);
}

static void test_missing(void **state) {
        (void)state;
        struct saved_state st;
        assert_int_equal(state_load("/nonexistent/vmnet/state", &st), -ENOENT);
}

/* Names as directory accounts have them: spaces, '@', '%', UTF-8. */
static void test_names_escaped(void **state) {
        (void)state;
        static const char *const names[] = {
                "alice smith", "alice@ad.example.edu", "100%", "caf\xc3\xa9", "tab\there",
                "a-very-long-directory-account-name-well-beyond-thirty-two@example.edu",
        };
        struct students s = {};
        struct link_registry none = {};
        struct saved_state back;
        char *text;

        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                struct user_info u = { .uid = 2000 + (uid_t)i, .gid = 100 };
                strcpy(u.name, names[i]);
                struct student *st = students_add(&s, &u, "t~0123456789");
                assert_non_null(st);
                assert_int_equal(student_add_session(st, 40 + (pid_t)i, 9, -1, 0), 0);
        }
        int n = state_format(&s, &none, &(struct lab_made) {}, &text);
        assert_true(n > 0);
        /* one record per line, each word free of spaces */
        assert_null(strstr(text, "alice smith"));
        assert_non_null(strstr(text, "student alice%20smith 2000 100 t~0123456789\n"));
        assert_int_equal(state_parse(text, (size_t)n, &back), 0);
        assert_int_equal(back.n_bad_lines, 0);
        assert_int_equal(back.students.n, sizeof names / sizeof names[0]);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                struct student *st = students_find(&back.students, names[i]);
                assert_non_null(st);
                assert_int_equal(st->user.uid, 2000 + i);
                assert_int_equal(st->n_sessions, 1);
        }
        saved_state_clear(&back);
        students_clear(&s);
        free(text);
}

/* The line is skipped (counted, first one named), the rest is kept. */
static void assert_skipped(const char *text, unsigned want_bad, unsigned want_first, size_t want_students) {
        struct saved_state st;
        assert_int_equal(state_parse(text, strlen(text), &st), 0);
        assert_int_equal(st.n_bad_lines, want_bad);
        assert_int_equal(st.first_bad_line, want_first);
        assert_int_equal(st.students.n, want_students);
        saved_state_clear(&st);
}

static void assert_refused(const char *text, size_t len) {
        struct saved_state st = { .bridge = "untouched" };
        assert_int_equal(state_parse(text, len, &st), -EBADMSG);
        assert_string_equal(st.bridge, "untouched");
}

static void test_malformed(void **state) {
        (void)state;
        /* no or an unknown header: not a state file at all */
        assert_refused("", 0);
        assert_refused("vmnetd-state 5\n", 15);
        assert_refused("vmnetd-state 40\n", 16);
        assert_refused("bridge vmnet0 created\n", 22);
        /* each bad line is skipped, and only it */
        const char *ok = "student bob 2 2 tap-bob\n";
        char text[512];
        static const char *const bad[] = {
                "bridge vmnet0 made", "bridge vmnet0 created extra", "student alice 1001 1001",
                "student alice x 1001 tap-alice", "student bob 1 1 tap-bob", "session alice 100 5",
                "session bob 0 5", "session bob -4 5", "student alice 1 1 tap-alice-is-far-too-long",
                "something else", "student al%zzce 1 1 t", "student al%00ce 1 1 t", "student alice  1 1 t",
                "link 7 tap-x nosuchkind 1 0", "link 0 tap-x tap 1 0", "link 7 tap-x tap", "student",
                "link 9 tap-a tap 1 0 extra",
                "address 3 10.77.0.1", "address 0 10.77.0.1/24", "address 3 10.77.0.1/33", "address x 1.2.3.4/8",
                "address 3 10.77.0.300/24", "table inet", "table inet vm-net", "table inet vmnet extra",
                "table Inet vmnet",
                /* a segment: its name and keep|session; what is on one: its bridge */
                "link 40 b~x segment 1 0", "link 40 b~x segment 1 0 40", "link 40 b~x segment 1 0 Lan2 keep",
                "link 40 b~x segment 1 0 lan2 forever", "link 40 b~x segment 1 0 lan/2 keep",
                "link 41 vmns0 segment-tap 1 0", "link 41 vmns0 segment-tap 1 0 41",
                "link 41 vmns0 segment-tap 1 0 0", "link 41 vmns0 segment-tap 1 0 x",
                "link 41 vmns0 tap 1 0 40 41", "link 41 vmns0 segment-peer 1 42 40 lan2 keep",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                snprintf(text, sizeof text, "vmnetd-state 3\n%s%s\n%s", ok, bad[i], "student carol 3 3 tap-carol\n");
                assert_skipped(text, 1, 3, 2);
        }
        /* a NUL inside a line, a line longer than any a state file has */
        char nul[] = "vmnetd-state 1\nstudent a\0ice 1 1 t\nstudent bob 2 2 tap-bob\n";
        struct saved_state st;
        assert_int_equal(state_parse(nul, sizeof nul - 1, &st), 0);
        assert_int_equal(st.n_bad_lines, 1);
        assert_int_equal(st.first_bad_line, 2);
        assert_int_equal(st.students.n, 1);
        saved_state_clear(&st);
        char longline[1200];
        memset(longline, 'x', sizeof longline);
        memcpy(longline, "vmnetd-state 1\n", 15);
        assert_int_equal(state_parse(longline, sizeof longline, &st), 0);
        assert_int_equal(st.n_bad_lines, 1);
        saved_state_clear(&st);
        /* version 1 knows no link lines, version 2 no address or table lines */
        assert_skipped("vmnetd-state 1\nlink 7 tap-x tap 1 0\n", 1, 2, 0);
        assert_skipped("vmnetd-state 2\naddress 3 10.77.0.1/24\n", 1, 2, 0);
        assert_skipped("vmnetd-state 2\ntable inet vmnet\n", 1, 2, 0);
}

/* The state after the journal's records: students and sessions replaced
 * or gone, links replaced (renamed) or gone. */
static const char journal[] =
        "student carol 1003 100 tap-carol\n"
        "session carol 400 8888\n"
        "link 20 tap-carol login 1003 21\n"
        "link 21 vmnp5 login-peer 1003 20\n"
        "student alice 1001 1001 tap-alice\n"
        "session alice 200 6666\n"
        "-student bob\n"
        "link 12 tap-alice+9 vm-tap 1001 0\n"
        "-link 8\n"
        "-link 7\n"
        "student dave%20d 1004 100 tap-dave\n"
        "-student dave%20d\n";

static const char whole[] =
        "vmnetd-state 4\n"
        "student alice 1001 1001 tap-alice\n"
        "session alice 100 5555\n"
        "session alice 200 6666\n"
        "student bob 1002 100 tap-bob\n"
        "session bob 300 7777\n"
        "link 7 tap-alice login 1001 8\n"
        "link 8 vmnp0 login-peer 1001 7\n"
        "link 12 tap-alice+1 vm-tap 1001 0\n";

/* text parsed and written out again: two texts that mean the same state
 * give the same */
static char *normalised(const char *text, size_t len) {
        struct saved_state st;
        char *out;
        assert_int_equal(state_parse(text, len, &st), 0);
        assert_int_equal(st.n_bad_lines, 0);
        assert_true(state_format(&st.students, &st.links, &st.made, &out) > 0);
        saved_state_clear(&st);
        return out;
}

static void test_journal(void **state) {
        (void)state;
        char dir[] = "/tmp/vmnet-test-state.XXXXXX", path[64];
        struct saved_state st;

        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/state", dir);
        assert_int_equal(state_append(path, journal, sizeof journal - 1), -ENOENT);
        assert_int_equal(write_file_atomic(path, whole, sizeof whole - 1, 0600), 0);
        assert_int_equal(state_append(path, journal, sizeof journal - 1), 0);
        assert_int_equal(state_load(path, &st), 0);
        assert_int_equal(st.n_bad_lines, 0);
        assert_int_equal(st.students.n, 2);
        struct student *alice = students_find(&st.students, "alice"), *carol = students_find(&st.students, "carol");
        assert_non_null(alice);
        assert_non_null(carol);
        assert_null(students_find(&st.students, "bob"));
        assert_int_equal(alice->n_sessions, 1);
        assert_int_equal(alice->sessions[0].pid, 200);
        assert_int_equal(carol->n_sessions, 1);
        assert_int_equal(st.links.n, 3);
        assert_null(link_registry_by_ifindex(&st.links, 7));
        assert_null(link_registry_by_ifindex(&st.links, 8));
        assert_string_equal(link_registry_by_ifindex(&st.links, 12)->name, "tap-alice+9");
        assert_int_equal(link_registry_by_ifindex(&st.links, 21)->peer_ifindex, 20);
        saved_state_clear(&st);
        unlink(path);
        rmdir(dir);

        /* the records' writers give what the parser reads */
        struct students s = {};
        struct strbuf b = {};
        struct user_info u = { .name = "dave d", .uid = 1004, .gid = 100 };
        struct student *d = students_add(&s, &u, "tap-dave");
        assert_int_equal(student_add_session(d, 500, 9999, -1, 0), 0);
        state_put_student(&b, d);
        state_put_student_gone(&b, "dave d");
        state_put_link(&b, &(struct link_record) { .ifindex = 12, .name = "tap-alice+9", .kind = LINK_VM_TAP,
                                                   .owner = 1001 });
        state_put_link_gone(&b, 8);
        assert_int_equal(b.error, 0);
        assert_string_equal(strbuf_str(&b), "student dave%20d 1004 100 tap-dave\nsession dave%20d 500 9999\n"
                                            "-student dave%20d\nlink 12 tap-alice+9 vm-tap 1001 0\n-link 8\n");
        strbuf_free(&b);
        students_clear(&s);
}

/* A crash may cut the last append anywhere: what is read is the state
 * after the last whole record, for every place of the cut. */
static void test_journal_torn(void **state) {
        (void)state;
        char text[sizeof whole + sizeof journal];

        memcpy(text, whole, sizeof whole - 1);
        memcpy(text + sizeof whole - 1, journal, sizeof journal);
        for (size_t cut = 0; cut < sizeof journal; cut++) {
                size_t whole_records = cut;
                while (whole_records > 0 && journal[whole_records - 1] != '\n')
                        whole_records--;
                struct saved_state st;
                size_t len = sizeof whole - 1 + cut;
                assert_int_equal(state_parse(text, len, &st), 0);
                assert_int_equal(st.n_bad_lines, whole_records == cut ? 0 : 1);
                char *got, *want = normalised(text, sizeof whole - 1 + whole_records);
                assert_true(state_format(&st.students, &st.links, &st.made, &got) > 0);
                assert_string_equal(got, want);
                free(got);
                free(want);
                saved_state_clear(&st);
        }
}

static void test_journal_malformed(void **state) {
        (void)state;
        static const char *const bad[] = {
                "-student", "-student nosuch", "-student al%zzce", "-student carol extra", "-link", "-link x",
                "-link 999", "-link 7 8", "-link -7", "-session carol 400", "-", "--link 7",
        };
        char text[512];

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                snprintf(text, sizeof text, "vmnetd-state 4\nstudent carol 3 3 tap-carol\nlink 7 t login 3 0\n%s\n"
                         "student dan 4 4 tap-dan\n", bad[i]);
                struct saved_state st;
                assert_int_equal(state_parse(text, strlen(text), &st), 0);
                assert_int_equal(st.n_bad_lines, 1);
                assert_int_equal(st.first_bad_line, 4);
                assert_int_equal(st.students.n, 2);
                assert_int_equal(st.links.n, 1);
                saved_state_clear(&st);
        }
        /* an older version knows no journal: a record again is bad, a
         * removal too, and its last line needs no newline */
        assert_skipped("vmnetd-state 3\nstudent bob 1 1 tap-bob\n-student bob\n", 1, 3, 1);
        assert_skipped("vmnetd-state 3\nstudent bob 1 1 tap-bob\nstudent carol 3 3 tap-carol", 0, 0, 2);
        assert_skipped("vmnetd-state 4\nstudent bob 1 1 tap-bob\nstudent carol 3 3 tap-carol", 1, 3, 1);
}

/* A private segment and what is on it come back whole: its name, keep,
 * and the bridge each of its links is on. */
static void test_segments(void **state) {
        (void)state;
        struct students none = {};
        struct link_registry links = {};
        struct saved_state back;
        char *text;
        static const struct link_record recs[] = {
                { .ifindex = 40, .name = "b~af0856fd0a", .kind = LINK_SEGMENT, .owner = 1001, .label = "lan2",
                  .keep = true, .created = 1700000002 },
                { .ifindex = 41, .name = "alice=lan2", .kind = LINK_SEGMENT_LINK, .owner = 1001, .peer_ifindex = 42,
                  .segment = 40, .created = -1 },
                { .ifindex = 42, .name = "vmns0", .kind = LINK_SEGMENT_PEER, .owner = 1001, .peer_ifindex = 41,
                  .segment = 40, .created = -1 },
                { .ifindex = 43, .name = "vmns1", .kind = LINK_SEGMENT_TAP, .owner = 1001, .segment = 40,
                  .created = 1700000003 },
                { .ifindex = 44, .name = "vmns2", .kind = LINK_SEGMENT_NETNS, .owner = 1001, .segment = 40,
                  .created = -1 },
                { .ifindex = 50, .name = "b~af0857fd0a", .kind = LINK_SEGMENT, .owner = 1001, .label = "lan3",
                  .created = -1 },
        };
        for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
                assert_int_equal(link_registry_add(&links, &recs[i]), 0);
        int n = state_format(&none, &links, &(struct lab_made) {}, &text);
        assert_true(n > 0);
        /* when it was made, where known, after the kind's own words */
        assert_non_null(strstr(text, "link 40 b~af0856fd0a segment 1001 0 lan2 keep 1700000002\n"));
        assert_non_null(strstr(text, "link 50 b~af0857fd0a segment 1001 0 lan3 session\n"));
        assert_non_null(strstr(text, "link 43 vmns1 segment-tap 1001 0 40 1700000003\n"));
        assert_non_null(strstr(text, "link 44 vmns2 segment-netns 1001 0 40\n"));
        assert_int_equal(state_parse(text, (size_t)n, &back), 0);
        assert_int_equal(back.n_bad_lines, 0);
        assert_int_equal(back.links.n, sizeof recs / sizeof recs[0]);
        for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
                const struct link_record *r = link_registry_by_ifindex(&back.links, recs[i].ifindex);
                assert_non_null(r);
                assert_string_equal(r->name, recs[i].name);
                assert_int_equal(r->kind, recs[i].kind);
                assert_int_equal(r->owner, recs[i].owner);
                assert_int_equal(r->peer_ifindex, recs[i].peer_ifindex);
                assert_int_equal(r->segment, recs[i].segment);
                assert_string_equal(r->label, recs[i].label);
                assert_int_equal(r->keep, recs[i].keep);
                assert_int_equal(r->created, recs[i].created);
        }
        assert_int_equal(link_registry_segment(&back.links, 1001, "lan2")->ifindex, 40);
        assert_null(link_registry_segment(&back.links, 1002, "lan2"));
        assert_int_equal(link_registry_count_on(&back.links, 40, LINK_KINDS_SEGMENT_VMS), 2);
        assert_int_equal(link_registry_count_on(&back.links, 40, LINK_KINDS_ON_SEGMENT), 4);
        assert_int_equal(link_registry_count_on(&back.links, 50, LINK_KINDS_ON_SEGMENT), 0);
        saved_state_clear(&back);
        link_registry_clear(&links);
        free(text);
}

/* A link line without the time it was made (older) is taken, the time not
 * known; one with it keeps it, and writes it back; a capture tap's line
 * reads too. */
static void test_link_created(void **state) {
        (void)state;
        const char *text = "vmnetd-state 2\nlink 7 tap-x+1 vm-tap 1 0\nlink 8 vmcap0 capture 1 0 1700000001\n";
        struct saved_state st;
        struct strbuf b = {};
        assert_int_equal(state_parse(text, strlen(text), &st), 0);
        assert_int_equal(st.n_bad_lines, 0);
        assert_int_equal(link_registry_by_ifindex(&st.links, 7)->created, -1);
        state_put_link(&b, link_registry_by_ifindex(&st.links, 8));
        state_put_link(&b, link_registry_by_ifindex(&st.links, 7));
        assert_string_equal(strbuf_str(&b), "link 8 vmcap0 capture 1 0 1700000001\nlink 7 tap-x+1 vm-tap 1 0\n");
        strbuf_free(&b);
        assert_int_equal(link_registry_by_ifindex(&st.links, 8)->kind, LINK_CAPTURE);
        assert_int_equal(link_registry_by_ifindex(&st.links, 8)->created, 1700000001);
        saved_state_clear(&st);
        assert_skipped("vmnetd-state 2\nlink 9 tap-a tap 1 0 -5\n", 1, 2, 0);
        assert_skipped("vmnetd-state 2\nlink 9 tap-a tap 1 0 0\n", 1, 2, 0);
        assert_skipped("vmnetd-state 2\nlink 9 tap-a tap 1 0 1700000001 5\n", 1, 2, 0);
        assert_skipped("vmnetd-state 2\nlink 9 vmns1 segment-tap 1 0 40 1700000001 5\n", 1, 2, 0);
}

/* What an older vmnetd wrote (version 1) reads as it did. */
static void test_good_text(void **state) {
        (void)state;
        const char *text = "vmnetd-state 1\nbridge br0 adopted\n\nstudent stu 7 8 tap-stu\nsession stu 42 99\n";
        struct saved_state st;
        assert_int_equal(state_parse(text, strlen(text), &st), 0);
        assert_int_equal(st.version, 1);
        assert_int_equal(st.n_bad_lines, 0);
        assert_int_equal(st.students.n, 1);
        assert_int_equal(st.students.v[0]->n_sessions, 1);
        assert_int_equal(st.students.v[0]->sessions[0].pid, 42);
        saved_state_clear(&st);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_missing),
                cmocka_unit_test(test_names_escaped),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_good_text),
                cmocka_unit_test(test_journal),
                cmocka_unit_test(test_journal_torn),
                cmocka_unit_test(test_journal_malformed),
                cmocka_unit_test(test_segments),
                cmocka_unit_test(test_link_created),
        };
        return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
