package localstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"path/filepath"

	"github.com/example/cognito-sam-go/internal/emulator/cloudformation"
	"github.com/example/cognito-sam-go/internal/passwordpolicy"
)

// Stack names and the account the local stack pretends to be (moto's default account).
const (
	authStackName = "local-auth"
	apiStackName  = "local-api"
	accountID     = "123456789012"
	// defaultDomainPrefix stands in for the auth stack's one required parameter.
	defaultDomainPrefix = "local-auth"
)

// notEmulated lists the resource types the local stack records without creating anything, and why.
// Every other type needs a provider: a resource added to a template is never silently missing.
var notEmulated = map[string]struct{ service, why string }{
	"AWS::SSM::Parameter":                      {"ssm", "API stacks read the pool from outputs.json locally"},
	"AWS::Logs::LogGroup":                      {"logs", "function and gateway logs go to the stack's output"},
	"AWS::IAM::Role":                           {"iam", "no IAM locally: nothing is authorised by roles"},
	"AWS::Lambda::Permission":                  {"lambda", "no IAM locally: API Gateway may invoke every function"},
	"AWS::ApiGateway::Account":                 {"apigateway", "a region-wide logging setting; logs go to the stack's output"},
	"AWS::ApiGateway::Deployment":              {"apigateway", "the stage serves the RestApi's definition as deployed"},
	"AWS::CloudFormation::WaitConditionHandle": {"cloudformation", "orders resources on deploy only"},
	"AWS::CloudFormation::Stack":               {"cloudformation", "the local stack deploys the nested templates itself"},
	"AWS::CloudWatch::Alarm":                   {"cloudwatch", "no metrics locally: alarms have nothing to watch"},
	"AWS::Logs::MetricFilter":                  {"logs", "no log groups locally: logs go to the stack's output"},
	"AWS::SNS::Topic":                          {"sns", "alarms are not emulated, so nothing publishes"},
	"AWS::SNS::Subscription":                   {"sns", "alarms are not emulated, so nothing publishes"},
}

// stackSet is the auth and API stacks, deployed as the root template deploys them.
type stackSet struct {
	auth, api *cloudformation.Stack
}

// deployStacks translates and deploys the auth stack, then the API stack with the pool's id, ARN and
// password policy, as the root template's nesting passes them. overrides apply to whichever stack declares each key.
func deployStacks(ctx context.Context, opts Options, providers map[string]cloudformation.Provider, overrides map[string]string) (stackSet, error) {
	authValues := map[string]string{"DomainPrefix": defaultDomainPrefix}
	maps.Copy(authValues, overrides)
	auth, err := deployOne(ctx, opts, "auth-stack/template.yaml", authStackName, authValues, providers)
	if err != nil {
		return stackSet{}, err
	}
	apiValues := map[string]string{"UserPoolId": auth.Outputs["UserPoolId"], "UserPoolArn": auth.Outputs["UserPoolArn"],
		"PasswordPolicy": auth.Outputs["PasswordPolicy"]}
	maps.Copy(apiValues, overrides)
	api, err := deployOne(ctx, opts, "api-stack/template.yaml", apiStackName, apiValues, providers)
	if err != nil {
		return stackSet{}, err
	}
	return stackSet{auth: auth, api: api}, nil
}

// deployOne translates a template with the values of the parameters it declares, as CloudFormation
// passes them to the transform, and deploys the result.
func deployOne(ctx context.Context, opts Options, src, name string, values map[string]string, providers map[string]cloudformation.Provider) (*cloudformation.Stack, error) {
	path := filepath.Join(opts.StateDir, "translated", name+".json")
	tr := cloudformation.Translator{Python: opts.Python, Root: opts.Root}
	if err := tr.Translate(ctx, src, path, values); err != nil {
		return nil, err
	}
	tpl, err := cloudformation.Load(path)
	if err != nil {
		return nil, err
	}
	mine := map[string]string{}
	for k, v := range values {
		if _, ok := tpl.Parameters[k]; ok {
			mine[k] = v
		}
	}
	params, err := tpl.ParameterValues(mine)
	if err != nil {
		return nil, err
	}
	return cloudformation.Deploy(ctx, tpl, cloudformation.DeployOptions{
		StackName: name, Region: opts.Region, AccountID: accountID, Parameters: params, Providers: providers,
	})
}

// checkOverrides fails on a key that neither template declares, as sam deploy would.
func checkOverrides(opts Options, overrides map[string]string) error {
	for k := range overrides {
		declared := false
		for _, src := range []string{"auth-stack/template.yaml", "api-stack/template.yaml"} {
			names, err := cloudformation.DeclaredParameters(filepath.Join(opts.Root, src))
			if err != nil {
				return err
			}
			declared = declared || names[k]
		}
		if !declared {
			return fmt.Errorf("PARAMETER_OVERRIDES: %s is not a parameter of auth-stack or api-stack", k)
		}
	}
	return nil
}

// localProviders is how the local stack creates each resource type: Cognito in the emulator; Lambda
// functions and the REST API recorded here and served once the stacks are deployed; the rest recorded.
func localProviders(opts Options, cognito *cognitoProviders) map[string]cloudformation.Provider {
	p := cognito.providers()
	for typ, ne := range notEmulated {
		p[typ] = cloudformation.Recorded(ne.service, opts.Region, accountID)
	}
	// Locally a function's name is its logical id; the ARN has Lambda's form, which API Gateway's
	// integration URI embeds.
	maps.Copy(p, wafProviders(opts.Region))
	p["AWS::Lambda::Function"] = func(_ context.Context, id string, _ map[string]any) (cloudformation.Created, error) {
		return cloudformation.Created{Ref: id, Attrs: map[string]string{
			"Arn": fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", opts.Region, accountID, id),
		}}, nil
	}
	p["AWS::ApiGateway::RestApi"] = func(_ context.Context, id string, _ map[string]any) (cloudformation.Created, error) {
		return cloudformation.Created{Ref: restAPIID(id), Attrs: map[string]string{"RootResourceId": "root"}}, nil
	}
	p["AWS::ApiGateway::Stage"] = func(_ context.Context, id string, props map[string]any) (cloudformation.Created, error) {
		name, _ := props["StageName"].(string)
		return cloudformation.Created{Ref: name}, nil
	}
	return p
}

// restAPIID is a stable id of API Gateway's form (10 lowercase alphanumerics) for a RestApi.
func restAPIID(logicalID string) string {
	sum := sha256.Sum256([]byte(apiStackName + "/" + logicalID))
	return hex.EncodeToString(sum[:5])
}

// passwordHint is what the pool's password policy asks, in a sentence, for the browser page.
func (s stackSet) passwordHint() (string, error) {
	for id, r := range s.auth.Resources {
		if r.Type == "AWS::Cognito::UserPool" {
			p, err := passwordpolicy.FromPool(r.Properties)
			if err != nil {
				return "", fmt.Errorf("auth stack %s: %w", id, err)
			}
			return p.Hint(), nil
		}
	}
	return "", fmt.Errorf("the auth stack has no AWS::Cognito::UserPool")
}
