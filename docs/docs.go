// Package docs holds the API's OpenAPI description, docs/openapi.yaml, embedded for tools and tests.
// Its test validates the document and keeps it in step with the routes of api-stack/template.yaml.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml: OpenAPI 3.0.3 for POST /login, /login/new-password, /refresh and /echo.
//
//go:embed openapi.yaml
var OpenAPI []byte
