/* sql.h - the SQL files of todoctl/sql/, compiled in by the Makefile (sql/NAME.sql -> sql_NAME). */
#ifndef TODOCTL_SQL_H
#define TODOCTL_SQL_H

extern const char sql_seed[];   /* sql/seed.sql: the development seed */

#endif
