package cognito

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// journal is the state on disk: one JSON line per change, {"k": key, "v": value} (v null deletes the
// key), appended with one write(2) before the call that made the change is answered. The kernel has
// the line once write returns, so a killed process (SIGKILL) loses nothing it answered; fsync is left
// out, as the stack is a development tool and a power cut may lose the last lines. A line cut short by a
// crash mid-write is the last one and is dropped on load. compact rewrites the file with one line per
// live key (a temporary file renamed over it), at every start and when the file has grown past
// twice the live state.
type journal struct {
	path  string
	f     *os.File
	lines int // lines in the file
	live  int // keys live after the last compaction or load
}

type record struct {
	K string          `json:"k"`
	V json.RawMessage `json:"v"`
}

// openJournal opens (or creates) the journal at path and returns its live records, in the order
// their keys were last written.
func openJournal(path string) (*journal, []record, error) {
	recs, lines, err := readJournal(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("cognito: open journal: %w", err)
	}
	return &journal{path: path, f: f, lines: lines, live: len(recs)}, recs, nil
}

func readJournal(path string) ([]record, int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("cognito: read journal: %w", err)
	}
	defer f.Close()
	latest := map[string]int{}
	var recs []record
	rd := bufio.NewReaderSize(f, 1<<16)
	lines := 0
	for {
		line, err := rd.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break // a last line without its newline was cut short by a crash: never answered
		}
		if err != nil {
			return nil, 0, fmt.Errorf("cognito: read journal: %w", err)
		}
		lines++
		var r record
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, 0, fmt.Errorf("cognito: journal %s line %d: %w", path, lines, err)
		}
		if i, ok := latest[r.K]; ok {
			recs[i].V = nil // superseded
		}
		latest[r.K] = len(recs)
		recs = append(recs, r)
	}
	live := recs[:0]
	for _, r := range recs {
		if len(r.V) > 0 && string(r.V) != "null" {
			live = append(live, r)
		}
	}
	return live, lines, nil
}

// put appends a change: v nil deletes key.
func (j *journal) put(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("cognito: encode %s: %w", key, err)
	}
	line, err := json.Marshal(record{K: key, V: raw})
	if err != nil {
		return fmt.Errorf("cognito: encode %s: %w", key, err)
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("cognito: write journal: %w", err)
	}
	j.lines++
	return nil
}

// needsCompaction says whether the file has grown past twice the live state (and a floor).
func (j *journal) needsCompaction(live int) bool { return j.lines > 2*live+1000 }

// compact replaces the file with recs, one line each.
func (j *journal) compact(recs []record) error {
	tmp := j.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("cognito: compact journal: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			f.Close()
			return fmt.Errorf("cognito: compact journal: %w", err)
		}
		_, _ = w.Write(append(line, '\n'))
	}
	err = w.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, j.path)
	}
	if err != nil {
		return fmt.Errorf("cognito: compact journal: %w", err)
	}
	nf, err := os.OpenFile(j.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("cognito: reopen journal: %w", err)
	}
	_ = j.f.Close()
	j.f, j.lines, j.live = nf, len(recs), len(recs)
	return nil
}

func (j *journal) close() error { return j.f.Close() }
