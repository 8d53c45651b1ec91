package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gochat-course/gochat/checker/lessons"
)

// runWatch is the watch command: check a lesson, then again whenever its files are
// saved or Enter is pressed, until interrupted.
func runWatch(ctx context.Context, args []string, sio stdio) int {
	cfg := checkConfig{root: "."}
	flags := newFlagSet("watch", "checker watch -lesson NN [-files PATHS] [check flags]", sio)
	cfg.register(flags)
	files := flags.String("files", "", "comma-separated files or directories to watch (default: the lesson's directory)")
	interval := flags.Duration("interval", 300*time.Millisecond, "how often to look for saved files")
	if code, ok := parseWithLesson(flags, args, &cfg.lesson); !ok {
		return code
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	if cfg.lesson == "" {
		fmt.Fprintln(sio.err, "checker: which lesson? For example: make watch LESSON=01")
		return exitUsage
	}
	lesson, err := lessons.Find(cfg.lesson)
	if err != nil {
		fmt.Fprintln(sio.err, "checker:", err)
		return exitUsage
	}
	tgt, ok := lessonTarget(cfg, lesson, sio)
	if !ok {
		return exitUsage
	}
	var paths []string
	for _, p := range strings.Split(*files, ",") {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 && tgt.Dir != "" {
		paths = []string{tgt.Dir}
	}
	what := "nothing (add FILES=... to re-run on save)"
	if len(paths) > 0 {
		what = strings.Join(paths, ", ")
	}

	// The check's own output files must not trigger the next run.
	outputs := map[string]bool{}
	for _, f := range []string{cfg.jsonOut, cfg.junitOut, cfg.transcript} {
		if abs, err := filepath.Abs(f); f != "" && f != "-" && err == nil {
			outputs[abs] = true
		}
	}
	w := watcher{
		snapshot: func() (snapshot, error) { return takeSnapshot(paths, outputs) },
		interval: *interval,
		in:       sio.in,
		run: func(ctx context.Context, why string) {
			if sio.tty {
				fmt.Fprint(sio.out, "\x1b[H\x1b[2J") // a fresh screen for each run
			}
			fmt.Fprintf(sio.out, "[%s] %s\n", time.Now().Format("15:04:05"), why)
			checkLesson(ctx, cfg, lesson, sio)
		},
		idle: func() {
			fmt.Fprintf(sio.out, "\nwatching %s: save to re-run, press Enter to re-run now, Ctrl-C to stop\n", what)
		},
		restart: func(why string) {
			fmt.Fprintf(sio.out, "\n%s: stopping this run to start again\n", why)
		},
	}
	w.loop(ctx)
	fmt.Fprintln(sio.out, "\nstopped watching; every server the checker started was stopped")
	return exitPass
}

// watcher re-runs a check whenever the watched files change or a line arrives on its
// input, one run at a time: a trigger during a run cancels it and starts a new one.
//
// It polls the files' sizes and modification times rather than asking the operating
// system for change events: polling works the same on every system and on every
// filesystem (network drives, containers, virtual machines' shared folders), and a few
// dozen stat calls every 300ms cost nothing.
type watcher struct {
	snapshot func() (snapshot, error)
	interval time.Duration
	in       io.Reader // each line read triggers a run; nil for none

	run     func(ctx context.Context, why string) // runs a check; returns soon after ctx is cancelled
	idle    func()                                // a run finished: say what happens next
	restart func(why string)                      // a trigger arrived during a run, which is being cancelled
}

// loop runs the check once, then again on every trigger, until ctx is cancelled. It
// returns only after the running check has returned.
func (w *watcher) loop(ctx context.Context) {
	triggers := make(chan string, 1)
	// The first snapshot is taken before the first run, so that a save during that run
	// is seen.
	first, _ := w.snapshot()
	go w.poll(ctx, first, triggers)
	if w.in != nil {
		// NOTE: a read from a terminal cannot be cancelled, so this goroutine lives until
		// the input ends; it never blocks anything else, since its sends never wait.
		go readLines(w.in, triggers)
	}
	why := "checking"
	for {
		runCtx, cancel := context.WithCancel(ctx)
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			w.run(runCtx, why)
		}()
		select {
		case <-finished:
			w.idle()
			select {
			case why = <-triggers:
			case <-ctx.Done():
			}
		case why = <-triggers:
			w.restart(why)
		case <-ctx.Done():
		}
		cancel()
		<-finished
		if ctx.Err() != nil {
			return
		}
	}
}

// poll compares snapshots every interval and triggers a run when the files have changed
// and then stayed the same for one interval, so that an editor's save in several steps
// (write a temporary file, rename it) causes one run, not two.
func (w *watcher) poll(ctx context.Context, last snapshot, triggers chan<- string) {
	ticker := time.NewTicker(w.interval)
	defer ticker.Stop()
	var pending snapshot // changed since last, waiting to settle
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		now, err := w.snapshot()
		if err != nil {
			continue // a file vanished during the walk, mid-save: look again next time
		}
		switch {
		case pending != nil && maps.Equal(now, pending):
			trigger(triggers, changed(last, now)+" changed")
			last, pending = now, nil
		case pending != nil || !maps.Equal(now, last):
			pending = now
		}
	}
}

// readLines triggers a run for every line read from in, until in ends.
func readLines(in io.Reader, triggers chan<- string) {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		trigger(triggers, "Enter pressed")
	}
}

// trigger asks for a run without waiting: if one is already asked for, that one will do.
func trigger(triggers chan<- string, why string) {
	select {
	case triggers <- why:
	default:
	}
}

// snapshot is the size and modification time of every watched file, by path.
type snapshot map[string]stamp

type stamp struct {
	size    int64
	modTime int64 // nanoseconds
}

// takeSnapshot stats every file under paths, skipping hidden files and directories,
// editors' temporary files, Markdown (a README edit is not a reason to re-run) and the
// files in skip, by absolute path.
func takeSnapshot(paths []string, skip map[string]bool) (snapshot, error) {
	snap := snapshot{}
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != root && ignored(d.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if abs, err := filepath.Abs(path); err == nil && skip[abs] {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			snap[path] = stamp{size: info.Size(), modTime: info.ModTime().UnixNano()}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// ignored reports whether a file or directory name is not worth watching.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || // hidden, Emacs autosave
		strings.HasSuffix(name, "~") || strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".swx") || // backups, vim
		name == "4913" || // vim's test of whether it may write the directory
		strings.HasSuffix(name, ".md") || name == "__pycache__"
}

// changed names the files that differ between two snapshots, for the run's first line.
func changed(before, after snapshot) string {
	var names []string
	for path, st := range after {
		if old, ok := before[path]; !ok || old != st {
			names = append(names, filepath.Base(path))
		}
	}
	for path := range before {
		if _, ok := after[path]; !ok {
			names = append(names, filepath.Base(path))
		}
	}
	sort.Strings(names)
	switch {
	case len(names) == 0:
		return "a file"
	case len(names) > 3:
		return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
	}
	return strings.Join(names, ", ")
}
