package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// DecodeError is a request body that cannot be accepted, with the status it deserves.
type DecodeError struct {
	Status  int
	Message string
}

func (e *DecodeError) Error() string { return e.Message }

func badRequest(format string, args ...any) error {
	return &DecodeError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// ReadBody reads at most limit bytes of r's body. A larger body is a 413 DecodeError, so a client
// cannot make the function buffer more than it is willing to parse.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, badRequest("request body could not be read")
	}
	if int64(len(body)) > limit {
		return nil, &DecodeError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", limit)}
	}
	return body, nil
}

// DecodeObject parses body as exactly one JSON object into dst, strictly: unknown fields, trailing
// data and values of the wrong type are 400 DecodeErrors whose message names the problem.
func DecodeObject(body []byte, dst any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return badRequest("request body is empty; send a JSON object")
	}
	if trimmed[0] != '{' {
		return badRequest("request body must be a JSON object")
	}
	// encoding/json matches keys case-insensitively and keeps the last of duplicates; a strict API
	// accepts each field once, spelled exactly.
	if err := checkKeys(trimmed, fieldNames(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return describe(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("request body must hold a single JSON object")
	}
	return nil
}

// checkKeys reads the top-level keys of the object in body and refuses duplicates and any key that
// is not exactly one of fields (when fields is known).
func checkKeys(body []byte, fields map[string]bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // the opening brace
		return describe(err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return describe(err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return badRequest("field %q appears more than once", key)
		}
		seen[key] = true
		if fields != nil && !fields[key] {
			return badRequest("unknown field %q", key)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return describe(err)
		}
	}
	return nil
}

// fieldNames lists the JSON names of the fields of the struct dst points to (nil when dst is not a
// pointer to a struct).
func fieldNames(dst any) map[string]bool {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	names := map[string]bool{}
	for _, f := range reflect.VisibleFields(t.Elem()) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names[name] = true
	}
	return names
}

// describe turns encoding/json's errors into messages for the caller, without echoing their input.
func describe(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return badRequest("field %q must be a %s", typeErr.Field, jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &typeErr):
		return badRequest("request body must be a JSON object")
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("request body is not valid JSON")
	default:
		// DisallowUnknownFields reports `json: unknown field "x"`; keep the field name, drop the prefix.
		var field string
		if _, scanErr := fmt.Sscanf(err.Error(), "json: unknown field %q", &field); scanErr == nil {
			return badRequest("unknown field %q", field)
		}
		return badRequest("request body is not valid JSON")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	default:
		return "number"
	}
}
