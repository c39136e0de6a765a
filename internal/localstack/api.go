package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/cognito-sam-go/internal/emulator/apigateway"
	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
)

// restAPI finds the API stack's one REST API and its stage, as CloudFormation deployed them.
func restAPI(st *cloudformation.Stack) (api cloudformation.Deployed, stage cloudformation.Deployed, err error) {
	var apis, stages []string
	for _, id := range slices.Sorted(maps.Keys(st.Resources)) {
		switch st.Resources[id].Type {
		case "AWS::ApiGateway::RestApi":
			apis = append(apis, id)
		case "AWS::ApiGateway::Stage":
			stages = append(stages, id)
		}
	}
	if len(apis) != 1 || len(stages) != 1 {
		return api, stage, fmt.Errorf("%s: the local stack serves one REST API with one stage; the template has APIs %v and stages %v",
			apiStackName, apis, stages)
	}
	api, stage = st.Resources[apis[0]], st.Resources[stages[0]]
	if _, ok := api.Properties["Body"].(map[string]any); !ok {
		return api, stage, fmt.Errorf("%s: RestApi %s has no inline Body (the SAM translator writes one)", apiStackName, apis[0])
	}
	return api, stage, nil
}

// newGateway builds the API Gateway emulator for the deployed REST API; each Cognito user pool its
// authorizers name is verified against the local Cognito's keys.
func newGateway(ctx context.Context, opts Options, st *cloudformation.Stack, invoker apigateway.Invoker, cognitoURL string) (*apigateway.Gateway, string, error) {
	api, stage, err := restAPI(st)
	if err != nil {
		return nil, "", err
	}
	pools := map[string]apigateway.Pool{}
	for _, arn := range providerARNs(api.Properties["Body"].(map[string]any)) {
		_, poolID, ok := strings.Cut(arn, ":userpool/")
		if !ok {
			return nil, "", fmt.Errorf("authorizer names %q, which is not a user pool ARN", arn)
		}
		pools[arn] = apigateway.Pool{
			Issuer:  "https://cognito-idp." + opts.Region + ".amazonaws.com/" + poolID,
			JWKSURL: cognitoURL + "/" + poolID + "/.well-known/jwks.json",
		}
	}
	body, err := json.Marshal(api.Properties["Body"])
	if err != nil {
		return nil, "", fmt.Errorf("encode the REST API definition: %w", err)
	}
	stageProps, err := json.Marshal(stage.Properties)
	if err != nil {
		return nil, "", fmt.Errorf("encode the stage: %w", err)
	}
	filter, err := stageFilter(opts.Region, st, api.Ref, stage.Ref)
	if err != nil {
		return nil, "", fmt.Errorf("AWS WAF: %w", err)
	}
	// The function's own Timeout is enforced by the Lambda emulator, as Lambda enforces it; the gateway
	// bounds each call by its integration timeout.
	gw, err := apigateway.New(ctx, apigateway.Config{
		Body: body, Stage: stageProps, Pools: pools, Invoker: invoker,
		APIID: api.Ref, AccountID: accountID, Logger: opts.Logger, Filter: filter,
	})
	if err != nil {
		return nil, "", fmt.Errorf("API Gateway: %w", err)
	}
	return gw, stage.Ref, nil
}

// providerARNs lists the user pools named by the definition's Cognito authorizers.
func providerARNs(body map[string]any) []string {
	var out []string
	defs, _ := body["securityDefinitions"].(map[string]any) // swagger 2.0
	if components, ok := body["components"].(map[string]any); ok && defs == nil {
		defs, _ = components["securitySchemes"].(map[string]any) // OpenAPI 3
	}
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		d, _ := defs[name].(map[string]any)
		a, _ := d["x-amazon-apigateway-authorizer"].(map[string]any)
		if a["type"] != "cognito_user_pools" {
			continue
		}
		arns, _ := a["providerARNs"].([]any)
		for _, v := range arns {
			if s, ok := v.(string); ok && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
