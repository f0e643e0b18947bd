# Loket — plain GNU make.  `make` builds build/loket; `make test` runs every
# test twice (normal build, then ASan+UBSan in build-san/); `make run` starts
# the server on the example config.  BUILD= picks the object directory so a
# sanitizer build never mixes with the normal one.  V=1 prints the full
# commands instead of "CC bot/x.c".

CC      ?= cc
BUILD   ?= build
PKGS    := libwebsockets jansson libcurl sqlite3
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

.PHONY: all deps run test unit clean bench install soak
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

unit: $(BUILD)/loket $(TESTS)

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

# The 10-minute crash soak: SIGKILL every 10-20 s under load, every id
# checked (tests/integration/test_crash.py; make test runs a short form).
soak: all
	LOKET_SOAK=$${LOKET_SOAK:-600} LOKET_BIN=$(BUILD)/loket \
	    python3 tests/integration/test_crash.py

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
	rm -rf $(BUILD) $(if $(filter command line,$(origin BUILD)),,build-san)

-include $(OBJS:.o=.d) $(TESTS:=.d)
