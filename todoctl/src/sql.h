/* sql.h - the SQL files of todoctl/sql/, compiled in by the Makefile (sql/NAME.sql -> sql_NAME). */
#ifndef TODOCTL_SQL_H
#define TODOCTL_SQL_H

extern const char sql_seed[];   /* sql/seed.sql: the development seed */

/* todoctl import's plan and apply steps (docs/import.md) */
extern const char sql_import_normalize[];
extern const char sql_import_check[];
extern const char sql_import_decide[];
extern const char sql_import_apply[];
extern const char sql_import_report[];

#endif
