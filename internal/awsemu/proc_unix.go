//go:build unix && !linux

package awsemu

import "syscall"

// motoSysProcAttr gives moto its own process group so that Close can kill whatever it forked.
// Outside Linux there is no parent-death signal: a killed test binary can leave moto behind.
func motoSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
