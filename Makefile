# Parley's developer commands. `make test` is what CI runs (.ci/run).
GO ?= go
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: demo test unit lint e2e build bench

demo:
	$(GO) run ./cmd/parley serve --demo

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o parley ./cmd/parley

# Every test: formatting, vet, staticcheck, the Go suite with -race on
# SQLite and PostgreSQL, and the browser tests.
test: lint unit e2e

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

unit:
	TZ=Asia/Yerevan $(GO) test -race -count=1 -timeout 15m ./...

e2e:
	bash e2e/run.sh
	bash e2e/moderation/run.sh

bench:
	bash bench/run.sh
