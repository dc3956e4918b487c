package lambda

import "golang.org/x/sys/unix"

const fionread = unix.TIOCINQ // FIONREAD's value on Linux
