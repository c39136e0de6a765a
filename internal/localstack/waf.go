package localstack

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway"
	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/emulator/wafv2"
)

// wafProviders create the web ACLs and their associations. A web ACL the WAF emulator cannot enforce
// fails the deploy, naming the statement or setting, rather than serving the API unprotected.
func wafProviders(region string) map[string]cloudformation.Provider {
	return map[string]cloudformation.Provider{
		"AWS::WAFv2::WebACL": func(_ context.Context, id string, props map[string]any) (cloudformation.Created, error) {
			acl, err := wafv2.New(props, wafv2.Options{})
			if err != nil {
				return cloudformation.Created{}, fmt.Errorf("%s: %w", id, err)
			}
			// Ref is "name|id|scope" (AWS::WAFv2::WebACL return values); the id is the logical id locally.
			return cloudformation.Created{Ref: acl.Name() + "|" + id + "|REGIONAL", Attrs: map[string]string{
				"Arn": webACLArn(region, acl.Name(), id), "Id": id,
			}}, nil
		},
		"AWS::WAFv2::WebACLAssociation": func(_ context.Context, id string, _ map[string]any) (cloudformation.Created, error) {
			return cloudformation.Created{Ref: id}, nil
		},
	}
}

func webACLArn(region, name, id string) string {
	return fmt.Sprintf("arn:aws:wafv2:%s:%s:regional/webacl/%s/%s", region, accountID, name, id)
}

// stageFilter is the web ACL associated with the REST API's stage (restAPIRef, stageName), as the
// gateway's request filter; nil when none is (WafEnabled=false).
func stageFilter(region string, st *cloudformation.Stack, restAPIRef, stageName string) (apigateway.Filter, error) {
	stageSuffix := ":/restapis/" + restAPIRef + "/stages/" + stageName
	for _, id := range slices.Sorted(maps.Keys(st.Resources)) {
		assoc := st.Resources[id]
		if assoc.Type != "AWS::WAFv2::WebACLAssociation" {
			continue
		}
		target, _ := assoc.Properties["ResourceArn"].(string)
		if !strings.HasSuffix(target, stageSuffix) {
			return nil, fmt.Errorf("%s associates a web ACL with %s, which is not the stage the local stack serves (%s)", id, target, stageSuffix)
		}
		want, _ := assoc.Properties["WebACLArn"].(string)
		for aclID, r := range st.Resources {
			if r.Type != "AWS::WAFv2::WebACL" {
				continue
			}
			name, _ := r.Properties["Name"].(string)
			if webACLArn(region, name, aclID) != want {
				continue
			}
			acl, err := wafv2.New(r.Properties, wafv2.Options{})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", aclID, err)
			}
			return acl.Intercept, nil
		}
		return nil, fmt.Errorf("%s names web ACL %s, which the stack does not create", id, want)
	}
	return nil, nil
}
