//go:build unix

package target

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuild(t *testing.T) {
	t.Run("a directory that does not exist is named in the error, with the reason", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "nowhere")
		_, err := BuildWithoutRace(context.Background(), missing, t.TempDir())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "go build in "+missing+" failed")
		assert.Contains(t, err.Error(), "no such file or directory")
	})
	t.Run("a package with a go.mod of its own builds outside this module", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module elsewhere\n\ngo 1.23\n"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644))
		bin, err := BuildWithoutRace(context.Background(), dir, t.TempDir())
		require.NoError(t, err)
		assert.True(t, filepath.IsAbs(bin))
		assert.FileExists(t, bin)
	})
}

func TestExpand(t *testing.T) {
	got := Expand("python3 server.py --host {host} --port {port} # {addr}", "127.0.0.1:4000")
	assert.Equal(t, "python3 server.py --host 127.0.0.1 --port 4000 # 127.0.0.1:4000", got)
}

func TestOutput(t *testing.T) {
	t.Run("keeps short output whole", func(t *testing.T) {
		var o output
		o.Write([]byte("hello\n"))
		assert.Equal(t, "hello\n", o.String())
	})
	t.Run("keeps the head and the tail of long output", func(t *testing.T) {
		var o output
		o.Write([]byte("START"))
		for i := 0; i < 10_000; i++ {
			o.Write([]byte("0123456789abcdef"))
		}
		o.Write([]byte("END"))
		s := o.String()
		assert.True(t, strings.HasPrefix(s, "START"))
		assert.True(t, strings.HasSuffix(s, "END"))
		assert.Contains(t, s, "bytes left out")
		assert.LessOrEqual(t, len(s), maxOutput+100)
	})
}

func TestStart(t *testing.T) {
	t.Run("reports a server that exits before listening, with its output", func(t *testing.T) {
		addr, err := FreeAddr()
		require.NoError(t, err)
		_, err = Start(context.Background(), ShellCommand("echo cannot bind >&2; exit 3"), addr, 5*time.Second)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "exited before it listened")
		assert.Contains(t, err.Error(), "cannot bind")
	})

	t.Run("stops the whole process group", func(t *testing.T) {
		if _, err := exec.LookPath("python3"); err != nil {
			t.Skip("needs python3 to play a server")
		}
		addr, err := FreeAddr()
		require.NoError(t, err)
		host, port, _ := net.SplitHostPort(addr)
		pidFile := filepath.Join(t.TempDir(), "child.pid")
		// A shell starts a child, then becomes a listening server: the child must not
		// outlive Stop.
		cmd := fmt.Sprintf(`sleep 300 & echo $! > %s; exec python3 -c 'import socket,time; s=socket.socket(); s.bind(("%s", %s)); s.listen(); time.sleep(300)'`,
			pidFile, host, port)
		p, err := Start(context.Background(), ShellCommand(cmd), addr, 10*time.Second)
		require.NoError(t, err)
		raw, err := os.ReadFile(pidFile)
		require.NoError(t, err)
		child, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		require.NoError(t, err)

		p.Stop(2 * time.Second)
		select {
		case <-p.Done():
		default:
			t.Fatal("Stop returned before the server exited")
		}
		// The child was killed; once its parent shell is gone it is reaped by init, so
		// poll briefly until signal 0 reports it gone.
		require.Eventually(t, func() bool { return syscall.Kill(child, 0) != nil }, 5*time.Second, 10*time.Millisecond,
			"the server's child process %d outlived Stop", child)
	})
}
