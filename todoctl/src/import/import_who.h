/* import_who.h - the prefix of todoctl import's messages (a leaf: every import file may
 * include it without including back). */
#ifndef TODOCTL_IMPORT_WHO_H
#define TODOCTL_IMPORT_WHO_H

#define IMPORT_WHO "todoctl import"

#endif
