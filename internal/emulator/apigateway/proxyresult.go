package apigateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"sort"
	"strconv"
	"strings"
)

// proxyResult is a function's answer read as API Gateway reads it ("Output format of a Lambda
// function for proxy integration",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format),
// with the leniency and strictness recorded in LocalStack's test_apigateway_lambda.snapshot.json,
// test_aws_proxy_response_payload_format_validation (validated 2024-11-15): a result without
// statusCode is 200 with an empty body, statusCode may be a string ("201"), a header value may be
// a boolean or number (answered as its JSON text, "true"), and a top-level key outside the five of
// the format, a multiValueHeaders value that is not a list, a statusCode that is not a number or a
// result that is not an object are malformed (502).
type proxyResult struct {
	status  int
	headers []headerLine // in the function's spelling
	body    string
	base64  bool
}

type headerLine struct {
	name   string
	values []string
}

func parseProxyResult(out []byte) (*proxyResult, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(out, &fields); err != nil {
		return nil, err
	}
	if fields == nil {
		return nil, errors.New("result is null")
	}
	res := &proxyResult{status: http.StatusOK}
	var single map[string]json.RawMessage
	var multi map[string]json.RawMessage
	for key, raw := range fields {
		var err error
		switch key {
		case "statusCode":
			err = res.parseStatus(raw)
		case "headers":
			err = json.Unmarshal(raw, &single)
		case "multiValueHeaders":
			err = json.Unmarshal(raw, &multi)
		case "body":
			err = unmarshalUnlessNull(raw, &res.body)
		case "isBase64Encoded":
			err = unmarshalUnlessNull(raw, &res.base64)
		default:
			err = errors.New("unknown key")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := res.mergeHeaders(multi, single); err != nil {
		return nil, err
	}
	return res, nil
}

func unmarshalUnlessNull(raw json.RawMessage, v any) error {
	if string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, v)
}

func (res *proxyResult) parseStatus(raw json.RawMessage) error {
	if string(raw) == "null" {
		return nil
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		text = string(raw) // a number
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 100 || n > 599 {
		return fmt.Errorf("%s is not an HTTP status", raw)
	}
	res.status = n
	return nil
}

// mergeHeaders answers a name found in both multiValueHeaders and headers (whatever the case of
// either) with every value, the multiValueHeaders ones first, under the multiValueHeaders spelling:
// recorded as "tesT-Multi: value-multi, value-solo".
func (res *proxyResult) mergeHeaders(multi, single map[string]json.RawMessage) error {
	index := map[string]int{} // canonical name -> res.headers
	add := func(name string, values []string) error {
		if !validHeaderName(name) {
			return fmt.Errorf("header name %q is not an HTTP token", name)
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if i, ok := index[canon]; ok {
			res.headers[i].values = append(res.headers[i].values, values...)
			return nil
		}
		index[canon] = len(res.headers)
		res.headers = append(res.headers, headerLine{name, values})
		return nil
	}
	for _, name := range sortedRaw(multi) {
		var items []json.RawMessage
		if err := unmarshalUnlessNull(multi[name], &items); err != nil {
			return fmt.Errorf("multiValueHeaders.%s: %w", name, err)
		}
		var values []string
		for _, item := range items {
			v, ok, err := headerValue(item)
			if err != nil {
				return fmt.Errorf("multiValueHeaders.%s: %w", name, err)
			}
			if ok {
				values = append(values, v)
			}
		}
		if err := add(name, values); err != nil {
			return err
		}
	}
	for _, name := range sortedRaw(single) {
		v, ok, err := headerValue(single[name])
		if err != nil {
			return fmt.Errorf("headers.%s: %w", name, err)
		}
		if !ok {
			continue
		}
		if err := add(name, []string{v}); err != nil {
			return err
		}
	}
	return nil
}

// headerValue is a header value as API Gateway answers it: a string as is, a boolean or number as
// its JSON text, null as no value. An object or a list has no text AWS is recorded answering: the
// safe side is a malformed result.
func headerValue(raw json.RawMessage) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", false, nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err == nil, err
	case raw[0] == '{' || raw[0] == '[':
		return "", false, errors.New("not a string, number or boolean")
	default:
		return string(raw), true, nil
	}
}

// validHeaderName reports whether name is an HTTP token (RFC 9110 section 5.6.2), so that it can be
// written as a header name; AWS's answer to any other is not recorded: malformed, the safe side.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func sortedRaw(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// answerBody is the body to send: the base64 body decoded when the answer is binary (an invalid
// base64 body is then an error, API Gateway's 500), else the body as the function gave it.
func (res *proxyResult) answerBody(binary bool) ([]byte, error) {
	if !res.base64 || !binary {
		return []byte(res.body), nil
	}
	return base64.StdEncoding.DecodeString(res.body)
}

// write sends the answer with the function's header names as written (API Gateway answers
// "header-bool", "tesT-Multi" as the function spelled them). The framing is the gateway's own:
// Content-Length of the body, the function's Content-Length and Transfer-Encoding dropped. The
// headers net/http manages itself go under their canonical names so that it sees them, and with no
// Content-Type from the function the answer is application/json, as recorded.
func (res *proxyResult) write(w http.ResponseWriter, body []byte) {
	h := w.Header()
	for _, line := range res.headers {
		switch canon := textproto.CanonicalMIMEHeaderKey(line.name); canon {
		case "Content-Length", "Transfer-Encoding":
		case "Content-Type", "Date", "Connection":
			h[canon] = line.values
		default:
			h[line.name] = line.values
		}
	}
	if len(h["Content-Type"]) == 0 || strings.TrimSpace(h["Content-Type"][0]) == "" {
		h["Content-Type"] = []string{"application/json"}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(res.status)
	_, _ = w.Write(body)
}
