package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/docs"
)

const regenerate = "go run ./cmd/postman"

func TestCommittedFilesMatchTheOpenAPIDocument(t *testing.T) {
	files, err := Generate(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		want = append(want, f.Name)
		got, err := os.ReadFile(filepath.Join("../../postman", f.Name))
		if err != nil {
			t.Errorf("postman/%s: %v; run %s", f.Name, err, regenerate)
			continue
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("postman/%s is not what docs/openapi.yaml gives: run %s", f.Name, regenerate)
		}
	}
	entries, err := os.ReadDir("../../postman")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(want, e.Name()) {
			t.Errorf("postman/%s is not generated any more: delete it and run %s", e.Name(), regenerate)
		}
	}
}

// collection is the part of a Postman v2.1 collection the tests read.
type collection struct {
	Info  struct{ Schema string }
	Event []struct {
		Listen string
		Script struct{ Exec []string }
	}
	Item []struct {
		Name    string
		Request struct {
			Method string
			Header []struct{ Key, Value string }
			Body   struct{ Raw string }
			URL    struct{ Raw string }
		}
	}
}

func generate(t *testing.T, spec []byte) (collection, map[string][]string) {
	t.Helper()
	files, err := Generate(spec)
	if err != nil {
		t.Fatal(err)
	}
	var c collection
	if err := json.Unmarshal(files[0].Data, &c); err != nil {
		t.Fatal(err)
	}
	envs := map[string][]string{}
	for _, f := range files[1:] {
		var env struct{ Values []struct{ Key, Value string } }
		if err := json.Unmarshal(f.Data, &env); err != nil {
			t.Fatal(err)
		}
		for _, v := range env.Values {
			envs[f.Name] = append(envs[f.Name], v.Key+"="+v.Value)
		}
	}
	return c, envs
}

func TestEveryOperationIsARequestInDocumentOrderAndGuardedOnesSendTheIDToken(t *testing.T) {
	c, envs := generate(t, docs.OpenAPI)
	if c.Info.Schema != schemaURL {
		t.Errorf("schema %q, want v2.1", c.Info.Schema)
	}
	var got []string
	for _, it := range c.Item {
		auth := ""
		for _, h := range it.Request.Header {
			if h.Key == "Authorization" {
				auth = " " + h.Value
			}
		}
		got = append(got, it.Request.Method+" "+it.Request.URL.Raw+auth)
	}
	// The routes of docs/openapi.yaml today, in its order; a new route there shows up here.
	want := []string{"POST {{apiUrl}}/login", "POST {{apiUrl}}/login/new-password", "POST {{apiUrl}}/refresh",
		"POST {{apiUrl}}/echo Bearer {{idToken}}"}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("requests %q lack %q", got, w)
		}
	}
	if len(got) < len(want) || got[0] != want[0] {
		t.Errorf("requests %q: want /login first, as in the document", got)
	}
	login := c.Item[0].Request.Body.Raw
	if !strings.Contains(login, `"username": "{{username}}"`) || !strings.Contains(login, `"password": "{{password}}"`) {
		t.Errorf("/login body %q should send {{username}} and {{password}}", login)
	}
	for name, values := range envs {
		for _, v := range []string{"username=", "password=", "idToken=", "refreshToken="} {
			if !slices.Contains(values, v) {
				t.Errorf("%s: no empty %s variable in %q", name, v, values)
			}
		}
	}
	if !slices.Contains(envs["local.postman_environment.json"], "apiUrl=http://127.0.0.1:3000") {
		t.Errorf("local environment %q: want apiUrl http://127.0.0.1:3000", envs["local.postman_environment.json"])
	}
	if !slices.Contains(envs["deployed.postman_environment.json"], "apiUrl=https://<restApiId>.execute-api.<region>.amazonaws.com/<stage>") {
		t.Errorf("deployed environment %q: want the stage URL with placeholders", envs["deployed.postman_environment.json"])
	}
}

func TestPreRequestScriptSignsInThroughTheLoginOperation(t *testing.T) {
	c, _ := generate(t, docs.OpenAPI)
	var pre string
	for _, e := range c.Event {
		if e.Listen == "prerequest" {
			pre = strings.Join(e.Script.Exec, "\n")
		}
	}
	for _, want := range []string{
		`const login = {"method":"POST","path":"/login","usernameField":"username","passwordField":"password","tokenField":"id_token"};`,
		`"id_token":"idToken"`, `"refresh_token":"refreshToken"`, // what it stores
		`.exp * 1000`, // the stored token's expiry is checked
		"pm.sendRequest(",
	} {
		if !strings.Contains(pre, want) {
			t.Errorf("pre-request script lacks %q:\n%s", want, pre)
		}
	}
	if strings.Contains(pre, "[[") {
		t.Errorf("pre-request script holds an unexpanded template action:\n%s", pre)
	}
}

// A route added to the document becomes a request with no change here.
func TestANewOperationBecomesARequest(t *testing.T) {
	spec := strings.Replace(string(docs.OpenAPI), "\npaths:\n", `
paths:
  /greeting:
    post:
      operationId: greet
      summary: Create an account
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [username, password]
              properties:
                username: {type: string}
                password: {type: string}
            example: {username: jane@example.com, password: correct-Horse-battery-9}
      responses:
        "202":
          description: Accepted
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
`, 1)
	c, _ := generate(t, []byte(spec))
	it := c.Item[0]
	if it.Request.URL.Raw != "{{apiUrl}}/greeting" || !strings.Contains(it.Request.Body.Raw, `"password": "{{password}}"`) {
		t.Errorf("first request %s %s %q: want POST /greeting with {{password}}", it.Request.Method, it.Request.URL.Raw, it.Request.Body.Raw)
	}
}

func TestADocumentWithoutALoginOperationIsRefused(t *testing.T) {
	spec := strings.Replace(string(docs.OpenAPI), "operationId: login\n", "operationId: signIn\n", 1)
	if _, err := Generate([]byte(spec)); err == nil || !strings.Contains(err.Error(), `no operation "login"`) {
		t.Errorf("Generate without a login operation: err %v", err)
	}
}
