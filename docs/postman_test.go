package docs_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/example/cognito-sam-go/docs"
)

// postman/ is what Portman (portman/postman-config.json) makes of docs/openapi.yaml today: the
// collection falls behind the document as soon as either changes without `make postman`.
func TestPostmanFilesAreWhatPortmanMakesOfTheDocument(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is missing: install Node.js 20 or later (the Postman collection is converted by Portman)")
	}
	if _, err := os.Stat("../node_modules/.bin/portman"); err != nil {
		t.Fatal("Portman is not installed: run npm ci (versions pinned in package-lock.json)")
	}
	out, err := exec.Command("node", "../portman/postman.mjs", "--check").CombinedOutput()
	if err != nil {
		t.Fatalf("node portman/postman.mjs --check: %v\n%s", err, out)
	}
}

// postmanItem is the part of a Postman v2.1 item (request or folder) the tests read.
type postmanItem struct {
	Item    []postmanItem
	Request *struct {
		Method string
		Auth   *struct {
			Type   string
			Apikey []struct{ Key, Value string }
		}
		Body struct{ Raw string }
		URL  struct{ Path []string }
	}
}

type postmanCollection struct {
	Info  struct{ Schema string }
	Auth  struct{ Type string }
	Event []struct {
		Listen string
		Script struct{ Exec []string }
	}
	Item []postmanItem
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// requests flattens the collection's folders into "METHOD /path" -> the request's auth header value.
func requests(items []postmanItem, out map[string]string) {
	for _, it := range items {
		requests(it.Item, out)
		if it.Request == nil {
			continue
		}
		auth := ""
		if a := it.Request.Auth; a != nil && a.Type == "apikey" {
			for _, p := range a.Apikey {
				if p.Key == "value" {
					auth = p.Value
				}
			}
		}
		out[it.Request.Method+" /"+strings.Join(it.Request.URL.Path, "/")] = auth
	}
}

func TestPostmanCollectionHasEveryOperationAndGuardedOnesSendTheIDToken(t *testing.T) {
	var c postmanCollection
	readJSON(t, "../postman/cognito-sam-go.postman_collection.json", &c)
	if c.Info.Schema != "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" {
		t.Errorf("schema %q, want v2.1", c.Info.Schema)
	}
	if c.Auth.Type != "noauth" {
		t.Errorf("collection auth %q: public routes inherit it, so it must send nothing", c.Auth.Type)
	}
	got := map[string]string{}
	requests(c.Item, got)
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			auth, ok := got[key]
			if !ok {
				t.Errorf("the collection has no request %s", key)
				continue
			}
			public := op.Security != nil && len(*op.Security) == 0
			if want := map[bool]string{true: "", false: "Bearer {{idToken}}"}[public]; auth != want {
				t.Errorf("%s sends Authorization %q, want %q", key, auth, want)
			}
		}
	}
	if len(got) != len(doc.Paths.Map()) {
		t.Errorf("%d requests for %d paths: %v", len(got), len(doc.Paths.Map()), got)
	}
}

func TestPostmanScriptsSignInThroughLoginAndKeepTheTokens(t *testing.T) {
	var c postmanCollection
	readJSON(t, "../postman/cognito-sam-go.postman_collection.json", &c)
	scripts := map[string]string{}
	for _, e := range c.Event {
		scripts[e.Listen] = strings.Join(e.Script.Exec, "\n")
	}
	for listen, wants := range map[string][]string{
		"prerequest": {`path: "/login"`, `"{{" + tokenVar + "}}"`, ".exp * 1000", "pm.sendRequest(",
			`id_token: "idToken"`, `refresh_token: "refreshToken"`},
		"test": {`id_token: "idToken"`, "store.set("},
	} {
		for _, want := range wants {
			if !strings.Contains(scripts[listen], want) {
				t.Errorf("%s script lacks %q:\n%s", listen, want, scripts[listen])
			}
		}
	}
}

func TestPostmanEnvironmentsCarryTheServersAndEveryVariable(t *testing.T) {
	for name, apiURL := range map[string]string{
		"local.postman_environment.json":    "http://127.0.0.1:3000",
		"deployed.postman_environment.json": "https://<restApiId>.execute-api.<region>.amazonaws.com/<stage>",
	} {
		var env struct {
			Values []struct{ Key, Value, Type string }
		}
		readJSON(t, filepath.Join("../postman", name), &env)
		var keys []string
		for _, v := range env.Values {
			keys = append(keys, v.Key)
			if v.Key == "apiUrl" && v.Value != apiURL {
				t.Errorf("%s: apiUrl %q, want %q", name, v.Value, apiURL)
			}
			if v.Key != "apiUrl" && v.Value != "" {
				t.Errorf("%s: %s holds a value; environments ship empty", name, v.Key)
			}
			if v.Key == "password" && v.Type != "secret" {
				t.Errorf("%s: password is of type %q, want secret", name, v.Type)
			}
		}
		for _, want := range []string{"apiUrl", "username", "password", "idToken", "refreshToken"} {
			if !slices.Contains(keys, want) {
				t.Errorf("%s: no %s in %v", name, want, keys)
			}
		}
	}
}
