/* handler.h - libmicrohttpd's callbacks: the request lifecycle (dispatch.c decides). */
#ifndef GW_HANDLER_H
#define GW_HANDLER_H

#include <microhttpd.h>

#include "app.h"

/* MHD_OPTION_URI_LOG_CALLBACK: creates the request state (it becomes *con_cls). */
void *handler_uri(void *cls, const char *uri, struct MHD_Connection *con);

/* The MHD_AccessHandlerCallback: first call sets up, upload calls read the body, the last
 * call answers (or the first, when the announced body is over the limit). */
enum MHD_Result handler_access(void *cls, struct MHD_Connection *con, const char *url,
                               const char *method, const char *version,
                               const char *upload_data, size_t *upload_data_size,
                               void **con_cls);

/* MHD_OPTION_UNESCAPE_CALLBACK: request_path_unescape() (keeps %00 as written). */
size_t handler_unescape(void *cls, struct MHD_Connection *con, char *s);

/* MHD_OPTION_NOTIFY_COMPLETED: writes the access log line and frees the request state. */
void handler_completed(void *cls, struct MHD_Connection *con, void **con_cls,
                       enum MHD_RequestTerminationCode toe);

#endif
