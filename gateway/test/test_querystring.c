/* test_querystring.c - the query string as a JSON object of arrays, percent-decoding. */
#include <stdlib.h>

#include "querystring.h"
#include "tap.h"

static void
query(const char *qs, int rc_expected, const char *json_expected)
{
	char *json = NULL;
	int   rc = querystring_to_json(qs, &json);

	is_int(rc, rc_expected, "query \"%s\": status", qs != NULL ? qs : "(null)");
	is_str(json, json_expected, "query \"%s\": JSON", qs != NULL ? qs : "(null)");
	free(json);
}

int
main(void)
{
	/* query string -> {"name": [values...]} */
	query(NULL, 0, "{}");
	query("", 0, "{}");
	query("tag=a&tag=b&limit=5", 0, "{\"tag\":[\"a\",\"b\"],\"limit\":[\"5\"]}");
	query("q=hello+world", 0, "{\"q\":[\"hello world\"]}");
	query("q=a%2Bb%20c", 0, "{\"q\":[\"a+b c\"]}");
	query("q=%C3%A9t%C3%A9", 0, "{\"q\":[\"\xc3\xa9t\xc3\xa9\"]}");
	query("q=%e2%82%ac", 0, "{\"q\":[\"\xe2\x82\xac\"]}");
	query("a%5Bb%5D=1", 0, "{\"a[b]\":[\"1\"]}");
	query("overdue", 0, "{\"overdue\":[\"\"]}");
	query("q=", 0, "{\"q\":[\"\"]}");
	query("=x", 0, "{\"\":[\"x\"]}");
	query("&&a=1&&", 0, "{\"a\":[\"1\"]}");
	query("a=1=2", 0, "{\"a\":[\"1=2\"]}");
	query("q=100%", 0, "{\"q\":[\"100%\"]}");
	query("q=%zz%4", 0, "{\"q\":[\"%zz%4\"]}");
	query("q=\"quoted\"\\", 0, "{\"q\":[\"\\\"quoted\\\"\\\\\"]}");
	query("sort=-due_date&tag=x&sort=title", 0,
	      "{\"sort\":[\"-due_date\",\"title\"],\"tag\":[\"x\"]}");
	query("q=%FF", -1, NULL);
	query("q=%C3", -1, NULL);
	query("q=a%00b", -1, NULL);
	query("%FF=1", -1, NULL);
	query("%00=1", -1, NULL);

	/* more shapes: a lone '&', '+' in names, %2B and %26 kept out of the splitting */
	query("&", 0, "{}");
	query("a+b=c+d", 0, "{\"a b\":[\"c d\"]}");
	query("q=a%26b%3Dc", 0, "{\"q\":[\"a&b=c\"]}");
	query("q=%", 0, "{\"q\":[\"%\"]}");
	query("q=%2", 0, "{\"q\":[\"%2\"]}");
	query("q=%41%", 0, "{\"q\":[\"A%\"]}");

	/* hex digits, both cases, nothing else */
	is_int(querystring_hex_digit('0'), 0, "hex: 0");
	is_int(querystring_hex_digit('9'), 9, "hex: 9");
	is_int(querystring_hex_digit('a'), 10, "hex: a");
	is_int(querystring_hex_digit('F'), 15, "hex: F");
	is_int(querystring_hex_digit('g'), -1, "hex: g");
	is_int(querystring_hex_digit('%'), -1, "hex: %%");
	is_int(querystring_hex_digit('\0'), -1, "hex: NUL");
	return done_testing();
}
