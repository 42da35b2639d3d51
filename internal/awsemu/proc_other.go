//go:build !unix

package awsemu

import (
	"errors"
	"syscall"
)

func motoSysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup fails so that Close falls back to killing the process alone.
func killGroup(int) error { return errors.New("process groups are not supported here") }
