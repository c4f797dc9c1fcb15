# The man page, the bash completion, make install / uninstall and make deb (packaging/, man/, debian/).
# Included by the Makefile, whose OUT, VERSION, COMMIT and apt-install it uses.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/exectrace
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# Not under PREFIX: systemd reads the unit's settings, and logrotate its snippets, from /etc only.
SYSCONFDIR ?= /etc
# What make deb and the packaging tests need beyond the build's DEPS.
PKG_DEPS := debhelper lintian logrotate systemd man-db groff-base strace
DEB_DIR := $(OUT)/deb
# The man page and --help, the completion, install and the unit, the Debian package (the slowest, last).
PKG_TESTS := tests/pkg/test_doc.py tests/pkg/test_completion.py tests/pkg/test_install.py tests/pkg/test_deb.py
.PHONY: doc install uninstall pkg-deps deb pkg-test

doc: $(OUT)/exectrace.8 $(OUT)/exectrace.bash

# scdoc's roff, tidied so that mandoc -Tlint finds nothing to say (man/tidy_roff.py).
$(OUT)/exectrace.8: man/exectrace.8.scd man/tidy_roff.py | $(OUT)
	sed 's/@VERSION@/$(VERSION)/' $< > $@.scd && scdoc < $@.scd > $@.roff && \
		python3 man/tidy_roff.py < $@.roff > $@.tmp && rm $@.scd $@.roff && mv $@.tmp $@

# The options and their arguments as exectrace --help lists them: a new option completes without an edit here.
$(OUT)/exectrace.bash: packaging/exectrace.bash.in packaging/gen_completion.py $(OUT)/exectrace
	$(OUT)/exectrace --help > $@.help && $(OUT)/exectrace report --help > $@.report-help && \
		python3 packaging/gen_completion.py $< $@.report-help < $@.help > $@.tmp && \
		rm $@.help $@.report-help && mv $@.tmp $@

# The record formats, the metrics and the pictures, which the man page points to.
INSTALLED_DOCS := docs/output.md docs/metrics.md docs/tree.md docs/timeline.md docs/perfetto.md

install: $(OUT)/exectrace $(OUT)/exectrace.8 $(OUT)/exectrace.bash
	install -D -m 0755 $(OUT)/exectrace $(DESTDIR)$(SBINDIR)/exectrace
	install -D -m 0644 $(OUT)/exectrace.8 $(DESTDIR)$(MANDIR)/man8/exectrace.8
	install -D -m 0644 $(OUT)/exectrace.bash $(DESTDIR)$(BASHCOMPDIR)/exectrace
	@# The unit names the paths as installed, where DESTDIR is no longer part of them.
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' packaging/exectrace.service.in > \
		$(DESTDIR)$(SYSTEMDUNITDIR)/exectrace.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/exectrace.service
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR) $(INSTALLED_DOCS)
	install -D -m 0644 packaging/exectrace.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/exectrace
	@# The settings are the operator's once installed: an upgrade leaves them as they are.
	if [ -e $(DESTDIR)$(SYSCONFDIR)/default/exectrace ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/default/exectrace"; \
	else install -D -m 0644 packaging/exectrace.default $(DESTDIR)$(SYSCONFDIR)/default/exectrace; fi

# The settings stay if the operator changed them, as dpkg keeps a changed configuration file.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/exectrace $(DESTDIR)$(MANDIR)/man8/exectrace.8 \
		$(DESTDIR)$(BASHCOMPDIR)/exectrace $(DESTDIR)$(SYSTEMDUNITDIR)/exectrace.service \
		$(INSTALLED_DOCS:docs/%=$(DESTDIR)$(DOCDIR)/%) $(DESTDIR)$(SYSCONFDIR)/logrotate.d/exectrace
	if [ -d $(DESTDIR)$(DOCDIR) ]; then rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR); fi
	if cmp -s packaging/exectrace.default $(DESTDIR)$(SYSCONFDIR)/default/exectrace; then \
		rm $(DESTDIR)$(SYSCONFDIR)/default/exectrace; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/default/exectrace ]; then \
		echo "kept $(DESTDIR)$(SYSCONFDIR)/default/exectrace: changed since it was installed"; fi

pkg-test: pkg-deps $(OUT)/exectrace doc
	prove -v -e '' $(PKG_TESTS)

pkg-deps: deps
	$(call apt-install,$(PKG_DEPS),make deb)

# Built from a copy of the tree (its tracked and new files) under $(DEB_DIR), where dpkg-buildpackage leaves
# the .deb beside it, outside the tree.
deb: pkg-deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && COMMIT=$(COMMIT) dpkg-buildpackage -b -us -uc
	lintian --fail-on error $(DEB_DIR)/*.changes
