package apigateway

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// swagger is the part of the RestApi's Body the gateway serves: swagger 2.0, or OpenAPI 3.0 when the
// template sets OpenApiVersion (the SAM translator then writes the authorizers under
// components.securitySchemes, in the same shape):
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
type swagger struct {
	Paths               map[string]map[string]json.RawMessage `json:"paths"`
	SecurityDefinitions map[string]securityDefinition         `json:"securityDefinitions"`
	Components          struct {
		SecuritySchemes map[string]securityDefinition `json:"securitySchemes"`
	} `json:"components"`
	GatewayResponses map[string]gatewayResponseDef `json:"x-amazon-apigateway-gateway-responses"`
	BinaryMediaTypes []string                      `json:"x-amazon-apigateway-binary-media-types"`
}

type securityDefinition struct {
	Name       string `json:"name"` // the identity source header
	In         string `json:"in"`
	Authorizer *struct {
		Type         string   `json:"type"`
		ProviderARNs []string `json:"providerARNs"`
	} `json:"x-amazon-apigateway-authorizer"`
}

type operation struct {
	Security    []map[string][]string `json:"security"`
	Integration *integration          `json:"x-amazon-apigateway-integration"`
}

type integration struct {
	Type             string                         `json:"type"`
	URI              string                         `json:"uri"`
	TimeoutInMillis  int                            `json:"timeoutInMillis"`
	RequestTemplates map[string]string              `json:"requestTemplates"`
	Responses        map[string]integrationResponse `json:"responses"`
}

type integrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

// anyMethod is how swagger spells API Gateway's ANY method.
const anyMethod = "x-amazon-apigateway-any-method"

// method is one served method of one resource.
type method struct {
	resource  string // the path template, e.g. /items/{id}
	verb      string // POST, GET, ..., or ANY
	segments  []string
	function  string // aws_proxy: the Lambda function's name
	timeout   int    // integration timeout in ms, 0 for the default
	mock      *integration
	authorize string // the security definition's name, "" for none
}

// functionARN matches the Lambda invocation URI of an aws_proxy integration.
var functionARN = regexp.MustCompile(`^arn:[^:]+:apigateway:[^:]+:lambda:path/2015-03-31/functions/(arn:[^/]+)/invocations$`)

// parseDefinition reads the methods, authorizers and gateway responses of a resolved Body.
func parseDefinition(body []byte) ([]method, swagger, error) {
	var doc swagger
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, doc, fmt.Errorf("apigateway: RestApi Body: %w", err)
	}
	if doc.SecurityDefinitions == nil {
		doc.SecurityDefinitions = doc.Components.SecuritySchemes
	}
	var methods []method
	for _, path := range sortedKeys(doc.Paths) {
		for verb, raw := range doc.Paths[path] {
			if (strings.HasPrefix(verb, "x-") && verb != anyMethod) || verb == "parameters" {
				continue
			}
			m, err := parseOperation(path, verb, raw, doc.SecurityDefinitions)
			if err != nil {
				return nil, doc, fmt.Errorf("apigateway: %s %s: %w", strings.ToUpper(verb), path, err)
			}
			methods = append(methods, m)
		}
	}
	return methods, doc, nil
}

func parseOperation(path, verb string, raw json.RawMessage, defs map[string]securityDefinition) (method, error) {
	var op operation
	if err := json.Unmarshal(raw, &op); err != nil {
		return method{}, err
	}
	m := method{resource: path, verb: strings.ToUpper(verb), segments: splitPath(path)}
	if verb == anyMethod {
		m.verb = "ANY"
	}
	in := op.Integration
	if in == nil {
		return m, fmt.Errorf("no x-amazon-apigateway-integration")
	}
	switch in.Type {
	case "aws_proxy":
		sub := functionARN.FindStringSubmatch(in.URI)
		if sub == nil {
			return m, fmt.Errorf("integration uri %q is not a Lambda invocation (unresolved intrinsic?)", in.URI)
		}
		m.function = functionName(sub[1])
		m.timeout = in.TimeoutInMillis
	case "mock":
		m.mock = in
	default:
		return m, fmt.Errorf("integration type %q is not emulated", in.Type)
	}
	for _, req := range op.Security {
		for name := range req {
			if name == "NONE" { // SAM's marker for a public method
				continue
			}
			def, ok := defs[name]
			if !ok || def.Authorizer == nil || def.Authorizer.Type != "cognito_user_pools" {
				return m, fmt.Errorf("security %q is not a cognito_user_pools authorizer", name)
			}
			m.authorize = name
		}
	}
	return m, nil
}

// functionName turns arn:aws:lambda:<region>:<account>:function:<name>[:qualifier] into <name>.
func functionName(arn string) string {
	parts := strings.Split(arn, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return arn
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}
