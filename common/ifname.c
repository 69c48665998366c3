#define _GNU_SOURCE
#include <net/if.h>
#include <string.h>

#include "ifname.h"

const char *ifname_problem(const char *name) {
        if (!name || !name[0])
                return "is empty";
        if (strnlen(name, IFNAMSIZ) >= IFNAMSIZ)
                return "is longer than 15 bytes";
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return "is \".\" or \"..\"";
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
                if (*p == '/')
                        return "contains '/'";
                if (*p == ':')
                        return "contains ':'";
                if (*p == '%')
                        return "contains '%'";
                if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
                        return "contains white space";
                if (*p < 0x20 || *p == 0x7f)
                        return "contains a control character";
        }
        return NULL;
}

bool ifname_part_is_plain(const char *s) {
        if (!s || !s[0])
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_' || *p == '-' || *p == '.'))
                        return false;
        return true;
}
