/* test_version.c - which version strings are valid, and their order. */
#include "tap.h"
#include "migrate/version.h"

int
main(void)
{
	ok(version_valid("1.0"), "1.0 is a version");
	ok(version_valid("1.1-beta_2"), "letters, digits, '.', '_' and '-' make a version");
	ok(!version_valid(""), "an empty string is not");
	ok(!version_valid("1--2"), "\"--\" is not allowed (it separates versions in script names)");
	ok(!version_valid("-1"), "a leading '-' is not allowed");
	ok(!version_valid("1-"), "a trailing '-' is not allowed");
	ok(!version_valid("../1"), "'/' is not allowed (a version becomes part of a file name)");
	ok(!version_valid("1 0"), "white space is not allowed");
	ok(!version_valid("1234567890123456789012345678901234567890123456789012345678901234"),
	   "64 characters are too many");
	is_int(version_compare("1.0", "1.0"), 0, "1.0 = 1.0");
	is_int(version_compare("1.0", "1.1"), -1, "1.0 < 1.1");
	is_int(version_compare("1.10", "1.9"), 1, "1.10 > 1.9 (numeric parts by value)");
	is_int(version_compare("1.01", "1.1"), 0, "1.01 = 1.1 (leading zeros)");
	is_int(version_compare("2.0", "10.0"), -1, "2.0 < 10.0");
	is_int(version_compare("1.1", "1.1.1"), -1, "a prefix comes first: 1.1 < 1.1.1");
	is_int(version_compare("9.9.123", "1.1"), 1, "9.9.123 > 1.1");
	is_int(version_compare("1.1", "1.1x"), -1, "non-numeric parts as strings: 1.1 < 1.1x");
	is_int(version_compare("1.a", "1.b"), -1, "1.a < 1.b");
	return done_testing();
}
