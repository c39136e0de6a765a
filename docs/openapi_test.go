package docs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/example/cognito-sam-go/docs"
	"github.com/example/cognito-sam-go/internal/templates"
)

const (
	apiTemplate = "api-stack/template.yaml"
	idScheme    = "CognitoIdToken"
)

// The statuses CONTRACT.md gives each route (413: a body over the route's limit, from httpapi.ReadBody).
var contractStatuses = map[string][]int{
	"POST /login":              {200, 400, 401, 413, 429, 501, 502, 503, 504},
	"POST /login/new-password": {200, 400, 401, 403, 413, 429, 501, 502, 503, 504},
	"POST /refresh":            {200, 400, 401, 413, 429, 502, 503, 504},
	"POST /logout":             {200, 400, 413, 429, 502, 503, 504},
	"POST /signup":             {202, 400, 403, 413, 429, 502, 503, 504},
	"POST /signup/resend":      {202, 400, 413, 429, 502, 503, 504},
	"POST /password/forgot":    {202, 400, 413, 429, 502, 503, 504},
	"POST /password/reset":     {200, 400, 413, 429, 502, 503, 504},
	"POST /echo":               {200, 400, 401, 413},
}

func load(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatalf("docs/openapi.yaml does not parse: %v", err)
	}
	return doc
}

type operation struct {
	key string // "POST /login"
	op  *openapi3.Operation
}

func operations(doc *openapi3.T) []operation {
	var ops []operation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops = append(ops, operation{key: strings.ToUpper(method) + " " + path, op: op})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].key < ops[j].key })
	return ops
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := load(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi %q, want 3.0.3", doc.OpenAPI)
	}
	// Validate also checks every example against its schema.
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("docs/openapi.yaml is not valid OpenAPI: %v", err)
	}
}

func TestOpenAPIRoutesMatchTheAPITemplate(t *testing.T) {
	doc := load(t)
	public := deployedRoutes(t)
	if len(public) == 0 {
		t.Fatalf("%s deploys no routes", apiTemplate)
	}
	var inTemplate []string
	for key := range public {
		inTemplate = append(inTemplate, key)
	}
	var inDoc []string
	for _, o := range operations(doc) {
		inDoc = append(inDoc, o.key)
	}
	sort.Strings(inTemplate)
	if !slices.Equal(inDoc, inTemplate) {
		t.Fatalf("routes differ:\n  docs/openapi.yaml: %v\n  %s: %v", inDoc, apiTemplate, inTemplate)
	}

	scheme := doc.Components.SecuritySchemes[idScheme]
	if scheme == nil || scheme.Value == nil {
		t.Fatalf("components.securitySchemes.%s is missing", idScheme)
	}
	if s := scheme.Value; s.Type != "apiKey" || s.In != "header" || s.Name != "Authorization" {
		t.Errorf("%s is %s in %s named %q, want apiKey in header named Authorization", idScheme, s.Type, s.In, s.Name)
	}

	for _, o := range operations(doc) {
		t.Run(o.key, func(t *testing.T) {
			if public[o.key] {
				if o.op.Security == nil || len(*o.op.Security) != 0 {
					t.Errorf("public in the template (Auth.Authorizer: NONE): want security: [], got %v", o.op.Security)
				}
				return
			}
			sec := o.op.Security
			if sec == nil {
				sec = &doc.Security
			}
			if len(*sec) != 1 || (*sec)[0][idScheme] == nil {
				t.Errorf("behind the Cognito authorizer in the template: want security [%s], got %v", idScheme, *sec)
			}
		})
	}
}

// deployedRoutes are the routes API Gateway serves for the API template, from what CloudFormation
// receives for it.
func deployedRoutes(t *testing.T) map[string]bool {
	t.Helper()
	return templates.Routes(templates.Translate(t, apiTemplate, map[string]string{
		"UserPoolId":  "us-east-1_Example",
		"UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example",
	}))
}

// The contract's routes document exactly CONTRACT.md's statuses. A route the contract does not list (one
// added with `make function`) documents at least a success, 401 when it is behind the authorizer, and
// 429 when it is public (its own throttling).
func TestOpenAPIDocumentsEveryContractStatus(t *testing.T) {
	doc := load(t)
	public := deployedRoutes(t)
	for _, o := range operations(doc) {
		t.Run(o.key, func(t *testing.T) {
			var got []int
			for code := range o.op.Responses.Map() {
				n, err := strconv.Atoi(code)
				if err != nil {
					t.Errorf("response %q: want a status code", code)
					continue
				}
				got = append(got, n)
			}
			sort.Ints(got)
			if want, ok := contractStatuses[o.key]; ok && !slices.Equal(got, want) {
				t.Errorf("statuses %v, want CONTRACT.md's %v", got, want)
			}
			if !slices.ContainsFunc(got, func(n int) bool { return n >= 200 && n < 300 }) {
				t.Errorf("statuses %v: no success (2xx) documented", got)
			}
			if needed := map[bool]int{false: http.StatusUnauthorized, true: http.StatusTooManyRequests}[public[o.key]]; !slices.Contains(got, needed) {
				t.Errorf("statuses %v lack %d (public: %v)", got, needed, public[o.key])
			}
			for _, status := range got {
				resp := o.op.Responses.Status(status)
				mt := resp.Value.Content.Get("application/json")
				if mt == nil || mt.Schema == nil {
					t.Errorf("%d: no application/json schema", status)
					continue
				}
				if status >= 400 && mt.Schema.Ref != "#/components/schemas/Error" {
					t.Errorf("%d: schema %q, want the Error schema", status, mt.Schema.Ref)
				}
			}
			if r := o.op.Responses.Status(http.StatusTooManyRequests); r != nil && r.Value.Headers["Retry-After"] == nil {
				t.Errorf("429 does not document Retry-After")
			}
		})
	}
}

func TestOpenAPIRequestBodiesHaveExamples(t *testing.T) {
	doc := load(t)
	for _, o := range operations(doc) {
		rb := o.op.RequestBody
		method, _, _ := strings.Cut(o.key, " ")
		if !slices.Contains([]string{"POST", "PUT", "PATCH"}, method) {
			if rb != nil {
				t.Errorf("%s: a request body on a %s, where HTTP gives it no meaning (RFC 9110, 9.3)", o.key, method)
			}
			continue
		}
		if rb == nil || rb.Value == nil {
			t.Errorf("%s: no request body", o.key)
			continue
		}
		mt := rb.Value.Content.Get("application/json")
		if mt == nil {
			t.Errorf("%s: request body is not application/json", o.key)
			continue
		}
		if mt.Example == nil && len(mt.Examples) == 0 {
			t.Errorf("%s: request body has no example", o.key)
		}
	}
}

// The schemas accept what the contract says the API answers, and refuse what it never does.
func TestOpenAPISchemasMatchContractBodies(t *testing.T) {
	doc := load(t)
	schema := func(name string) *openapi3.Schema {
		ref := doc.Components.Schemas[name]
		if ref == nil {
			t.Fatalf("no schema %s", name)
		}
		return ref.Value
	}
	signedIn := doc.Components.Responses["SignedIn"].Value.Content.Get("application/json").Schema.Value
	tests := []struct {
		schema *openapi3.Schema
		name   string
		body   any
		valid  bool
	}{
		{signedIn, "tokens", map[string]any{"id_token": "a", "access_token": "b", "refresh_token": "c", "expires_in": 3600, "token_type": "Bearer"}, true},
		{signedIn, "challenge", map[string]any{"challenge_name": "NEW_PASSWORD_REQUIRED", "session": "s"}, true},
		{signedIn, "tokens without refresh_token", map[string]any{"id_token": "a", "access_token": "b", "expires_in": 3600, "token_type": "Bearer"}, false},
		{signedIn, "another challenge", map[string]any{"challenge_name": "SMS_MFA", "session": "s"}, false},
		{schema("RefreshedTokens"), "refreshed", map[string]any{"id_token": "a", "access_token": "b", "expires_in": 3600, "token_type": "Bearer"}, true},
		{schema("EchoResponse"), "echo of an object", map[string]any{"body": map[string]any{"a": 1}, "claims": map[string]any{"sub": "x"}}, true},
		{schema("EchoResponse"), "echo of nothing", map[string]any{"body": nil, "claims": map[string]any{}}, true},
		{schema("EchoResponse"), "echo of an array", map[string]any{"body": []any{1, "a"}, "claims": map[string]any{}}, true},
		{schema("EchoResponse"), "echo of a number", map[string]any{"body": 4.2, "claims": map[string]any{}}, true},
		{schema("EchoResponse"), "echo of a string", map[string]any{"body": "hi", "claims": map[string]any{}}, true},
		{schema("EchoResponse"), "echo without claims", map[string]any{"body": nil}, false},
		{schema("EchoResponse"), "claims that are not strings", map[string]any{"body": nil, "claims": map[string]any{"exp": 1}}, false},
		{schema("Error"), "error", map[string]any{"message": "Unauthorized"}, true},
		{schema("Error"), "error without message", map[string]any{}, false},
		{schema("LoginRequest"), "login", map[string]any{"username": "jane@example.com", "password": "p"}, true},
		{schema("LoginRequest"), "login with an unknown field", map[string]any{"username": "jane@example.com", "password": "p", "x": 1}, false},
		{schema("LoginRequest"), "login with an empty password", map[string]any{"username": "jane@example.com", "password": ""}, false},
		{schema("Message"), "message", map[string]any{"message": "signed out: the refresh token no longer works"}, true},
		{schema("Message"), "message with tokens", map[string]any{"message": "x", "refresh_token": "t"}, false},
		{schema("UsernameRequest"), "username", map[string]any{"username": "jane@example.com"}, true},
		{schema("UsernameRequest"), "username with a password", map[string]any{"username": "jane@example.com", "password": "p"}, false},
		{schema("ResetRequest"), "reset", map[string]any{"username": "jane@example.com", "code": "482913", "new_password": "p"}, true},
		{schema("ResetRequest"), "reset without a code", map[string]any{"username": "jane@example.com", "new_password": "p"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.schema.VisitJSON(tt.body, openapi3.MultiErrors())
			if tt.valid && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.valid && err == nil {
				t.Errorf("accepted %s", fmt.Sprint(tt.body))
			}
		})
	}
}

// portman/portman-config.json targets operations by operationId and expected status: a renamed
// operation or an undocumented status would silently drop its contract tests.
func TestPortmanConfigTargetsDocumentedOperations(t *testing.T) {
	doc := load(t)
	ops := map[string]*openapi3.Operation{}
	for _, o := range operations(doc) {
		ops[o.op.OperationID] = o.op
	}
	raw, err := os.ReadFile("../portman/portman-config.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Tests struct {
			ContractTests  []portmanTarget `json:"contractTests"`
			ContentTests   []portmanTarget `json:"contentTests"`
			VariationTests []portmanTarget `json:"variationTests"`
		} `json:"tests"`
		AssignVariables []portmanTarget `json:"assignVariables"`
		Overwrites      []portmanTarget `json:"overwrites"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("portman-config.json: %v", err)
	}
	var all []portmanTarget
	for _, group := range [][]portmanTarget{cfg.Tests.ContractTests, cfg.Tests.ContentTests, cfg.Tests.VariationTests, cfg.AssignVariables, cfg.Overwrites} {
		all = append(all, group...)
	}
	covered := map[string]bool{}
	for _, target := range all {
		ids := target.OperationIDs
		if target.OperationID != "" {
			ids = append(ids, target.OperationID)
		}
		if len(ids) == 0 {
			t.Errorf("a Portman entry targets no operationId: %+v", target)
		}
		for _, id := range ids {
			op, ok := ops[id]
			if !ok {
				t.Errorf("Portman targets operationId %q, which docs/openapi.yaml does not have", id)
				continue
			}
			covered[id] = true
			if target.Response != "" {
				code, err := strconv.Atoi(target.Response)
				if err != nil || op.Responses.Status(code) == nil {
					t.Errorf("Portman expects %s from %s, which docs/openapi.yaml does not document", target.Response, id)
				}
			}
		}
	}
	for id := range ops {
		if !covered[id] {
			t.Errorf("operation %s has no Portman contract test", id)
		}
	}
}

type portmanTarget struct {
	OperationID  string   `json:"openApiOperationId"`
	OperationIDs []string `json:"openApiOperationIds"`
	Response     string   `json:"openApiResponse"`
}
