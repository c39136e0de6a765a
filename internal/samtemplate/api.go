package samtemplate

import (
	"fmt"
	"sort"
	"strings"
)

// Route is one API event of a function: API Gateway invokes FunctionID for Method and Path.
type Route struct {
	Method     string // upper case; ANY matches every method
	Path       string // as declared, with {param} and {proxy+} segments
	FunctionID string
	// Authorizer names the API's authorizer guarding the route; empty for a public route
	// (Auth.Authorizer: NONE, or no default authorizer).
	Authorizer string
}

// Public reports whether no authorizer guards the route.
func (r Route) Public() bool { return r.Authorizer == "" }

// Authorizer is a Cognito user pool authorizer declared in an AWS::Serverless::Api.
type Authorizer struct {
	Name        string
	UserPoolArn any // unresolved expression, e.g. {"Ref": "UserPoolArn"}
	Header      string
}

// APIRoutes lists every Api event of every AWS::Serverless::Function, sorted by path then method.
func (t *Template) APIRoutes() ([]Route, error) {
	var routes []Route
	for id, res := range t.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		for name, ev := range asMap(res.Properties["Events"]) {
			em := asMap(ev)
			if em["Type"] != "Api" {
				continue
			}
			props := asMap(em["Properties"])
			path, _ := props["Path"].(string)
			method, _ := props["Method"].(string)
			if path == "" || method == "" {
				return nil, fmt.Errorf("%s event %s: Path and Method are required", id, name)
			}
			authorizer, err := t.routeAuthorizer(props)
			if err != nil {
				return nil, fmt.Errorf("%s event %s: %w", id, name, err)
			}
			routes = append(routes, Route{
				Method: strings.ToUpper(method), Path: path, FunctionID: id,
				Authorizer: authorizer,
			})
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	return routes, nil
}

// routeAuthorizer applies SAM's rule: the event's Auth.Authorizer, else the API's DefaultAuthorizer;
// NONE means public.
func (t *Template) routeAuthorizer(props map[string]any) (string, error) {
	name, _ := asMap(props["Auth"])["Authorizer"].(string)
	if name == "" {
		api, err := t.eventAPI(props)
		if err != nil {
			return "", err
		}
		if api != nil {
			name, _ = asMap(api.Properties["Auth"])["DefaultAuthorizer"].(string)
		}
	}
	if name == "" || name == "NONE" {
		return "", nil
	}
	return name, nil
}

// eventAPI returns the AWS::Serverless::Api named by the event's RestApiId (nil for SAM's implicit API).
func (t *Template) eventAPI(props map[string]any) (*Resource, error) {
	ref, ok := props["RestApiId"]
	if !ok {
		return nil, nil
	}
	id, _ := asMap(ref)["Ref"].(string)
	api, found := t.Resources[id]
	if !found || api.Type != "AWS::Serverless::Api" {
		return nil, fmt.Errorf("RestApiId %v is not an AWS::Serverless::Api of this template", ref)
	}
	return &api, nil
}

// Authorizers returns the Cognito authorizers declared by every AWS::Serverless::Api, by name.
func (t *Template) Authorizers() map[string]Authorizer {
	out := map[string]Authorizer{}
	for _, res := range t.Resources {
		if res.Type != "AWS::Serverless::Api" {
			continue
		}
		for name, a := range asMap(asMap(res.Properties["Auth"])["Authorizers"]) {
			am := asMap(a)
			arn, ok := am["UserPoolArn"]
			if !ok {
				continue // not a Cognito authorizer
			}
			header, _ := asMap(am["Identity"])["Header"].(string)
			if header == "" {
				header = "Authorization"
			}
			out[name] = Authorizer{Name: name, UserPoolArn: arn, Header: header}
		}
	}
	return out
}

// FunctionEnvironment resolves a function's environment variables: Globals first, then its own.
func (t *Template) FunctionEnvironment(id string, r *Resolver) (map[string]string, error) {
	res, ok := t.Resources[id]
	if !ok || res.Type != "AWS::Serverless::Function" {
		return nil, fmt.Errorf("%s is not an AWS::Serverless::Function", id)
	}
	merged := map[string]any{}
	global := asMap(asMap(asMap(t.Globals["Function"])["Environment"])["Variables"])
	own := asMap(asMap(res.Properties["Environment"])["Variables"])
	for _, vars := range []map[string]any{global, own} {
		for k, v := range vars {
			merged[k] = v
		}
	}
	resolved, err := r.ResolveMap(merged)
	if err != nil {
		return nil, fmt.Errorf("%s environment: %w", id, err)
	}
	env := make(map[string]string, len(resolved))
	for k, v := range resolved {
		env[k] = scalarString(v)
	}
	return env, nil
}

// FunctionTimeout is the function's Timeout in seconds (its own, else Globals, else SAM's 3).
func (t *Template) FunctionTimeout(id string) int {
	for _, props := range []map[string]any{t.Resources[id].Properties, asMap(t.Globals["Function"])} {
		if n, ok := props["Timeout"].(int); ok {
			return n
		}
	}
	return 3
}
