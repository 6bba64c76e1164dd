/* version.h - schema version strings: which are valid, and their order. */
#ifndef TODOCTL_VERSION_H
#define TODOCTL_VERSION_H

#include <stdbool.h>

#define VERSION_MAX 64     /* a version's length, NUL included */

/*
 * Whether v can name a version: 1-63 characters of [A-Za-z0-9._-], not starting or ending
 * with '-' and without "--" (PostgreSQL's rule for extension versions, which also keeps a
 * version safe inside a script's file name).
 */
bool version_valid(const char *v);

/*
 * Orders versions as dot-separated parts, numeric parts by value ("1.10" > "1.9"), other
 * parts as strings; a version that is a prefix of another comes first. <0, 0, >0.
 */
int version_compare(const char *a, const char *b);

#endif
