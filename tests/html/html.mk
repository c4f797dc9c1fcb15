# make html-test: the timeline page (src/timeline/timeline.html) in Debian's chromium, headless, driven by
# playwright-core from npm at the version tests/html/package-lock.json pins (tests/html/test_timeline.js).
# Included by the Makefile, whose OUT and apt-install it uses.
HTML_DIR := $(OUT)/html
# nodejs packaged elsewhere may bring npm along; Debian ships it apart.
HTML_PACKAGES := chromium nodejs $(if $(shell command -v npm),,npm)
HTML_TESTS := tests/html/test_timeline.js
# What the test runs to have pages written by the C writer (html_write) from known histories.
HTML_BINS := $(OUT)/tests/write_page
.PHONY: html-deps html-test

# After deps: two apt-get runs at once (make -j) would fight over dpkg's lock.
html-deps: deps
	$(call apt-install,$(HTML_PACKAGES),html-test)
	$(MAKE) --no-print-directory $(HTML_DIR)/node_modules/.package-lock.json

# npm ci into build/html, from the lock file alone; again only when it changes. playwright-core downloads no
# browser: the test runs /usr/bin/chromium.
$(HTML_DIR)/node_modules/.package-lock.json: tests/html/package.json tests/html/package-lock.json
	mkdir -p $(HTML_DIR) && cp tests/html/package.json tests/html/package-lock.json $(HTML_DIR)/
	cd $(HTML_DIR) && npm ci --no-audit --no-fund
	touch $@

$(OUT)/tests/write_page: tests/html/write_page.c $(OUT)/html.o $(OUT)/timeline_page.o $(OUT)/escape.o \
	$(OUT)/errnos.o $(OUT)/signals.o $(OUT)/timefmt.o | $(OUT)/tests
	$(CC) $(CFLAGS) $^ -o $@

html-test: html-deps $(HTML_BINS) $(OUT)/exectrace
	prove -v -e '' $(HTML_TESTS)
