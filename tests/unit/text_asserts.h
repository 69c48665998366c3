/* Assertions on generated text (rulesets, configs) for cmocka tests. */
#pragma once
#include <stdarg.h>
#include <string.h>

#define HAS(text, s) assert_non_null(strstr((text), (s)))
#define LACKS(text, s) assert_null(strstr((text), (s)))

/* Each string, NULL-terminated list, appears in text after the one before. */
#define assert_in_order(text, ...) assert_in_order_((text), __VA_ARGS__, (const char *)NULL)
static inline void assert_in_order_(const char *text, ...) {
        va_list ap;
        const char *s, *at = text;
        va_start(ap, text);
        while ((s = va_arg(ap, const char *))) {
                const char *found = strstr(at, s);
                if (!found)
                        print_error("not found in order: %s\n", s);
                assert_non_null(found);
                at = found + strlen(s);
        }
        va_end(ap);
}
