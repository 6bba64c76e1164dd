# scripts/c-program.mk - how gateway/ and todoctl/ build, test and clean their C program:
# included by gateway/Makefile and todoctl/Makefile, so the two build alike.
#
#   make            HERE/PROGRAM                          objects in HERE/build/
#   make asan       HERE/PROGRAM-asan (ASan + UBSan)      objects in HERE/build/asan/
#   make test       the unit tests HERE/test/test_*.c (TAP, run by prove), each linked with
#                   every object but main.o; make test-asan: the same under ASan + UBSan
#   make clean
#
# The including Makefile sets, before the include:
#   HERE            its directory. The sources are HERE/src/*.c and HERE/src/*/*.c, found
#                   by wildcard: a new file is built without a change here
#   PROGRAM         the binary's name
#   PKGS            the pkg-config packages it uses (libpq comes from pg_config)
#   PROGRAM_CFLAGS  its own compiler flags (-D...);  PROGRAM_LIBS  its own libraries
#   gen_objs        a function of a build directory: generated objects that join the
#                   program there (their rules are the Makefile's own)
#   obj_deps        a function of a build directory: what each object there depends on too

CC        ?= cc
PG_CONFIG ?= pg_config
PG_INC    := $(shell $(PG_CONFIG) --includedir)
PG_LIB    := $(shell $(PG_CONFIG) --libdir)
PKG_CFLAGS := $(if $(PKGS),$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS  := $(if $(PKGS),$(shell pkg-config --libs $(PKGS)))

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -I$(HERE)/src -I$(PG_INC) $(PKG_CFLAGS) \
             $(PROGRAM_CFLAGS) -MMD -MP
LIBS       = -L$(PG_LIB) -lpq $(PKG_LIBS) $(PROGRAM_LIBS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# test/tap.h, the unit tests' TAP macros
TAP_DIR   := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../test)

# the normal build and the sanitizer build, never mixed
OBJDIR    := $(HERE)/build
ASANDIR   := $(HERE)/build/asan
SRCS      := $(wildcard $(HERE)/src/*.c $(HERE)/src/*/*.c)
TEST_SRCS := $(wildcard $(HERE)/test/test_*.c)

# everything but main(), as an archive the program and the unit tests link with
lib_objs = $(patsubst $(HERE)/src/%.c,$(1)/%.o,$(filter-out $(HERE)/src/main.c,$(SRCS))) \
           $(call gen_objs,$(1))
tests = $(patsubst $(HERE)/test/%.c,$(1)/test/%,$(TEST_SRCS))

.PHONY: all asan test test-asan clean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(HERE)/$(PROGRAM)

asan: $(HERE)/$(PROGRAM)-asan

# The rules of one build: $(1) its directory, $(2) its extra flags, $(3) the program.
define c_program_rules
$(1)/%.o: $(HERE)/src/%.c $(call obj_deps,$(1))
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@

$(1)/lib$(PROGRAM).a: $(call lib_objs,$(1))
	rm -f $$@
	$$(AR) rcs $$@ $$^

$(3): $(1)/main.o $(1)/lib$(PROGRAM).a
	$$(CC) $$(ALL_CFLAGS) $(2) -o $$@ $$^ $$(LIBS)

$(1)/test/%: $(HERE)/test/%.c $(TAP_DIR)/tap.h $(1)/lib$(PROGRAM).a
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_CFLAGS) $(2) -I$(TAP_DIR) -o $$@ $$< $(1)/lib$(PROGRAM).a $$(LIBS)
endef
$(eval $(call c_program_rules,$(OBJDIR),,$(HERE)/$(PROGRAM)))
$(eval $(call c_program_rules,$(ASANDIR),$(SAN_FLAGS),$(HERE)/$(PROGRAM)-asan))

test: $(call tests,$(OBJDIR))
	prove $(PROVE_FLAGS) --exec '' $^

test-asan: $(call tests,$(ASANDIR))
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		prove $(PROVE_FLAGS) --exec '' $^

clean:
	rm -rf $(OBJDIR) $(HERE)/$(PROGRAM) $(HERE)/$(PROGRAM)-asan

-include $(shell find $(OBJDIR) -name '*.d' 2>/dev/null)
