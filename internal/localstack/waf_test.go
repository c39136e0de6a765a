package localstack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
)

func webACLProps(statement map[string]any) map[string]any {
	return map[string]any{
		"Name": "api-public-routes", "Scope": "REGIONAL", "DefaultAction": map[string]any{"Allow": map[string]any{}},
		"Rules": []any{map[string]any{
			"Name": "r", "Priority": 0, "Statement": statement,
			"Action": map[string]any{"Block": map[string]any{"CustomResponse": map[string]any{"ResponseCode": 429}}},
		}},
	}
}

var rateByIP = map[string]any{"RateBasedStatement": map[string]any{"AggregateKeyType": "IP", "Limit": "10"}}

// A web ACL the emulator cannot enforce fails the local deploy, naming what it cannot do.
func TestWAFProvider_UnsupportedStatementFailsTheDeployByName(t *testing.T) {
	create := wafProviders("us-east-1")["AWS::WAFv2::WebACL"]
	_, err := create(context.Background(), "WebAcl", webACLProps(map[string]any{"GeoMatchStatement": map[string]any{"CountryCodes": []any{"FR"}}}))
	if err == nil || !strings.Contains(err.Error(), "GeoMatchStatement") || !strings.Contains(err.Error(), "WebAcl") {
		t.Fatalf("error %v, want one naming WebAcl and GeoMatchStatement", err)
	}
}

// The web ACL associated with the served stage becomes the gateway's filter; an association with
// anything else fails, and no association means no filter.
func TestStageFilter_FindsTheWebACLAssociatedWithTheStage(t *testing.T) {
	created, err := wafProviders("us-east-1")["AWS::WAFv2::WebACL"](context.Background(), "WebAcl", webACLProps(rateByIP))
	if err != nil {
		t.Fatal(err)
	}
	stack := func(target string) *cloudformation.Stack {
		return &cloudformation.Stack{Resources: map[string]cloudformation.Deployed{
			"WebAcl": {Type: "AWS::WAFv2::WebACL", Properties: webACLProps(rateByIP), Ref: created.Ref},
			"Assoc": {Type: "AWS::WAFv2::WebACLAssociation", Properties: map[string]any{
				"WebACLArn": created.Attrs["Arn"], "ResourceArn": target}},
		}}
	}
	filter, err := stageFilter("us-east-1", stack("arn:aws:apigateway:us-east-1::/restapis/abc/stages/v1"), "abc", "v1")
	if err != nil || filter == nil {
		t.Fatalf("filter %v, error %v", filter, err)
	}
	blocked := 0
	for range 11 {
		r := httptest.NewRequest(http.MethodPost, "/login", nil)
		r.RemoteAddr = "127.0.0.2:1234"
		if filter(httptest.NewRecorder(), r) {
			blocked++
		}
	}
	if blocked != 1 {
		t.Fatalf("%d of 11 requests blocked, want the 11th", blocked)
	}
	if _, err := stageFilter("us-east-1", stack("arn:aws:apigateway:us-east-1::/restapis/abc/stages/other"), "abc", "v1"); err == nil {
		t.Fatal("an association with another stage was accepted")
	}
	if f, err := stageFilter("us-east-1", &cloudformation.Stack{}, "abc", "v1"); f != nil || err != nil {
		t.Fatalf("no association: filter %v, error %v; want none", f, err)
	}
}
