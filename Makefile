# The course's commands. Run them from this directory.
#
#   make check LESSON=01            check your lesson 01 server
#   make check LESSON=01 SOLUTION=1 check the reference solution instead
#   make check                      check the first lesson that does not pass yet
#   make progress                   every lesson, pass or fail, in one table
#   make watch LESSON=01            re-check lesson 01 each time you save one of its files
#   make hint LESSON=01             the next hint for lesson 01 (HINT=all, HINT=reset, HINT=3)
#   make solution-diff LESSON=01    your lesson 01 code against the reference solution
#   make test                       the project's own tests (gofmt, go vet, go test -race)
#
# Optional variables for check: RUN (scenario names, a regular expression), SEED, COUNT,
# TIMESCALE (stretch deadlines on a slow machine), CMD (a start command for a server in
# another language, with {port}), ADDR (attach to a running server), DIR (another Go
# package), JSON (write results to a file), JUNIT (JUnit XML to a file), TRANSCRIPT
# (save every transcript), V=1. watch takes the same, and FILES (what to watch, for CMD).
# progress takes SOLUTION, TIMESCALE, JSON and PARALLEL (lessons checked at once).
# docs/checker.md documents every flag.
#
#   make load LESSON=10 SOLUTION=1 VS=asyncio   load-test a chat server against its asyncio peer
#   make bench                                 the Go benchmarks of the hot paths
#
# Optional variables for load: CLIENTS, SENDERS, MESSAGES, SIZE, WINDOW, RATE (messages per
# second; unset: full speed), REPEAT (interleaved runs per server), VS (asyncio, ceiling, a
# directory or a command with {port}), FLAGS (extra server flags), MODE, CMD, ADDR, PID,
# DIR, JSON. docs/performance.md explains the figures.

GO      ?= go
CHECKER := bin/checker

# -race needs cgo; without a C compiler, test without it rather than not at all.
RACE := $(if $(filter 1,$(shell $(GO) env CGO_ENABLED)),-race,)

.PHONY: check checker test fmt-check vet selftest progress watch hint solution-diff

# The flags of check and watch, from the variables above.
CHECK_FLAGS = $(if $(LESSON),-lesson $(LESSON)) \
	$(if $(SOLUTION),-solution) $(if $(RUN),-run '$(RUN)') $(if $(SEED),-seed $(SEED)) \
	$(if $(COUNT),-count $(COUNT)) $(if $(TIMESCALE),-timescale $(TIMESCALE)) \
	$(if $(CMD),-cmd '$(CMD)') $(if $(ADDR),-addr $(ADDR)) $(if $(DIR),-dir $(DIR)) \
	$(if $(JSON),-json $(JSON)) $(if $(JUNIT),-junit $(JUNIT)) \
	$(if $(TRANSCRIPT),-transcript $(TRANSCRIPT)) $(if $(V),-v)

checker:
	@$(GO) build -o $(CHECKER) ./checker

check: checker
	@$(CHECKER) check $(CHECK_FLAGS) $(if $(PARALLEL),-parallel $(PARALLEL))

progress: checker
	@$(CHECKER) progress $(if $(SOLUTION),-solution) $(if $(TIMESCALE),-timescale $(TIMESCALE)) \
		$(if $(PARALLEL),-parallel $(PARALLEL)) $(if $(JSON),-json $(JSON))

watch: checker
	@$(CHECKER) watch $(CHECK_FLAGS) $(if $(FILES),-files '$(FILES)')

hint: checker
	@$(CHECKER) hint $(if $(LESSON),-lesson $(LESSON)) \
		$(if $(filter all,$(HINT)),-all,$(if $(filter reset,$(HINT)),-reset,$(if $(HINT),-n $(HINT))))

solution-diff: checker
	@$(CHECKER) diff $(if $(LESSON),-lesson $(LESSON))

test: fmt-check vet
	$(GO) test $(RACE) -count=1 ./...

fmt-check:
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change these files:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

# selftest proves every lesson's check fair: solutions pass, skeletons fail, and each
# broken variant fails on the scenario meant to catch it.
# It prints one line per proof and keeps go test's exit status.
selftest:
	@mkdir -p .check
	@$(GO) test $(RACE) -count=1 -run 'TestLesson' -v ./checker/lessons/ > .check/selftest.log 2>&1; \
	status=$$?; \
	grep -E '^\s*--- (PASS|FAIL|SKIP)|^(ok|FAIL)\s' .check/selftest.log | sed 's/^    //'; \
	if [ $$status -ne 0 ]; then echo "selftest failed: the full log is in .check/selftest.log"; fi; \
	exit $$status

.PHONY: load bench

# load builds the server without the race detector: figures of a -race build mean nothing.
load: checker
	@$(CHECKER) load $(if $(LESSON),-lesson $(LESSON)) $(if $(SOLUTION),-solution) \
		$(if $(DIR),-dir $(DIR)) $(if $(CMD),-cmd '$(CMD)') $(if $(ADDR),-addr $(ADDR)) $(if $(PID),-pid $(PID)) \
		$(if $(VS),-vs '$(VS)') $(if $(MODE),-mode $(MODE)) $(if $(FLAGS),-flags '$(FLAGS)') \
		$(if $(CLIENTS),-clients $(CLIENTS)) $(if $(SENDERS),-senders $(SENDERS)) \
		$(if $(MESSAGES),-messages $(MESSAGES)) $(if $(SIZE),-size $(SIZE)) $(if $(WINDOW),-window $(WINDOW)) \
		$(if $(RATE),-rate $(RATE)) $(if $(REPEAT),-repeat $(REPEAT)) $(if $(JSON),-json $(JSON))

# bench runs every benchmark (BENCH narrows them, a regular expression) without the tests.
bench:
	$(GO) test -run '^$$' -bench '$(or $(BENCH),.)' -benchmem ./checker/load/ ./solutions/...
