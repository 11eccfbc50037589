//go:build !linux

package dedupe

import "time"

// threadCPU is only measured on Linux; elsewhere it reports zero.
func threadCPU() time.Duration { return 0 }
