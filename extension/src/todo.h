/* todo.h: declarations shared by the todo extension's C modules */
#ifndef TODO_H
#define TODO_H

/*
 * SQLSTATEs of the SQL API (docs/sql-api.md): the gateway maps each to an HTTP
 * status.  TD401 is 401 unauthorized, TD422 is 422 validation_failed.
 */
#define ERRCODE_TODO_UNAUTHORIZED		MAKE_SQLSTATE('T','D','4','0','1')
#define ERRCODE_TODO_VALIDATION_FAILED	MAKE_SQLSTATE('T','D','4','2','2')

/* true when the library was loaded through shared_preload_libraries */
extern bool TodoLoadedAtStartup;

#endif							/* TODO_H */
