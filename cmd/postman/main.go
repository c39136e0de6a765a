// Command postman writes the Postman collection (v2.1) and environments of the API from its OpenAPI
// document, so that what a newcomer imports into Postman is the API the document describes:
//
//	go run ./cmd/postman            # reads docs/openapi.yaml, writes postman/*.json
//
// A test regenerates the files and fails when the committed ones differ.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	in := flag.String("openapi", "docs/openapi.yaml", "the OpenAPI document to read")
	out := flag.String("out", "postman", "directory to write the collection and environments to")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "postman:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	spec, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	files, err := Generate(spec)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(out, f.Name)
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
		fmt.Println(path)
	}
	return nil
}
