package testusers_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestListPrintsEveryUserWithStatusOldestFirst(t *testing.T) {
	s := newStack(t)
	first, _ := s.create(t)
	s.server.TemporaryUser(t, "jane@example.com", "Temporary-Pass-1")
	last, _ := s.create(t, "-prefix", "smoke-")

	r := s.run(t, nil, "list")
	if r.code != 0 {
		t.Fatalf("list: exit %d: %s", r.code, r.stderr)
	}
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(rows) != 4 || strings.Join(strings.Fields(rows[0]), " ") != "EMAIL STATUS ENABLED CREATED" {
		t.Fatalf("list printed %q: want a header and three users", r.stdout)
	}
	var emails []string
	want := map[string]string{first: "CONFIRMED", "jane@example.com": "FORCE_CHANGE_PASSWORD", last: "CONFIRMED"}
	for _, row := range rows[1:] {
		f := strings.Fields(row)
		if len(f) != 4 {
			t.Fatalf("row %q: want email, status, enabled, created", row)
		}
		emails = append(emails, f[0])
		if f[1] != want[f[0]] || f[2] != "true" {
			t.Errorf("row %q: want status %s, enabled true", row, want[f[0]])
		}
	}
	// Creation times have a millisecond resolution: only the set is certain for users made
	// within the same second, and the first created is never listed after the last.
	if !slices.Equal(slices.Sorted(slices.Values(emails)), slices.Sorted(maps.Keys(want))) {
		t.Errorf("list shows %v, want %v", emails, want)
	}
	if slices.Index(emails, first) > slices.Index(emails, last) {
		t.Errorf("list shows %v: %s was created before %s", emails, first, last)
	}
	if !strings.Contains(r.stderr, "3 user(s) in "+s.server.PoolID) {
		t.Errorf("stderr %q should count the users", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "Temporary-Pass-1") {
		t.Error("list printed a password")
	}
}

func TestListPrefixNarrowsAndAnEmptyPoolIsNoError(t *testing.T) {
	s := newStack(t)
	r := s.run(t, nil, "list")
	if r.code != 0 || strings.Join(strings.Fields(r.stdout), " ") != "EMAIL STATUS ENABLED CREATED" {
		t.Errorf("empty pool: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	mine, _ := s.create(t, "-prefix", "smoke-")
	s.create(t)
	r = s.run(t, nil, "list", "-prefix", "smoke-")
	if r.code != 0 {
		t.Fatalf("list: exit %d: %s", r.code, r.stderr)
	}
	if rows := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(rows) != 2 || !strings.HasPrefix(rows[1], mine+" ") {
		t.Errorf("list -prefix smoke- printed %q: want only %s", r.stdout, mine)
	}
}
