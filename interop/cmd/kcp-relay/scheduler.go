package main

import (
	"container/heap"
	"sync"
	"time"
)

// scheduler runs delayed deliveries in time order; equal times keep their order of
// arrival, so a constant delay alone never reorders.
type scheduler struct {
	mu      sync.Mutex
	pending deliveries
	next    uint64
	wake    chan struct{}
	done    chan struct{}
}

type delivery struct {
	when time.Time
	seq  uint64
	fn   func()
}

type deliveries []delivery

func (d deliveries) Len() int { return len(d) }
func (d deliveries) Less(i, j int) bool {
	if d[i].when.Equal(d[j].when) {
		return d[i].seq < d[j].seq
	}
	return d[i].when.Before(d[j].when)
}
func (d deliveries) Swap(i, j int) { d[i], d[j] = d[j], d[i] }
func (d *deliveries) Push(x any)   { *d = append(*d, x.(delivery)) }
func (d *deliveries) Pop() any {
	old := *d
	last := old[len(old)-1]
	*d = old[:len(old)-1]
	return last
}

func newScheduler() *scheduler {
	s := &scheduler{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *scheduler) at(when time.Time, fn func()) {
	s.mu.Lock()
	heap.Push(&s.pending, delivery{when, s.next, fn})
	s.next++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *scheduler) stop() { close(s.done) }

func (s *scheduler) loop() {
	timer := time.NewTimer(time.Hour)
	for {
		s.mu.Lock()
		var due []func()
		now := time.Now()
		for s.pending.Len() > 0 && !s.pending[0].when.After(now) {
			due = append(due, heap.Pop(&s.pending).(delivery).fn)
		}
		wait := time.Hour
		if s.pending.Len() > 0 {
			wait = s.pending[0].when.Sub(now)
		}
		s.mu.Unlock()
		for _, fn := range due {
			fn()
		}
		timer.Reset(wait)
		select {
		case <-s.done:
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}
