package target

// Pid is the process id of the server (of the shell, for a command that does not exec
// its server; ShellCommand's "exec" makes them the same).
func (p *Process) Pid() int { return p.cmd.Process.Pid }
