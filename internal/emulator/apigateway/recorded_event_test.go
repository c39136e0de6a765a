package apigateway_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sort"
	"testing"
)

type eventFixture struct {
	recording
	Cases []struct {
		Recording   string         `json:"recording"`
		Request     string         `json:"request"`
		Event       map[string]any `json:"event"`
		HeaderNames []string       `json:"headerNames"`
		Present     []string       `json:"present"`
		Absent      []string       `json:"absent"`
	} `json:"cases"`
}

// TestEventIsTheRecordedEvent sends the recorded requests and compares the event the function
// gets with AWS's: body null without a body, isBase64Encoded always, identity keys as null,
// deploymentId, no authorizer key on a route without one, hop-by-hop headers dropped,
// Authorization respelled, path with leading slashes folded, {proxy+} without the trailing
// slash, percent-encoding kept, //hardcoded routed to /hardcoded.
func TestEventIsTheRecordedEvent(t *testing.T) {
	s := startRecorded(t, inspect, nil)
	for _, file := range []string{"proxy-event-edge.json", "proxy-event-regional.json"} {
		var fx eventFixture
		readRecorded(t, file, &fx)
		for _, tc := range fx.Cases {
			t.Run(file+"/"+tc.Recording, func(t *testing.T) {
				a := s.send(t, tc.Request)
				if a.status != http.StatusOK {
					t.Fatalf("status %d: %s", a.status, a.body)
				}
				var e map[string]any
				if err := json.Unmarshal(a.body, &e); err != nil {
					t.Fatalf("event %q: %v", a.body, err)
				}
				for path, want := range tc.Event {
					got, ok := lookup(e, path)
					if !ok || !reflect.DeepEqual(got, want) {
						t.Errorf("%s = %#v (present %v), recorded %#v (%s, %s)", path, got, ok, want, fx.Test, fx.Validated)
					}
				}
				for _, path := range tc.Present {
					if got, _ := lookup(e, path); got == nil || got == "" {
						t.Errorf("%s missing, recorded present", path)
					}
				}
				for _, path := range tc.Absent {
					if got, ok := lookup(e, path); ok {
						t.Errorf("%s = %#v, recorded absent", path, got)
					}
				}
				for _, key := range []string{"headers", "multiValueHeaders"} {
					obj, _ := e[key].(map[string]any)
					var names []string
					for k := range obj {
						names = append(names, k)
					}
					sort.Strings(names)
					want := append([]string(nil), tc.HeaderNames...)
					sort.Strings(want)
					if !reflect.DeepEqual(names, want) {
						t.Errorf("%s names %q, recorded %q", key, names, want)
					}
				}
			})
		}
	}
}
