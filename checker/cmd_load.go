package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gochat-course/gochat/checker/lessons"
	"github.com/gochat-course/gochat/checker/load"
)

// runLoad is the load sub-command: it starts a lesson's server (or another), puts a
// chat or echo load on it, and reports throughput, latency, loss and the server's CPU
// and memory; with -vs it does the same for a second server, interleaving the runs.
func runLoad(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	def := load.DefaultConfig()
	var (
		lessonName = fs.String("lesson", "", "the lesson whose server to load: 01, 04 to 10")
		solution   = fs.Bool("solution", false, "load the reference solution instead of lessons/NN-*")
		dir        = fs.String("dir", "", "load the Go main package in this directory instead")
		command    = fs.String("cmd", "", "start the server with this shell command; {port}, {host} and {addr} are filled in")
		addr       = fs.String("addr", "", "load a server already listening at host:port")
		pid        = fs.Int("pid", 0, "with -addr: the server's process id, to read its CPU time and memory")
		flags      = fs.String("flags", "", "extra flags for a Go server (lessons 08-10 get -rate 0 -max-clients N unless this is set)")
		vs         = fs.String("vs", "", "compare with a second server: asyncio (the lesson's asyncio peer), ceiling (the load tool's own limit), a directory (started with the first server's flags), or a command with {port}")
		mode       = fs.String("mode", "", "chat or echo (default: echo for lesson 01, chat otherwise)")
		clients    = fs.Int("clients", def.Clients, "clients that connect and join")
		senders    = fs.Int("senders", def.Senders, "clients that send (chat)")
		messages   = fs.Int("messages", def.Messages, "messages each sender sends")
		size       = fs.Int("size", def.Size, "bytes of text per message")
		window     = fs.Int("window", def.Window, "full speed: messages per sender on their way at once")
		rate       = fs.Float64("rate", 0, "messages per second, all senders together (0: full speed)")
		parallel   = fs.Int("dial-parallel", def.DialParallel, "clients connecting and joining at once")
		joinWait   = fs.Duration("join-timeout", def.JoinTimeout, "how long one client may take to connect and join")
		stall      = fs.Duration("stall", def.Stall, "give up on deliveries after this long without progress")
		timeout    = fs.Duration("timeout", def.Timeout, "bound on each run")
		repeat     = fs.Int("repeat", 1, "runs per server; with -vs they alternate, and medians are reported")
		jsonOut    = fs.String("json", "", "write every run's figures as JSON to this file, for plotting")
		quiet      = fs.Bool("quiet", false, "do not show progress")
		ceilingAt  = fs.String("ceiling-server", "", "(internal) serve the ceiling chat server at this address")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: checker load -lesson NN [-solution] [-vs asyncio] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitUsage
	}
	if *ceilingAt != "" {
		return serveCeiling(*ceilingAt)
	}

	cfg := load.Config{
		Mode: load.Mode(*mode), Clients: *clients, Senders: *senders, Messages: *messages, Size: *size,
		Window: *window, Rate: *rate, DialParallel: *parallel, JoinTimeout: *joinWait, Stall: *stall, Timeout: *timeout,
	}
	if !*quiet {
		cfg.Progress = os.Stderr
		cfg.ProgressTTY = loadTerminal(os.Stderr)
	}
	first, number, err := loadTarget(*lessonName, *solution, *dir, *command, *addr, *pid, *flags, *clients)
	if err != nil {
		fmt.Fprintln(os.Stderr, "checker load:", err)
		return exitUsage
	}
	if cfg.Mode == "" {
		switch {
		case number == 1:
			cfg.Mode = load.Echo
		case number == 2 || number == 3:
			fmt.Fprintf(os.Stderr, "checker load: lesson %02d's protocol is neither echo nor chat; the load tool speaks those two (-mode echo or -mode chat)\n", number)
			return exitUsage
		default:
			cfg.Mode = load.Chat
		}
	}
	servers := []load.Server{first}
	if *vs != "" {
		second, err := loadVersus(*vs, cfg.Mode, first.Flags)
		if err != nil {
			fmt.Fprintln(os.Stderr, "checker load:", err)
			return exitUsage
		}
		servers = append(servers, second)
	}
	if cfg.Mode == load.Chat && number >= 5 && *senders**window >= 256 && *rate == 0 {
		fmt.Fprintf(os.Stderr, "checker load: warning: %d senders x window %d reaches the server's 256-line queue; receivers may be disconnected as too slow\n", *senders, *window)
	}

	session := &load.Session{Config: cfg, Servers: servers, Repeat: *repeat, Out: os.Stdout}
	rep, err := session.Run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "checker load:", err)
		return exitUsage
	}
	if *jsonOut != "" {
		if err := writeLoadJSON(*jsonOut, rep); err != nil {
			fmt.Fprintln(os.Stderr, "checker load:", err)
			return exitUsage
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "checker load: interrupted; the server was stopped")
		return exitFail
	}
	for _, r := range rep.Runs {
		if !r.OK() {
			return exitFail
		}
	}
	return exitPass
}

// loadTarget turns the flags into the server to load, and the lesson's number (0 when
// no lesson was named).
func loadTarget(lessonName string, solution bool, dir, command, addr string, pid int, flags string, clients int) (load.Server, int, error) {
	number := 0
	var slug string
	if lessonName != "" {
		lesson, err := lessons.Find(lessonName)
		if err != nil {
			return load.Server{}, 0, err
		}
		number, slug = lesson.Number, lesson.Slug
	}
	set := 0
	for _, s := range []string{dir, command, addr} {
		if s != "" {
			set++
		}
	}
	if set > 1 || set == 1 && solution {
		return load.Server{}, 0, errors.New("choose one of -solution, -dir, -cmd and -addr")
	}
	serverFlags := strings.Fields(flags)
	if flags == "" && number >= 8 {
		// From lesson 08 on, a server limits each client's rate and the number of
		// clients; a load test wants neither.
		serverFlags = []string{"-rate", "0", "-max-clients", fmt.Sprint(clients + 100)}
	}
	switch {
	case addr != "":
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return load.Server{}, 0, fmt.Errorf("-addr %q: %w", addr, err)
		}
		return load.Server{Label: addr, Addr: addr, Pid: pid}, number, nil
	case command != "":
		if !strings.Contains(command, "{port}") && !strings.Contains(command, "{addr}") {
			return load.Server{}, 0, fmt.Errorf("-cmd %q has no {port} or {addr}: the load tool starts the server on a free port and must tell it which", command)
		}
		return load.Server{Label: firstWord(command), Command: command}, number, nil
	case dir != "":
		return load.Server{Label: dir, Dir: dir, Flags: serverFlags}, number, nil
	case slug == "":
		return load.Server{}, 0, errors.New("which server? For example: checker load -lesson 04 -solution (or make load LESSON=04 SOLUTION=1)")
	}
	root := "lessons"
	if solution {
		root = "solutions"
	}
	d := filepath.Join(root, slug)
	if _, err := os.Stat(d); err != nil {
		return load.Server{}, 0, fmt.Errorf("cannot find %s: run the load tool from the repository's top directory (make load does)", d)
	}
	return load.Server{Label: d, Dir: d, Flags: serverFlags}, number, nil
}

// loadVersus is the server named by -vs. A directory is taken to be another version of
// the first server, such as last week's copy of the same lesson, so it is started with
// the same flags.
func loadVersus(vs string, mode load.Mode, flags []string) (load.Server, error) {
	switch vs {
	case "asyncio":
		if _, err := exec.LookPath("python3"); err != nil {
			return load.Server{}, errors.New("-vs asyncio needs python3 on the PATH")
		}
		script := "docs/asyncio/budget_chat.py"
		if mode == load.Echo {
			script = "docs/asyncio/echo.py"
		}
		if _, err := os.Stat(script); err != nil {
			return load.Server{}, fmt.Errorf("cannot find %s: run the load tool from the repository's top directory", script)
		}
		return load.Server{Label: "asyncio", Argv: []string{"python3", script, "--host", "{host}", "--port", "{port}"}}, nil
	case "ceiling":
		if mode != load.Chat {
			return load.Server{}, errors.New("-vs ceiling is a chat server: use it with a chat lesson")
		}
		self, err := os.Executable()
		if err != nil {
			return load.Server{}, err
		}
		return load.Server{Label: "ceiling", Argv: []string{self, "load", "-ceiling-server", "{addr}"}}, nil
	}
	if info, err := os.Stat(vs); err == nil && info.IsDir() {
		return load.Server{Label: vs, Dir: vs, Flags: flags}, nil
	}
	if !strings.Contains(vs, "{port}") && !strings.Contains(vs, "{addr}") {
		return load.Server{}, fmt.Errorf("-vs %q is not asyncio, ceiling, a directory, or a command with {port} or {addr}", vs)
	}
	return load.Server{Label: firstWord(vs), Command: vs}, nil
}

// serveCeiling runs the ceiling server until the process is stopped.
func serveCeiling(addr string) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "checker load:", err)
		return exitUsage
	}
	fmt.Fprintf(os.Stderr, "ceiling: listening on %s\n", ln.Addr())
	if err := load.ServeCeiling(ln); err != nil {
		fmt.Fprintln(os.Stderr, "checker load:", err)
		return exitFail
	}
	return exitPass
}

func firstWord(command string) string {
	f := strings.Fields(command)
	if len(f) == 0 {
		return command
	}
	return filepath.Base(f[0])
}

// loadTerminal reports whether f is a terminal, where progress redraws one line.
func loadTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// writeLoadJSON writes rep as indented JSON to the file name, or to standard output for "-".
func writeLoadJSON(name string, rep *load.Report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if name == "-" {
		_, err = os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(name, data, 0o644)
}
