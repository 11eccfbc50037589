package classify

import (
	"os"
	"syscall"
	"unsafe"
)

// releaseEmbedded tells the kernel that the embedded model's compressed
// bytes (about 9.5 MB, read once by Default) are not needed now. They are
// file-backed and unchanged, so the kernel drops them from the process's
// resident memory and reads them again from the executable should anything
// touch them later.
func releaseEmbedded(b []byte) {
	page := uintptr(os.Getpagesize())
	if len(b) < 2*int(page) {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	start := uintptr(p)
	first := (start + page - 1) &^ (page - 1) // whole pages only
	last := (start + uintptr(len(b))) &^ (page - 1)
	if last <= first {
		return
	}
	_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, first-start)), last-first), syscall.MADV_DONTNEED)
}
