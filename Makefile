# Loket — plain GNU make.  `make` builds build/loket; `make test` runs every
# test twice (normal build, then ASan+UBSan in build-san/); `make run` starts
# the server on the example config.  BUILD= picks the object directory so a
# sanitizer build never mixes with the normal one.  V=1 prints the full
# commands instead of "CC bot/x.c".

CC      ?= cc
BUILD   ?= build
PKGS    := libwebsockets jansson libcurl sqlite3 libpq
VERSION := 0.1.0

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	   -Wno-unused-parameter
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	   -DLOKET_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) \
	   $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Ibot -MMD -MP
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lcrypto \
	   -lpthread -lm

ifeq ($(V),1)
Q :=
quiet = @:
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
Q := @
quiet = @:
else
Q := @
quiet = @printf '  %-6s %s\n'
endif

ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=address,undefined
endif

SRCS      := $(wildcard bot/*.c)
OBJS      := $(patsubst bot/%.c,$(BUILD)/obj/%.o,$(SRCS))
LIB_OBJS  := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TESTS     := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

# Fuzz targets (tests/fuzz/fuzz_NAME.c): `make test` replays each one's
# kept inputs with the normal compiler (test_fuzz_NAME); `make fuzz` builds
# them with clang's libFuzzer in build-fuzz/ and searches FUZZ_SECONDS each.
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAYS := $(patsubst %,$(BUILD)/tests/test_fuzz_%,$(FUZZ_NAMES))
FUZZ_HDRS    := $(wildcard tests/fuzz/*.h)
FUZZ_SECONDS ?= 60
ifeq ($(FUZZ),1)
CC         := clang
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined \
	      -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

.PHONY: all deps run test unit clean bench install fuzz fuzz-bins
all: $(BUILD)/loket

$(BUILD)/obj/%.o: bot/%.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# Written under a temporary name and renamed: a parallel link never sees a
# half-written archive.
$(BUILD)/libloket.a: $(LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@.tmp && ar rcs $@.tmp $^ && mv $@.tmp $@

$(BUILD)/loket: $(BUILD)/obj/main.o $(BUILD)/libloket.a
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# -MMD writes $@.d: a test is rebuilt when a header it includes changes.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libloket.a
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< \
		$(BUILD)/libloket.a $(LDLIBS)

$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c \
    $(BUILD)/libloket.a $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Itests/fuzz \
		-DFUZZ_NAME='"$*"' $(LDFLAGS) -o $@ tests/fuzz/replay.c $< \
		$(BUILD)/libloket.a $(LDLIBS)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libloket.a $(FUZZ_HDRS)
	$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -Itests/fuzz \
		-fsanitize=fuzzer -o $@ $< $(BUILD)/libloket.a $(LDLIBS)

fuzz-bins: $(patsubst %,$(BUILD)/fuzz_%,$(FUZZ_NAMES))

unit: $(BUILD)/loket $(TESTS) $(FUZZ_REPLAYS)

# Installs (as root) or names the Debian packages that are missing.
deps:
	@deploy/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	LOKET_DB=$${LOKET_DB:-loket.db} \
	LOKET_APP_SECRET=$${LOKET_APP_SECRET:-dev-secret} \
	LOKET_VERIFY_TOKEN=$${LOKET_VERIFY_TOKEN:-dev-token} \
	LOKET_GRAPH_URL=$${LOKET_GRAPH_URL:-log:} \
	$(BUILD)/loket serve --config deploy/loket.conf

test: deps
	@tests/run.sh

# Needs Debian's clang (installed by `deploy/install-deps.sh fuzz` as
# root).  New inputs go to build-fuzz/corpus/NAME, crashes to
# tests/fuzz/crashes/NAME/ (keep them: make test replays them).
fuzz:
	@deploy/install-deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 BUILD=build-fuzz fuzz-bins
	@tests/fuzz/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

bench: all
	@for b in tests/bench/*.sh; do echo "== $$b"; $$b || exit 1; done

# Installs what deploy/loket.service expects: the binary, and the phrase
# files, reply texts and console under $(PREFIX)/share/loket.
PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/loket
	install -m 0755 $(BUILD)/loket $(DESTDIR)$(PREFIX)/bin/loket
	cp -R intents locales $(DESTDIR)$(PREFIX)/share/loket/
	cp -R console $(DESTDIR)$(PREFIX)/share/loket/
	install -d $(DESTDIR)/etc/loket
	[ -f $(DESTDIR)/etc/loket/loket.conf ] || install -m 0644 \
	    deploy/loket.conf $(DESTDIR)/etc/loket/loket.conf

# `make clean` removes both builds; `make clean BUILD=dir` only that one.
clean:
	rm -rf $(BUILD) $(if $(filter command line,$(origin BUILD)),,build-san build-fuzz)

-include $(OBJS:.o=.d) $(TESTS:=.d)
