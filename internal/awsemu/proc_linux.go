package awsemu

import "syscall"

// motoSysProcAttr gives moto its own process group, so Close can kill whatever it forked, and a
// parent-death signal, so a test binary that is killed or panics never leaves moto running on the
// machine. Linux sends that signal when the forking OS thread exits, which the Go runtime does
// only for goroutines that exit while locked to their thread; the launcher locks none.
func motoSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
