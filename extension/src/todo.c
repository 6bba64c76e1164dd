/* todo.c: module entry point of the todo extension */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"

#include "guc.h"
#include "todo.h"

PG_MODULE_MAGIC;

bool		TodoLoadedAtStartup = false;

void		_PG_init(void);

/*
 * Remember whether we are being preloaded: the JWT secret is trustworthy only
 * then (see JwtKey in jwt.c), then define the settings.
 */
void
_PG_init(void)
{
	TodoLoadedAtStartup = process_shared_preload_libraries_in_progress;
	GucsInit();
}
