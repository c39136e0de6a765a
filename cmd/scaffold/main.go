// Command scaffold adds a route to the API: a Lambda function (functions/<name>/main.go, thin wiring),
// its handler package with a table-driven test (internal/<name>), its resources in
// api-stack/template.yaml (function, log group, role that may only write that group, and for a public
// route its own throttling entry), its operation in docs/openapi.yaml and its Portman contract test.
// `make function NAME=hello METHOD=get AUTH=cognito` runs it, then regenerates postman/ from the
// OpenAPI document.
//
//	go run ./cmd/scaffold -name hello -method get -auth cognito [-path /hello] [-root .]
//
// It checks everything before it writes anything: a refused scaffold (exit 2) leaves the tree as it was.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

func main() {
	var r Route
	root := flag.String("root", ".", "the repository root")
	flag.StringVar(&r.Name, "name", "", "the function's name: lower-case letters and digits, starting with a letter (hello)")
	flag.StringVar(&r.Method, "method", "", "the route's HTTP method: get, post, put, patch or delete")
	flag.StringVar(&r.Auth, "auth", "cognito", "cognito (the ID token is required) or none (public, with its own throttling)")
	flag.StringVar(&r.Path, "path", "", "the route's path (default /<name>)")
	flag.Parse()
	touched, err := Scaffold(*root, r)
	var usage *UsageError
	switch {
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "scaffold:", err)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "scaffold:", err)
		os.Exit(1)
	}
	for _, f := range touched {
		fmt.Println(f)
	}
}
