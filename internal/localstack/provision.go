package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/example/cognito-sam-go/internal/samtemplate"
)

// Resource types the local stack does not create, and why. Any other type in a template is an error,
// so a resource added there is never silently missing locally.
var notEmulated = map[string]string{
	"AWS::SSM::Parameter":       "API stacks read the pool from .local/outputs.json locally",
	"AWS::Logs::LogGroup":       "logs go to the terminal",
	"AWS::IAM::Role":            "no IAM locally",
	"AWS::ApiGateway::Account":  "no IAM locally",
	"AWS::Serverless::Api":      "served by the local gateway",
	"AWS::Serverless::Function": "served in process by the local gateway",
}

// provisioner creates a template's Cognito resources in the emulator, from the template's properties.
type provisioner struct {
	client *cip.Client
	logger *slog.Logger
}

// apply creates every resource of t in declaration-independent order (pools, then what refers to
// them), recording each in r so later intrinsics resolve to the emulator's ids.
func (p *provisioner) apply(ctx context.Context, t *samtemplate.Template, r *samtemplate.Resolver) error {
	order := []string{"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolClient"}
	for id, res := range t.Resources {
		if _, ok := notEmulated[res.Type]; !ok && !slices.Contains(order, res.Type) {
			return fmt.Errorf("%s: resource %s of type %s is not supported by the local stack", t.Path, id, res.Type)
		}
	}
	for _, typ := range order {
		for id, res := range t.Resources {
			if res.Type != typ {
				continue
			}
			if res.Condition != "" {
				ok, err := r.Condition(res.Condition)
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				if !ok {
					continue
				}
			}
			props, err := r.ResolveMap(res.Properties)
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.Path, id, err)
			}
			if err := p.create(ctx, id, typ, props, r); err != nil {
				return fmt.Errorf("%s %s: %w", t.Path, id, err)
			}
		}
	}
	return nil
}

func (p *provisioner) create(ctx context.Context, id, typ string, props map[string]any, r *samtemplate.Resolver) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	switch typ {
	case "AWS::Cognito::UserPool":
		var in cip.CreateUserPoolInput
		// CloudFormation names the pool UserPoolName; the API calls it PoolName.
		if err := fromProperties(props, map[string]string{"UserPoolName": "PoolName"}, &in); err != nil {
			return err
		}
		out, err := p.client.CreateUserPool(ctx, &in)
		if err != nil {
			return fmt.Errorf("CreateUserPool: %w", err)
		}
		pool := out.UserPool
		r.SetResource(id, aws.ToString(pool.Id), map[string]string{
			"Arn": aws.ToString(pool.Arn), "ProviderName": "cognito-idp." + p.client.Options().Region + ".amazonaws.com/" + aws.ToString(pool.Id),
			"ProviderURL": "https://cognito-idp." + p.client.Options().Region + ".amazonaws.com/" + aws.ToString(pool.Id),
		})
		p.logger.Info("created user pool", "resource", id, "userPoolId", aws.ToString(pool.Id))
	case "AWS::Cognito::UserPoolDomain":
		var in cip.CreateUserPoolDomainInput
		if err := fromProperties(props, nil, &in); err != nil {
			return err
		}
		if _, err := p.client.CreateUserPoolDomain(ctx, &in); err != nil {
			return fmt.Errorf("CreateUserPoolDomain: %w", err)
		}
		r.SetResource(id, aws.ToString(in.Domain), nil)
		p.logger.Info("created user pool domain", "resource", id, "domain", aws.ToString(in.Domain))
	case "AWS::Cognito::UserPoolClient":
		var in cip.CreateUserPoolClientInput
		if err := fromProperties(props, nil, &in); err != nil {
			return err
		}
		out, err := p.client.CreateUserPoolClient(ctx, &in)
		if err != nil {
			return fmt.Errorf("CreateUserPoolClient: %w", err)
		}
		r.SetResource(id, aws.ToString(out.UserPoolClient.ClientId), map[string]string{"Name": aws.ToString(out.UserPoolClient.ClientName)})
		p.logger.Info("created user pool client", "resource", id, "clientId", aws.ToString(out.UserPoolClient.ClientId))
	}
	return nil
}

// fromProperties fills an SDK input from CloudFormation properties. Both use the service's own
// member names (renames lists the exceptions), so a JSON round trip maps them with no per-field
// code; a property the API does not know is an error rather than a silently dropped setting.
func fromProperties(props map[string]any, renames map[string]string, dst any) error {
	renamed := make(map[string]any, len(props))
	for k, v := range props {
		if to, ok := renames[k]; ok {
			k = to
		}
		renamed[k] = v
	}
	raw, err := json.Marshal(renamed)
	if err != nil {
		return fmt.Errorf("encode properties: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("properties do not map onto the Cognito API: %w", err)
	}
	return nil
}
