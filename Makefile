# The course's commands. Run them from this directory.
#
#   make check LESSON=01            check your lesson 01 server
#   make check LESSON=01 SOLUTION=1 check the reference solution instead
#   make test                       the project's own tests (gofmt, go vet, go test -race)
#
# Optional variables for check: RUN (scenario names, a regular expression), SEED, COUNT,
# TIMESCALE (stretch deadlines on a slow machine), CMD (a start command for a server in
# another language, with {port}), ADDR (attach to a running server), DIR (another Go
# package), JSON (write results to a file), TRANSCRIPT (save every transcript), V=1.

GO      ?= go
CHECKER := bin/checker

# -race needs cgo; without a C compiler, test without it rather than not at all.
RACE := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race,)

.PHONY: check checker test fmt-check vet selftest

checker:
	@$(GO) build -o $(CHECKER) ./checker

check: checker
	@$(CHECKER) check $(if $(LESSON),-lesson $(LESSON)) \
		$(if $(SOLUTION),-solution) $(if $(RUN),-run '$(RUN)') $(if $(SEED),-seed $(SEED)) \
		$(if $(COUNT),-count $(COUNT)) $(if $(TIMESCALE),-timescale $(TIMESCALE)) \
		$(if $(CMD),-cmd '$(CMD)') $(if $(ADDR),-addr $(ADDR)) $(if $(DIR),-dir $(DIR)) \
		$(if $(JSON),-json $(JSON)) $(if $(TRANSCRIPT),-transcript $(TRANSCRIPT)) $(if $(V),-v)

test: fmt-check vet
	$(GO) test $(RACE) -count=1 ./...

fmt-check:
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change these files:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

# selftest proves every lesson's check fair: solutions pass, skeletons fail, and each
# broken variant fails on the scenario meant to catch it.
selftest:
	$(GO) test $(RACE) -count=1 -run 'TestLesson' -v ./checker/lessons/ | grep -E '^(=== RUN|--- (PASS|FAIL)|ok|FAIL|PASS)' | grep -v '=== RUN'
