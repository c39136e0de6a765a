package lambda

import (
	"bytes"
	"io"
	"sync"
)

// maxLine bounds a buffered line: a longer one is written in pieces, as CloudWatch Logs splits events
// over 256 KB (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html).
const maxLine = 256 << 10

// syncWriter serialises writes to the shared output, so that lines of concurrent environments never
// interleave.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// lineWriter prefixes each line a function writes to one stream with "[name] " and writes it whole.
// exec.Cmd's copying goroutine is its only writer; flush runs after that goroutine is done.
type lineWriter struct {
	prefix []byte
	out    *syncWriter
	buf    []byte
	line   []byte // scratch: prefix + line + "\n"
}

func newLineWriter(name string, out *syncWriter) *lineWriter {
	return &lineWriter{prefix: []byte("[" + name + "] "), out: out}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i >= 0 && i <= maxLine {
			l.emit(l.buf[:i])
			l.buf = l.buf[i+1:]
		} else if len(l.buf) >= maxLine {
			l.emit(l.buf[:maxLine])
			l.buf = l.buf[maxLine:]
		} else {
			break
		}
	}
	if len(l.buf) == 0 {
		l.buf = l.buf[:0:0] // let a large buffer go
	}
	return len(p), nil
}

// flush writes what is left of an unterminated last line.
func (l *lineWriter) flush() {
	if len(l.buf) > 0 {
		l.emit(l.buf)
		l.buf = nil
	}
}

func (l *lineWriter) emit(line []byte) {
	line = bytes.TrimSuffix(line, []byte("\r"))
	l.line = append(append(append(l.line[:0], l.prefix...), line...), '\n')
	l.out.mu.Lock()
	_, _ = l.out.w.Write(l.line)
	l.out.mu.Unlock()
}
