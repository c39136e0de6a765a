package lambda

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reserved are the variables Lambda sets itself and refuses in a function's configuration
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
var reserved = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// Credentials in the form of an execution role's, so that an SDK's default chain stops at the
// environment as it does in Lambda (instead of reading the developer's ~/.aws or probing an instance
// metadata endpoint). They are not valid anywhere: the functions make anonymous or emulated calls.
const (
	fakeAccessKeyID     = "ASIAEMULATEDLAMBDA00"
	fakeSecretAccessKey = "emulated/lambda/credentials/not/valid/anywhere0"
	fakeSessionToken    = "emulated-lambda-session-token-not-valid-anywhere"
)

// baseEnv is what every environment of fn gets, before the per-environment variables
// (AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_LOG_STREAM_NAME). Nothing comes from this process's environment:
// a developer's AWS_PROFILE, credentials or HOME (and with it ~/.aws) would make a function behave
// differently from Lambda, and a Go bootstrap needs none of it. PATH, LANG and TZ take Lambda's
// documented values, which name directories any Unix host has.
func baseEnv(fn Function, region string) map[string]string {
	root := filepath.Dir(fn.Binary)
	env := map[string]string{
		"PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LANG": "en_US.UTF-8",
		"TZ":   ":UTC",
		// Lambda's are /var/task and /var/runtime; here the bootstrap's own directory, so that a
		// function reading files next to itself finds them.
		"LAMBDA_TASK_ROOT":                root,
		"LAMBDA_RUNTIME_DIR":              root,
		"_HANDLER":                        fn.Handler,
		"AWS_REGION":                      region,
		"AWS_DEFAULT_REGION":              region,
		"AWS_LAMBDA_FUNCTION_NAME":        fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + fn.Name,
		"AWS_ACCESS_KEY_ID":               fakeAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           fakeSecretAccessKey,
		"AWS_SESSION_TOKEN":               fakeSessionToken,
	}
	// "This environment variable is not defined for OS-only runtimes (the provided runtime family)."
	if !strings.HasPrefix(fn.Runtime, "provided") {
		env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + fn.Runtime
	}
	maps.Copy(env, fn.Env) // unreserved only: New refuses the reserved ones
	return env
}

// environ is one environment's variables, sorted.
func environ(base map[string]string, runtimeAPI string) []string {
	env := maps.Clone(base)
	env["AWS_LAMBDA_RUNTIME_API"] = runtimeAPI
	// One log stream per execution environment, named as Lambda names them.
	env["AWS_LAMBDA_LOG_STREAM_NAME"] = time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16)
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// checkEnv refuses what Lambda's CreateFunction refuses: reserved keys, and keys that are not
// [a-zA-Z][a-zA-Z0-9_]* (https://docs.aws.amazon.com/lambda/latest/api/API_Environment.html).
func checkEnv(env map[string]string) error {
	for k := range env {
		if reserved[k] {
			return fmt.Errorf("environment variable %s is reserved by Lambda", k)
		}
		if !validKey(k) {
			return fmt.Errorf("environment variable name %q is not [a-zA-Z][a-zA-Z0-9_]*", k)
		}
	}
	return nil
}

func validKey(k string) bool {
	for i, c := range k {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c != '_' && (c < '0' || c > '9')) {
			return false
		}
	}
	return k != ""
}
