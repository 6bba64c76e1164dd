/* querystring.h - the query string as JSON for the SQL call: names to arrays of values. */
#ifndef GW_QUERYSTRING_H
#define GW_QUERYSTRING_H

/*
 * Turns a raw query string (without '?') into a JSON object mapping each name to the array
 * of its values in order, percent-decoded, '+' as space: "tag=a&tag=b" gives
 * {"tag":["a","b"]}. NULL or "" gives {}. Returns 0 with *json owned by the caller (free()),
 * -1 when a decoded name or value is not UTF-8 or holds NUL, -2 when out of memory.
 */
int querystring_to_json(const char *query, char **json);

/* The value of a hex digit (either case), -1 for any other character: percent-decoding,
 * here and in request_path_unescape(). */
int querystring_hex_digit(char c);

#endif
