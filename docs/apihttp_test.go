package docs_test

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// accountRoutes are the account lifecycle's routes, which api.http must show.
var accountRoutes = []string{"POST /signup", "POST /signup/resend", "POST /password/forgot", "POST /password/reset", "POST /logout"}

// requestLine is a request of an .http file: a method, then the URL.
var requestLine = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)`)

func TestAPIHTTPFileCallsOnlyDocumentedRoutesThroughTheBaseURLVariable(t *testing.T) {
	f, err := os.Open("../api.http")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := load(t)
	documented := map[string]bool{}
	for _, o := range operations(doc) {
		documented[o.key] = true
	}

	var seen []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		m := requestLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		path, ok := strings.CutPrefix(m[2], "{{apiUrl}}")
		if !ok {
			t.Errorf("api.http:%d: %q does not start with {{apiUrl}}: the same file must serve make local and a stage", n, m[2])
			continue
		}
		key := m[1] + " " + path
		seen = append(seen, key)
		if !documented[key] {
			t.Errorf("api.http:%d: %s is not in docs/openapi.yaml", n, key)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// The article's flow: sign in, call the guarded route, refresh, and every account route.
	for _, want := range append([]string{"POST /login", "POST /echo", "POST /refresh"}, accountRoutes...) {
		if !slices.Contains(seen, want) {
			t.Errorf("api.http has no %s request", want)
		}
	}
}
