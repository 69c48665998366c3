/* vmnet.conf and its drop-ins read into one configuration, and the report
 * of what was read and what is wrong with it (see config.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"
#include "cleanup.h"
#include "config.h"
#include "config_parse.h"
#include "files.h"

#define CONFIG_FILE_MAX (64 * 1024)

void config_report_free(struct config_report *r) {
        for (size_t i = 0; i < r->n_files; i++)
                free(r->files[i]);
        free(r->files);
        for (size_t i = 0; i < r->n_problems; i++)
                free(r->problems[i].message);
        free(r->problems);
        free(r->key_file);
        free(r->key_line);
        *r = (struct config_report) {};
}

void config_report_vadd(struct config_report *r, enum config_severity severity, unsigned file, unsigned line,
                        const char *fmt, va_list ap) {
        char *message = NULL;

        /* counted even when it cannot be recorded: an error must never pass */
        if (severity == CONFIG_ERROR)
                r->n_errors++;
        else
                r->n_warnings++;
        if (ARRAY_RESERVE(r->problems, r->allocated_problems, r->n_problems + 1) < 0 ||
            vasprintf(&message, fmt, ap) < 0) {
                r->error = -ENOMEM;
                return;
        }
        /* kept in the order of the files and their lines (equal places in
         * the order found): what every reader of the report wants */
        size_t at = r->n_problems;
        while (at > 0 && (r->problems[at - 1].file > file ||
                          (r->problems[at - 1].file == file && r->problems[at - 1].line > line)))
                at--;
        memmove(&r->problems[at + 1], &r->problems[at], (r->n_problems - at) * sizeof *r->problems);
        r->problems[at] = (struct config_problem) {
                .file = file, .line = line, .severity = severity, .message = message,
        };
        r->n_problems++;
}

void config_report_add(struct config_report *r, enum config_severity severity, unsigned file, unsigned line,
                       const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        config_report_vadd(r, severity, file, line, fmt, ap);
        va_end(ap);
}

void config_report_key(struct config_report *r, enum config_severity severity, const char *key,
                       const char *fmt, ...) {
        unsigned file = 0, line = 0;
        va_list ap;

        for (unsigned k = 0; k < config_key_count() && r->key_line; k++)
                if (strcmp(config_key_name(k), key) == 0) {
                        file = r->key_file[k];
                        line = r->key_line[k];
                }
        va_start(ap, fmt);
        config_report_vadd(r, severity, file, line, fmt, ap);
        va_end(ap);
}

void config_problem_format(const struct config_report *r, size_t i, char *buf, size_t size) {
        const struct config_problem *p = &r->problems[i];
        const char *file = p->file < r->n_files ? r->files[p->file] : "(config)";
        const char *warning = p->severity == CONFIG_WARNING ? "warning: " : "";

        if (size == 0)
                return;
        if (p->line)
                snprintf(buf, size, "%s:%u: %s%s", file, p->line, warning, p->message);
        else
                snprintf(buf, size, "%s: %s%s", file, warning, p->message);
}

void config_report_format(const struct config_report *r, struct strbuf *out) {
        char line[1024];

        for (size_t i = 0; i < r->n_problems; i++) {
                config_problem_format(r, i, line, sizeof line);
                strbuf_printf(out, "%s\n", line);
        }
}

/* Records name as the next file read; its index, or -ENOMEM. */
static int add_file(struct config_report *r, const char *name) {
        char *copy = strdup(name);
        char **files = copy ? realloc(r->files, (r->n_files + 1) * sizeof *files) : NULL;

        if (!files) {
                free(copy);
                return r->error = -ENOMEM;
        }
        r->files = files;
        r->files[r->n_files] = copy;
        return (int)r->n_files++;
}

static int report_init(struct config_report *r) {
        r->key_file = calloc(_KEY_COUNT, sizeof *r->key_file);
        r->key_line = calloc(_KEY_COUNT, sizeof *r->key_line);
        return r->key_file && r->key_line ? 0 : (r->error = -ENOMEM);
}

static int finish(struct config_merge *m, struct vmnet_config *ret) {
        config_merge_finish(m);
        if (m->report->error)
                return m->report->error;
        if (m->report->n_errors > 0)
                return -EINVAL;
        *ret = m->c;
        return 0;
}

int config_parse_texts(const struct config_text *texts, size_t n, struct vmnet_config *ret,
                       struct config_report *report) {
        struct config_merge m;
        int r = report_init(report);

        if (r < 0)
                return r;
        config_merge_init(&m, report);
        for (size_t i = 0; i < n; i++) {
                r = add_file(report, texts[i].name ? texts[i].name : "(config)");
                if (r < 0)
                        return r;
                config_merge_text(&m, (unsigned)r, texts[i].text, texts[i].len);
        }
        return finish(&m, ret);
}

static bool is_dropin_name(const char *name) {
        size_t n = strlen(name);
        return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int dropin_filter(const struct dirent *d) {
        return is_dropin_name(d->d_name);
}

/* Byte order, whatever the locale: every PC of a room reads the same order. */
static int dropin_order(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

/* Reads path whole and merges it; a file that cannot be read is an error
 * of the file as a whole.  Returns the errno of the read. */
static int merge_file(struct config_merge *m, const char *path, bool must_be_regular) {
        _cleanup_free_ char *text = NULL;
        struct stat st;
        size_t len;
        int file = add_file(m->report, path), r;

        if (file < 0)
                return file;
        /* a fifo or a device among the drop-ins would block or never end */
        if (must_be_regular && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
                config_report_add(m->report, CONFIG_WARNING, (unsigned)file, 0, "not a regular file: skipped");
                return 0;
        }
        r = read_file_whole(path, CONFIG_FILE_MAX, &text, &len);
        if (r == -EFBIG)
                config_report_add(m->report, CONFIG_ERROR, (unsigned)file, 0, "larger than %d bytes",
                                  CONFIG_FILE_MAX);
        else if (r < 0)
                config_report_add(m->report, CONFIG_ERROR, (unsigned)file, 0, "%s",
                                  strerrordesc_np(-r) ?: "unknown error");
        else
                config_merge_text(m, (unsigned)file, text, len);
        return r;
}

static void merge_dropins(struct config_merge *m, const char *path) {
        _cleanup_free_ char *dir = NULL;
        struct dirent **names = NULL;
        int n;

        if (asprintf(&dir, "%s" CONFIG_DROPIN_SUFFIX, path) < 0) {
                m->report->error = -ENOMEM;
                return;
        }
        n = scandir(dir, &names, dropin_filter, dropin_order);
        if (n < 0) {
                if (errno != ENOENT) {
                        int file = add_file(m->report, dir);
                        if (file >= 0)
                                config_report_add(m->report, CONFIG_ERROR, (unsigned)file, 0, "%s", strerror(errno));
                }
                return;
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *file = NULL;
                if (i + 1 >= CONFIG_FILES_MAX) {
                        config_report_add(m->report, CONFIG_ERROR, 0, 0, "more than %d files in %s: %s and after "
                                          "are not read", CONFIG_FILES_MAX - 1, dir, names[i]->d_name);
                        break;
                }
                if (asprintf(&file, "%s/%s", dir, names[i]->d_name) < 0)
                        m->report->error = -ENOMEM;
                else
                        (void)merge_file(m, file, true);
        }
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

int config_load_report(const char *path, struct vmnet_config *ret, struct config_report *report) {
        struct config_merge m;
        int r = report_init(report);

        if (r < 0)
                return r;
        config_merge_init(&m, report);
        r = merge_file(&m, path, false);
        if (r < 0)
                return r;
        merge_dropins(&m, path);
        return finish(&m, ret);
}

/* Every problem into err, one per line, without the last newline. */
static void report_to_err(const struct config_report *report, char *err, size_t err_size) {
        struct strbuf b = {};

        if (err_size == 0)
                return;
        config_report_format(report, &b);
        if (b.len > 0 && b.data[b.len - 1] == '\n')
                b.data[--b.len] = '\0';
        snprintf(err, err_size, "%s", b.error ? "out of memory" : strbuf_str(&b));
        strbuf_free(&b);
}

int config_parse(const char *text, size_t len, const char *filename,
                 struct vmnet_config *ret, char *err, size_t err_size) {
        struct config_report report = {};
        struct config_text t = { filename, text, len };
        int r = config_parse_texts(&t, 1, ret, &report);

        report_to_err(&report, err, err_size);
        config_report_free(&report);
        return r;
}

int config_load(const char *path, struct vmnet_config *ret, char *err, size_t err_size) {
        struct config_report report = {};
        int r = config_load_report(path, ret, &report);

        report_to_err(&report, err, err_size);
        config_report_free(&report);
        return r;
}
