package main

import (
	"bytes"
	"go/format"
	"strings"
	"text/template"
)

var funcs = template.FuncMap{"dict": func(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}, "upper": strings.ToUpper, "title": func(s string) string { return strings.ToUpper(s[:1]) + strings.ToLower(s[1:]) }}

// render executes tmpl for data, gofmt'ing Go sources; the templates are fixed, so an error is a bug.
func render(tmpl *template.Template, data any) []byte {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		panic(err)
	}
	if strings.HasSuffix(tmpl.Name(), ".go") {
		out, err := format.Source(b.Bytes())
		if err != nil {
			panic(tmpl.Name() + ": " + err.Error())
		}
		return out
	}
	return b.Bytes()
}

var mainTemplate = template.Must(template.New("main.go").Funcs(funcs).Parse(`// Command {{.Name}} is the Lambda function behind {{upper .Method}} {{.Path}}; the behaviour lives in internal/{{.Name}}.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/example/cognito-sam-go/internal/{{.Name}}"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := {{.Name}}.FromEnv(os.Getenv, logger)
	if err != nil {
		logger.Error("invalid configuration", "error", err)
		os.Exit(1)
	}
	lambda.Start(httpadapter.New(h).ProxyWithContext)
}
`))

var handlerTemplate = template.Must(template.New("handler.go").Funcs(funcs).Parse(`// Package {{.Name}} answers {{upper .Method}} {{.Path}}{{if not .Public}}, behind the Cognito authorizer{{end}}.
// Written by ` + "`make function`" + `: replace the answer with what the route is for.
package {{.Name}}

import (
	"log/slog"
	"net/http"

	"github.com/example/cognito-sam-go/internal/httpapi"
)

// Response is the body of a 200.
type Response struct {
	Message string ` + "`json:\"message\"`" + `
}

// New returns the {{.Path}} handler.
func New(logger *slog.Logger) http.Handler {
	return &handler{logger: logger}
}

// FromEnv builds the handler as the function's main and the local stack both do. CORS_ALLOW_ORIGIN,
// when set, is the one origin named in Access-Control-Allow-Origin.
func FromEnv(getenv func(string) string, logger *slog.Logger) (http.Handler, error) {
	return httpapi.CORS(getenv("CORS_ALLOW_ORIGIN"), New(logger)), nil
}

type handler struct {
	logger *slog.Logger
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// API Gateway only sends this function its route; anything else is answered as API Gateway does.
	if r.URL.Path != "{{.Path}}" || r.Method != http.Method{{title .Method}} {
		httpapi.WriteError(w, http.StatusForbidden, "Missing Authentication Token")
		return
	}
	h.logger.InfoContext(r.Context(), "{{.Name}}", "status", http.StatusOK)
	httpapi.WriteJSON(w, http.StatusOK, Response{Message: "hello from {{.Name}}"})
}
`))

var handlerTestTemplate = template.Must(template.New("handler_test.go").Funcs(funcs).Parse(`package {{.Name}}_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/example/cognito-sam-go/internal/{{.Name}}"
)

func TestHandlerAnswersItsRouteOnly(t *testing.T) {
	h, err := {{.Name}}.FromEnv(func(string) string { return "" }, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, method, path string
		status             int
		message            string
	}{
		{"its route", http.Method{{title .Method}}, "{{.Path}}", http.StatusOK, "hello from {{.Name}}"},
		{"another method", http.MethodOptions, "{{.Path}}", http.StatusForbidden, "Missing Authentication Token"},
		{"another path", http.Method{{title .Method}}, "{{.Path}}/other", http.StatusForbidden, "Missing Authentication Token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			var body struct{ Message string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q is not JSON: %v", rec.Body, err)
			}
			if rec.Code != c.status || body.Message != c.message {
				t.Errorf("%d %q, want %d %q", rec.Code, body.Message, c.status, c.message)
			}
		})
	}
}
`))

var resourcesTemplate = template.Must(template.New("resources.yaml").Funcs(funcs).Parse(`  {{.LogicalID}}:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      Description: Answers {{upper .Method}} {{.Path}} (written by make function; say what it does)
      Role: !GetAtt {{.Prefix}}FunctionRole.Arn
      LoggingConfig:
        LogGroup: !Ref {{.Prefix}}LogGroup
      Events:
        {{.Prefix}}:
          Type: Api
          Properties:
            RestApiId: !Ref {{.API}}
            Path: {{.Path}}
            Method: {{.Method}}
{{- if .Public}}
            Auth:
              Authorizer: NONE
{{- end}}

  {{.Prefix}}LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !Ref LogRetentionInDays

  {{.Prefix}}FunctionRole:
    Type: AWS::IAM::Role
    Properties:
{{- if .Boundary}}
      PermissionsBoundary: !If [HasPermissionsBoundary, !Ref PermissionsBoundary, !Ref AWS::NoValue]
{{- end}}
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: write-own-logs
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt {{.Prefix}}LogGroup.Arn
{{- if .Tracing}}
        - !If
          - TracingOn
          - PolicyName: send-traces
            PolicyDocument:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Action: [xray:PutTraceSegments, xray:PutTelemetryRecords]
                  Resource: "*"
          - !Ref AWS::NoValue
{{- end}}
{{- if .Alarms}}
{{- range $metric, $what := dict "Errors" "failed (crash, timeout or out of memory)" "Throttles" "was refused by Lambda (concurrency exhausted)"}}

  {{$.LogicalID}}{{$metric}}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: The {{$.Name}} function {{$what}}
      Namespace: AWS/Lambda
      MetricName: {{$metric}}
      Dimensions: [{Name: FunctionName, Value: !Ref {{$.LogicalID}}}]
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
      AlarmActions: [!Ref AlarmTopic]
{{- end}}
{{- end}}
`))

var operationTemplate = template.Must(template.New("operation.yaml").Funcs(funcs).Parse(`  {{.Path}}:
    {{.Method}}:
      operationId: {{.Name}}
      summary: Answers {{upper .Method}} {{.Path}} (written by make function)
{{- if .Public}}
      security: []
{{- else}}
      security:
        - CognitoIdToken: []
{{- end}}
{{- if .HasBody}}
      requestBody:
        required: false
        description: Any JSON value, or nothing
        content:
          application/json:
            schema: {}
            example: {}
{{- end}}
      responses:
        "200":
          description: The route's answer
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Message"
              example:
                message: hello from {{.Name}}
{{- if .Public}}
        "429":
          $ref: "#/components/responses/Throttled"
{{- else}}
        "401":
          description: From the authorizer, before the function runs; no token, a bad one or an expired one
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Error"
              example:
                message: Unauthorized
{{- end}}
`))
