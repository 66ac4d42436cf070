package redisproxy

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// mapSize is how much of a record file a process maps: address space
// only, never more of the file than its events take (rounded up to
// growStep); 32 million events of 32 bytes.
const mapSize = 1 << 30

const growStep = 1 << 20

// mapped appends to a record file through a shared mapping: an event costs
// an atomic add and a copy, no system call, and what is copied is in the
// page cache at once, whatever becomes of the process. Processes that map
// one file reserve their places with the atomic count at headerSize.
type mapped struct {
	f    *os.File
	data []byte
	mu   sync.Mutex
	size atomic.Int64 // the file's size, as far as this process made sure of it
}

func newAppender(f *os.File) (appender, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() < eventsAt {
		return nil, errors.New("not a record file (too short)")
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, mapSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return newAppended(f) // no room to map (a 32-bit process): write(2) instead
	}
	m := &mapped{f: f, data: data}
	m.size.Store(fi.Size())
	return m, nil
}

func (m *mapped) count() *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&m.data[headerSize]))
}

func (m *mapped) append(b []byte) error {
	n := uint64(len(b))
	start := int64(eventsAt + m.count().Add(n) - n)
	end := start + int64(len(b))
	if end > mapSize {
		return errors.New("the record of the run's keys is full")
	}
	if end > m.size.Load() {
		if err := m.grow(end); err != nil {
			return err
		}
	}
	copy(m.data[start:end], b)
	return nil
}

// grow makes the file at least end bytes long. fallocate never shrinks a
// file, so processes growing it at once cannot undo each other, and its
// blocks are allocated: a full disk fails here, not as a fault later.
func (m *mapped) grow(end int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if end <= m.size.Load() {
		return nil
	}
	size := (end + growStep) / growStep * growStep
	if err := syscall.Fallocate(int(m.f.Fd()), 0, 0, size); err != nil {
		return fmt.Errorf("growing the record of the run's keys: %v", err)
	}
	m.size.Store(size)
	return nil
}

func (m *mapped) end() int64 { return int64(eventsAt + m.count().Load()) }

func (m *mapped) close() {
	if m.data != nil {
		syscall.Munmap(m.data)
		m.data = nil
	}
}
