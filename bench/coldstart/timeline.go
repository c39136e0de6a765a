package coldstart

import (
	"os"
	"sync"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/lambda"
)

// timeline records one cold start from the Lambda emulator's events. The Service runs one
// environment (MaxConcurrency 1), so the events are that process's.
type timeline struct {
	want int      // invocations to answer before the process counts as idle
	idle chan int // receives the pid once it waits for an event after the last answer

	mu sync.Mutex
	r  record
}

// record is what a cold start's events say.
type record struct {
	started time.Time // just before exec
	ready   time.Time // first GET /next
	handed  []time.Time
	posted  []time.Time
	state   *os.ProcessState
}

func newTimeline(want int) *timeline { return &timeline{want: want, idle: make(chan int, 1)} }

func (t *timeline) observe(e lambda.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch e.Kind {
	case lambda.EventStarted:
		t.r.started = e.At
	case lambda.EventReady:
		t.r.ready = e.At
	case lambda.EventHanded:
		t.r.handed = append(t.r.handed, e.At)
	case lambda.EventPosted:
		t.r.posted = append(t.r.posted, e.At)
	case lambda.EventIdle:
		if e.Answered == t.want {
			select {
			case t.idle <- e.PID:
			default:
			}
		}
	case lambda.EventStopped:
		t.r.state = e.State
	}
}

// snapshot is the timeline so far: read it once the Service is closed.
func (t *timeline) snapshot() record {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.r
}
