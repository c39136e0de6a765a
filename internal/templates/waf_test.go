package templates_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/emulator/wafv2"
	"github.com/example/cognito-sam-go/internal/templates"
)

// deployedAPI is the API stack as CloudFormation creates it with params.
func deployedAPI(t *testing.T, params map[string]string) *cloudformation.Stack {
	t.Helper()
	return deploy(t, apiTemplate, params, "cognito-go-api-only")
}

// onlyDeployed is the one deployed resource of type typ.
func onlyDeployed(t *testing.T, st *cloudformation.Stack, typ string) (string, cloudformation.Deployed) {
	t.Helper()
	var ids []string
	for id, r := range st.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("resources of type %s: %v, want exactly one", typ, ids)
	}
	return ids[0], st.Resources[ids[0]]
}

// The web ACL protects the API's one stage, in the ARN form WAF takes for a REST API stage
// (arn:aws:apigateway:<region>::/restapis/<api id>/stages/<stage name>, API_AssociateWebACL).
func TestWAF_WebACLIsAssociatedWithTheStage(t *testing.T) {
	st := deployedAPI(t, apiParams)
	_, assoc := onlyDeployed(t, st, "AWS::WAFv2::WebACLAssociation")
	aclID, _ := onlyDeployed(t, st, "AWS::WAFv2::WebACL")
	_, api := onlyDeployed(t, st, "AWS::ApiGateway::RestApi")
	_, stage := onlyDeployed(t, st, "AWS::ApiGateway::Stage")
	want := fmt.Sprintf("arn:aws:apigateway:%s::/restapis/%s/stages/%s", region, api.Ref, stage.Ref)
	if got := assoc.Properties["ResourceArn"]; got != want {
		t.Errorf("association ResourceArn %v, want the stage %s", got, want)
	}
	if got, want := assoc.Properties["WebACLArn"], arnOf(t, st, aclID); got != want {
		t.Errorf("association WebACLArn %v, want %v", got, want)
	}
}

// webACL is the deployed web ACL as the WAF emulator enforces it, on a clock that never moves: a
// rate-based rule then blocks an address exactly past its limit.
func webACL(t *testing.T, st *cloudformation.Stack) *wafv2.WebACL {
	t.Helper()
	_, acl := onlyDeployed(t, st, "AWS::WAFv2::WebACL")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w, err := wafv2.New(acl.Properties, wafv2.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// requestsUntilBlocked sends method path from ip until the web ACL blocks it, at most max times, and
// returns how many were let through (max when none was blocked) and the blocked answer.
func requestsUntilBlocked(acl *wafv2.WebACL, ip, method, path string, max int) (int, *wafv2.Response) {
	for i := range max {
		r := httptest.NewRequest(method, path, strings.NewReader("{}"))
		r.RemoteAddr = ip + ":50000"
		if v := acl.Evaluate(r); v.Response != nil {
			return i, v.Response
		}
	}
	return max, nil
}

// Every public route, derived from the translated API, is inside a rate-based rule's scope (however
// its path is spelled), and no route behind the authorizer is. The routes that send e-mail or create accounts get the strictest limit.
func TestWAF_EveryPublicRouteIsRateLimitedPerAddressAndNoGuardedRouteIs(t *testing.T) {
	params := with(apiParams, "WafEmailRouteLimit", "12", "WafPublicRouteLimit", "40")
	st := deployedAPI(t, params)
	acl := webACL(t, st)
	_, stage := onlyDeployed(t, st, "AWS::ApiGateway::Stage")
	stageName, _ := stage.Properties["StageName"].(string)
	routes := templates.Routes(translatedAPI(t, params))
	const never = 1000
	public := 0
	for i, route := range slices.Sorted(maps.Keys(routes)) {
		method, path, _ := strings.Cut(route, " ")
		// As the stage serves it, under a custom domain's base path, with the trailing slash API Gateway
		// also routes, and with a letter percent-encoded.
		last := strings.LastIndexAny(path, "abcdefghijklmnopqrstuvwxyz")
		encoded := path[:last] + fmt.Sprintf("%%%02X", path[last]) + path[last+1:]
		for j, p := range []string{"/" + stageName + path, path, "/" + stageName + path + "/", "/" + stageName + encoded} {
			ip := fmt.Sprintf("10.0.%d.%d", i, j)
			served, resp := requestsUntilBlocked(acl, ip, method, p, never)
			switch {
			case !routes[route] && resp != nil:
				t.Errorf("guarded route %s (%s) is rate-limited by the web ACL", route, p)
			case routes[route] && resp == nil:
				t.Errorf("public route %s (%s): %d requests from one address, none blocked", route, p, never)
			case routes[route] && resp != nil:
				want := 40
				if strings.HasSuffix(path, "/signup") || strings.HasSuffix(path, "/signup/resend") || strings.HasSuffix(path, "/password/forgot") {
					want = 12 // WafEmailRouteLimit: the routes that send e-mail or create accounts
				}
				if served != want {
					t.Errorf("public route %s (%s): blocked after %d requests, want %d", route, p, served, want)
				}
			}
		}
		if routes[route] {
			public++
		}
	}
	if public == 0 {
		t.Fatal("the API has no public route: the check would pass vacuously")
	}
}

// A blocked request gets the contract's 429 JSON, with the CORS origin when CORS is on and no CORS
// header when it is off.
func TestWAF_BlockedAnswerIsTheContracts429JSON(t *testing.T) {
	for _, v := range corsVariants {
		t.Run(v.name, func(t *testing.T) {
			st := deployedAPI(t, v.params)
			_, resp := requestsUntilBlocked(webACL(t, st), "10.1.0.1", http.MethodPost, "/v1/signup", 1000)
			if resp == nil {
				t.Fatal("no request to /v1/signup was blocked")
			}
			var body map[string]any
			if err := json.Unmarshal(resp.Body, &body); err != nil || !reflect.DeepEqual(body, map[string]any{"message": "Too Many Requests"}) {
				t.Errorf("body %s, want {\"message\":\"Too Many Requests\"}", resp.Body)
			}
			if resp.Status != http.StatusTooManyRequests || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("status %d, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
			}
			wantOrigin := v.params["CorsAllowOrigin"]
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != wantOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, wantOrigin)
			}
		})
	}
}

// WafEnabled=false removes the web ACL, its association and the alarm on its metric, and changes
// nothing else in the stack.
func TestWAF_OffSwitchRemovesEveryWAFResourceAndNothingElse(t *testing.T) {
	on := deployedAPI(t, apiParams)
	off := deployedAPI(t, with(apiParams, "WafEnabled", "false"))
	for id, r := range on.Resources {
		isWAF := strings.HasPrefix(r.Type, "AWS::WAFv2::") || r.Properties["Namespace"] == "AWS/WAFV2"
		offR, kept := off.Resources[id]
		switch {
		case isWAF && kept:
			t.Errorf("WafEnabled=false keeps %s (%s)", id, r.Type)
		case !isWAF && !kept:
			t.Errorf("WafEnabled=false removes %s (%s), which is not WAF's", id, r.Type)
		case !isWAF && !reflect.DeepEqual(r.Properties, offR.Properties):
			t.Errorf("WafEnabled=false changes %s", id)
		}
	}
	for id := range off.Resources {
		if _, ok := on.Resources[id]; !ok {
			t.Errorf("WafEnabled=false adds %s", id)
		}
	}
	if countType(on, "AWS::WAFv2::") == 0 {
		t.Fatal("no WAF resource by default: WAF must be on unless turned off")
	}
}

func countType(st *cloudformation.Stack, prefix string) int {
	n := 0
	for _, r := range st.Resources {
		if strings.HasPrefix(r.Type, prefix) {
			n++
		}
	}
	return n
}

// WAF's documented constraints are the parameters' own: "The lowest limit setting allowed is 10", and
// evaluation windows of 60, 120, 300 or 600 seconds
// (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
func TestWAF_LimitsOutsideWAFsConstraintsAreRefusedBeforeDeploying(t *testing.T) {
	for _, kv := range [][2]string{
		{"WafEmailRouteLimit", "9"}, {"WafPublicRouteLimit", "9"},
		{"WafEmailRouteWindow", "30"}, {"WafPublicRouteWindow", "900"},
	} {
		msg := templates.TranslateError(t, apiTemplate, with(apiParams, kv[0], kv[1]))
		if !strings.Contains(msg, kv[0]) {
			t.Errorf("%s=%s refused without naming the parameter: %s", kv[0], kv[1], msg)
		}
	}
}
